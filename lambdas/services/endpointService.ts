import type { AtlasClient } from '../atlas/AtlasClient';
import type { AwsEndpointService } from '../atlas/types';
import { AtlasConflictError, EndpointServiceFailedError } from '../errors';
import { atlasRegion } from '../regions';

/**
 * Finds the project's AWS endpoint service in `region`, or creates it. Atlas allows one per provider and
 * region, so a 409 on create means another caller made it meanwhile: adopt that one.
 */
export async function findOrCreateEndpointService(
  atlas: Pick<AtlasClient, 'listEndpointServices' | 'createEndpointService'>,
  groupId: string,
  region: string,
): Promise<AwsEndpointService> {
  const existing = await findInRegion(atlas, groupId, region);
  if (existing) return existing;
  try {
    return (await atlas.createEndpointService(groupId, {
      providerName: 'AWS',
      region,
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

async function findInRegion(
  atlas: Pick<AtlasClient, 'listEndpointServices'>,
  groupId: string,
  region: string,
): Promise<AwsEndpointService | undefined> {
  const wanted = atlasRegion(region);
  const services = (await atlas.listEndpointServices(groupId, 'AWS')) as AwsEndpointService[];
  return services.find((s) => s.regionName !== undefined && atlasRegion(s.regionName) === wanted);
}
