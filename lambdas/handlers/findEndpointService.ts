import type { AwsEndpointService } from '../atlas/types';
import { decideEndpointService, type ServiceState } from '../domain/decisions';
import { type ProvisioningRequest, refuseOutsideAllowLists, regionMismatch } from '../domain/request';
import { AtlasNotFoundError, InvalidRequestError } from '../errors';
import { awsRegion } from '../regions';
import { findOrCreateEndpointService } from '../services/endpointService';
import { atlasFromSecret } from './capabilities/atlasFromSecret';
import { lambdaRuntime, type Runtime, withExecution } from './runtime';

export interface FindEndpointServiceEvent {
  readonly executionName: string;
  readonly executionStartedAt: string;
  readonly request: ProvisioningRequest;
  /**
   * `{ checks: 0 }` on the first read; afterwards the service read before (its id and region), also when it
   * is read again before each new attempt.
   */
  readonly service: {
    readonly checks: number;
    readonly endpointServiceId?: string;
    readonly region?: string;
  };
}

/**
 * "Find endpoint service": reads (or finds, or creates) the project's AWS endpoint service and judges it.
 * A service the workflow read before that Atlas has since removed (it may go with its last endpoint) is
 * found or created again in its region; one the request named that does not exist is an error.
 */
export const createFindEndpointServiceHandler =
  (runtime: Runtime) =>
  (event: FindEndpointServiceEvent): Promise<ServiceState> =>
    withExecution(runtime, event.executionName, async () => {
      const { request } = event;
      refuseOutsideAllowLists(runtime.requestContext(), { groupId: request.groupId });
      const atlas = await runtime.atlas();
      const seen = event.service.endpointServiceId;
      const knownId = seen ?? request.endpointServiceId;
      const region = event.service.region ?? request.region ?? '';
      let service: AwsEndpointService;
      try {
        service = knownId
          ? await atlas.getEndpointService(request.groupId, 'AWS', knownId)
          : await findOrCreateEndpointService(atlas, request.groupId, region);
      } catch (error) {
        if (!(error instanceof AtlasNotFoundError && seen)) throw error;
        runtime.logger.warn('endpoint service gone: finding or creating it again', {
          endpointServiceId: seen,
        });
        service = await findOrCreateEndpointService(atlas, request.groupId, region);
      }
      const serviceRegion = awsRegion(service.regionName) ?? region;
      const deploymentRegion = runtime.region();
      if (deploymentRegion !== undefined && serviceRegion !== deploymentRegion) {
        // Only a service the request named can be elsewhere; nothing has been written to Atlas.
        throw new InvalidRequestError([
          { field: 'endpointServiceId', message: regionMismatch(serviceRegion, deploymentRegion) },
        ]);
      }
      const deadline = Date.parse(event.executionStartedAt) + request.timeoutSeconds * 1000;
      const state = decideEndpointService(
        {
          endpointServiceId: service.id,
          region: serviceRegion,
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
