import type { AtlasClient } from '../atlas/AtlasClient';
import { MAX_REMOTE_REGIONS } from '../atlas/requestChecks';
import type { AwsEndpointService } from '../atlas/types';
import { isServiceUp } from '../domain/decisions';
import { AtlasConflictError, EndpointServiceFailedError, InvalidRequestError } from '../errors';
import { atlasRegion } from '../regions';

/**
 * Finds the project's AWS endpoint service in `region`, or creates it. Atlas allows one per provider and
 * region, so a 409 on create means another caller made it meanwhile: adopt that one.
 *
 * @param remoteRegion - cross-region: the region the VPC endpoint will be in, which a new service supports
 *   from the start (`supportedRemoteRegions`); an existing one gets it from {@link supportRemoteRegion}.
 */
export async function findOrCreateEndpointService(
  atlas: Pick<AtlasClient, 'listEndpointServices' | 'createEndpointService'>,
  groupId: string,
  region: string,
  remoteRegion?: string,
): Promise<AwsEndpointService> {
  const existing = await findInRegion(atlas, groupId, region);
  if (existing) return existing;
  try {
    return (await atlas.createEndpointService(groupId, {
      providerName: 'AWS',
      region,
      ...(remoteRegion ? { supportedRemoteRegions: [remoteRegion] } : {}),
    })) as AwsEndpointService;
  } catch (error) {
    if (!(error instanceof AtlasConflictError)) throw error;
    const adopted = await findInRegion(atlas, groupId, region);
    if (adopted) return adopted;
    throw new EndpointServiceFailedError(
      `Atlas says an AWS endpoint service exists in ${region} for project ${groupId}, but does not list it`,
      { cause: error },
    );
  }
}

/** Whether a service lists `region` (either form) among its remote regions. */
export function listsRemoteRegion(service: AwsEndpointService, region: string): boolean {
  const wanted = atlasRegion(region);
  return service.supportedRemoteRegions.some((r) => atlasRegion(r) === wanted);
}

/**
 * Makes a service support `remoteRegion` for cross-region endpoints: when it is up and does not list the
 * region, sends its current regions plus this one (the PATCH replaces the list, so nothing another
 * deployment relies on is removed). A service that is not up is left for a later read: it may be being
 * created or updated.
 *
 * @returns the service as Atlas now shows it, and whether this call added the region.
 * @throws InvalidRequestError when the service supports as many remote regions as Atlas allows already
 *   (nothing is sent: the workflow never removes another region to make room).
 */
export async function supportRemoteRegion(
  atlas: Pick<AtlasClient, 'updateEndpointService'>,
  groupId: string,
  service: AwsEndpointService,
  remoteRegion: string,
): Promise<{ readonly service: AwsEndpointService; readonly added: boolean }> {
  if (listsRemoteRegion(service, remoteRegion) || !isServiceUp(service.status, service.endpointServiceName)) {
    return { service, added: false };
  }
  if (service.supportedRemoteRegions.length >= MAX_REMOTE_REGIONS) {
    throw new InvalidRequestError([
      {
        field: 'crossRegion',
        message:
          `endpoint service ${service.id} supports ${service.supportedRemoteRegions.length} remote regions, ` +
          `the most Atlas allows (${MAX_REMOTE_REGIONS}), and not ${remoteRegion}; this workflow never removes ` +
          `a region others may rely on: remove one yourself, or use a deployment in the service's region`,
      },
    ]);
  }
  const updated = await atlas.updateEndpointService(groupId, service.id, {
    cloudProvider: 'AWS',
    supportedRemoteRegions: [...service.supportedRemoteRegions, remoteRegion],
  });
  return { service: updated, added: true };
}

async function findInRegion(
  atlas: Pick<AtlasClient, 'listEndpointServices'>,
  groupId: string,
  region: string,
): Promise<AwsEndpointService | undefined> {
  const wanted = atlasRegion(region);
  const services = (await atlas.listEndpointServices(groupId, 'AWS')) as AwsEndpointService[];
  return services.find((s) => s.regionName !== undefined && atlasRegion(s.regionName) === wanted);
}
