import type { AwsEndpointService } from '../atlas/types';
import { decideEndpointService, type ServiceState } from '../domain/decisions';
import { type ProvisioningRequest, refuseOutsideAllowLists, regionProblem } from '../domain/request';
import { AtlasNotFoundError, InvalidRequestError } from '../errors';
import { awsRegion } from '../regions';
import {
  findOrCreateEndpointService,
  listsRemoteRegion,
  supportRemoteRegion,
} from '../services/endpointService';
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
 *
 * Cross-region (`crossRegion`, the service in another region than the deployment's): a service it creates
 * supports the deployment's region from the start; an existing one that does not gets it added (a PATCH
 * that keeps every region it had) once it is up, and is ready only when a later read shows it.
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
      const deploymentRegion = runtime.region();
      const crossRegion = request.crossRegion === true;
      // A service this handler creates elsewhere supports the deployment's region from the start.
      const remoteFor = (serviceRegion: string) =>
        crossRegion && deploymentRegion !== undefined && serviceRegion !== deploymentRegion
          ? deploymentRegion
          : undefined;
      let service: AwsEndpointService;
      try {
        service = knownId
          ? await atlas.getEndpointService(request.groupId, 'AWS', knownId)
          : await findOrCreateEndpointService(atlas, request.groupId, region, remoteFor(region));
      } catch (error) {
        if (!(error instanceof AtlasNotFoundError && seen)) throw error;
        runtime.logger.warn('endpoint service gone: finding or creating it again', {
          endpointServiceId: seen,
        });
        service = await findOrCreateEndpointService(atlas, request.groupId, region, remoteFor(region));
      }
      const serviceRegion = awsRegion(service.regionName) ?? region;
      const problem =
        deploymentRegion === undefined
          ? undefined
          : regionProblem(serviceRegion, deploymentRegion, crossRegion);
      if (problem !== undefined) {
        // Only a service the request named can be elsewhere unasked; nothing has been written to Atlas.
        throw new InvalidRequestError([{ field: 'endpointServiceId', message: problem }]);
      }
      const remoteRegion = remoteFor(serviceRegion);
      let added = false;
      if (remoteRegion !== undefined) {
        ({ service, added } = await supportRemoteRegion(atlas, request.groupId, service, remoteRegion));
        if (added) {
          runtime.logger.info('added the deployment region to the endpoint service', {
            endpointServiceId: service.id,
            remoteRegion,
            supportedRemoteRegions: service.supportedRemoteRegions,
          });
        }
      }
      const deadline = Date.parse(event.executionStartedAt) + request.timeoutSeconds * 1000;
      const state = decideEndpointService(
        {
          endpointServiceId: service.id,
          region: serviceRegion,
          status: service.status,
          endpointServiceName: service.endpointServiceName,
          errorMessage: service.errorMessage,
          ...(remoteRegion !== undefined
            ? {
                remoteRegion: {
                  region: remoteRegion,
                  listed: listsRemoteRegion(service, remoteRegion),
                  added,
                },
              }
            : {}),
        },
        event.service.checks,
        runtime.now(),
        deadline,
      );
      runtime.logger.info('endpoint service checked', { ...state });
      return state;
    });

export const handler = createFindEndpointServiceHandler(lambdaRuntime({ atlas: atlasFromSecret }));
