import type { AwsEndpointService } from '../atlas/types';
import { decideEndpointService, type ServiceState } from '../domain/decisions';
import type { ProvisioningRequest } from '../domain/request';
import { findOrCreateEndpointService } from '../services/endpointService';
import { atlasFromSecret } from './capabilities/atlasFromSecret';
import { lambdaRuntime, type Runtime, withExecution } from './runtime';

export interface FindEndpointServiceEvent {
  readonly executionName: string;
  readonly executionStartedAt: string;
  readonly request: ProvisioningRequest;
  /** `{ checks: 0 }` on the first check; the previous check's state afterwards. */
  readonly service: { readonly checks: number; readonly endpointServiceId?: string };
}

/** "Find endpoint service": reads (or finds, or creates) the project's AWS endpoint service and judges it. */
export const createFindEndpointServiceHandler =
  (runtime: Runtime) =>
  (event: FindEndpointServiceEvent): Promise<ServiceState> =>
    withExecution(runtime, event.executionName, async () => {
      const atlas = await runtime.atlas();
      const { request } = event;
      const knownId = event.service.endpointServiceId ?? request.endpointServiceId;
      const service: AwsEndpointService = knownId
        ? await atlas.getEndpointService(request.groupId, 'AWS', knownId)
        : await findOrCreateEndpointService(atlas, request.groupId, request.region ?? '');
      const deadline = Date.parse(event.executionStartedAt) + request.timeoutSeconds * 1000;
      const state = decideEndpointService(
        {
          endpointServiceId: service.id,
          status: service.status,
          endpointServiceName: service.endpointServiceName,
          errorMessage: service.errorMessage,
        },
        event.service.checks,
        runtime.now(),
        deadline,
      );
      runtime.logger.info('endpoint service checked', { ...state });
      return state;
    });

export const handler = createFindEndpointServiceHandler(lambdaRuntime({ atlas: atlasFromSecret }));
