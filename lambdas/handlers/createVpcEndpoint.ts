import { requestedByTagValue } from '../domain/callers';
import { clientTokenFor, type History, initialPollState, type ServiceState } from '../domain/decisions';
import {
  executionTagValue,
  ManagedTag,
  type ProvisioningRequest,
  refuseOutsideAllowLists,
} from '../domain/request';
import type { AttemptState } from '../domain/workflowState';
import { InvalidRequestError } from '../errors';
import { describeReceived, isId } from '../ids';
import { vpcEndpointsFromEnv } from './capabilities/vpcEndpointsFromEnv';
import { lambdaRuntime, type Runtime, withExecution } from './runtime';

export interface CreateVpcEndpointEvent {
  readonly executionName: string;
  /** From the context object (`$$.Execution.Id`): the execution tag, an ARN nobody can predict or reuse. */
  readonly executionArn: string;
  readonly request: ProvisioningRequest;
  readonly service: ServiceState;
  readonly history: History;
}

/**
 * "Create VPC endpoint": an Interface endpoint to the Atlas service, private DNS off (Atlas services offer
 * no private DNS name), tagged as this deployment's and this execution's (and its caller's). The ClientToken makes a retried
 * call return the same endpoint; each attempt gets a new one. A service in another region than the
 * function's is reached cross-region, with `ServiceRegion`.
 */
export const createCreateVpcEndpointHandler =
  (runtime: Runtime) =>
  (event: CreateVpcEndpointEvent): Promise<AttemptState> =>
    withExecution(runtime, event.executionName, async () => {
      const { request, service } = event;
      refuseOutsideAllowLists(runtime.requestContext(), { vpcId: request.vpcId, groupId: request.groupId });
      // Only a name Atlas issues for an AWS service (com.amazonaws.vpce.<region>.vpce-svc-…) is ever connected to.
      if (!isId('endpointServiceName', service.endpointServiceName)) {
        throw new InvalidRequestError([
          {
            field: 'service.endpointServiceName',
            message: `expected an AWS endpoint service name (com.amazonaws.vpce.<region>.vpce-svc-<hex>), got ${describeReceived(service.endpointServiceName)}`,
          },
        ]);
      }
      const number = event.history.attempts.length + 1;
      const clientToken = clientTokenFor(runtime.managedBy(), event.executionName, number, runtime.hash);
      const here = runtime.region();
      const crossRegion = here !== undefined && service.region !== here;
      const endpoint = await runtime.vpcEndpoints().create({
        vpcId: request.vpcId,
        subnetIds: request.subnetIds,
        securityGroupIds: request.securityGroupIds,
        serviceName: service.endpointServiceName,
        ...(crossRegion ? { serviceRegion: service.region } : {}),
        clientToken,
        tags: {
          Name: `atlas-privatelink-${request.groupId}`,
          ...request.tags,
          [ManagedTag.managedBy]: runtime.managedBy(),
          [ManagedTag.groupId]: request.groupId,
          [ManagedTag.endpointServiceId]: service.endpointServiceId,
          [ManagedTag.execution]: executionTagValue(event),
          [ManagedTag.attempt]: String(number),
          // Who asked, to find a caller's endpoints by; an execution started on the state machine records nobody.
          ...(request.requestedBy !== undefined
            ? { [ManagedTag.requestedBy]: requestedByTagValue(request.requestedBy) }
            : {}),
        },
      });
      runtime.logger.info('VPC endpoint created', {
        attempt: number,
        vpcEndpointId: endpoint.vpcEndpointId,
        ...(crossRegion ? { serviceRegion: service.region } : {}),
      });
      return {
        number,
        vpcEndpointId: endpoint.vpcEndpointId,
        clientToken,
        startedAt: new Date(runtime.now()).toISOString(),
        poll: initialPollState(runtime.random),
      };
    });

export const handler = createCreateVpcEndpointHandler(lambdaRuntime({ vpcEndpoints: vpcEndpointsFromEnv }));
