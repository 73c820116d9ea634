import type { RegistrationAnswer } from '../domain/decisions';
import { registrationRefusal } from '../domain/registration';
import { executionTagValue, refuseOutsideAllowLists } from '../domain/request';
import { EndpointNotOwnedError, EndpointNotVisibleError } from '../errors';
import { atlasFromSecret } from './capabilities/atlasFromSecret';
import { vpcEndpointsFromEnv } from './capabilities/vpcEndpointsFromEnv';
import { lambdaRuntime, type Runtime, withExecution } from './runtime';

export interface RegisterEndpointEvent {
  readonly executionName: string;
  /** `$$.Execution.Id`: what this execution's endpoints are tagged with. */
  readonly executionArn: string;
  readonly groupId: string;
  readonly endpointServiceId: string;
  /** The service's `com.amazonaws.vpce.<region>.vpce-svc-…` name: the endpoint must connect to it. */
  readonly endpointServiceName: string;
  readonly vpcEndpointId: string;
}

/**
 * "Register with Atlas": `POST …/endpoint {id}`; the client counts a 409 for the same id as registered.
 * First it reads the endpoint from EC2 and registers it only when this execution created it (this account,
 * this service, this deployment's and execution's tags): invoking the function directly with another
 * endpoint fails with `EndpointNotOwnedError`, before Atlas is called. An endpoint EC2 does not describe
 * yet (just created) is `EndpointNotVisibleError`, which the state machine retries.
 */
export const createRegisterEndpointHandler =
  (runtime: Runtime) =>
  (event: RegisterEndpointEvent): Promise<RegistrationAnswer> =>
    withExecution(runtime, event.executionName, async () => {
      refuseOutsideAllowLists(runtime.requestContext(), { groupId: event.groupId });
      const endpoint = await runtime.vpcEndpoints().describe(event.vpcEndpointId);
      if (!endpoint) throw new EndpointNotVisibleError(event.vpcEndpointId);
      const refusal = registrationRefusal(endpoint, {
        accountId: runtime.accountId?.(),
        serviceName: event.endpointServiceName,
        managedBy: runtime.managedBy(),
        executionTag: executionTagValue(event),
      });
      if (refusal) throw new EndpointNotOwnedError(event.vpcEndpointId, refusal);
      const atlas = await runtime.atlas();
      const registered = await atlas.createEndpoint(event.groupId, 'AWS', event.endpointServiceId, {
        id: event.vpcEndpointId,
      });
      runtime.logger.info('endpoint registered with Atlas', {
        vpcEndpointId: event.vpcEndpointId,
        connectionStatus: registered.connectionStatus,
      });
      return {
        registeredAt: new Date(runtime.now()).toISOString(),
        connectionStatus: registered.connectionStatus ?? null,
        errorMessage: registered.errorMessage ?? null,
      };
    });

export const handler = createRegisterEndpointHandler(
  lambdaRuntime({ atlas: atlasFromSecret, vpcEndpoints: vpcEndpointsFromEnv }),
);
