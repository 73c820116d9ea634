/**
 * Reads what the project's clusters say about one endpoint: every cluster (one listing), and the project's
 * AWS endpoint services only when a cluster also has nodes in other regions (whether those regions have
 * endpoints decides whether Atlas can give it strings at all).
 */
import type { AtlasClient } from '../atlas/AtlasClient';
import { type ClusterJudgement, judgeClusters, otherAwsRegions } from '../domain/connectionStrings';
import { atlasRegion } from '../regions';

export async function readConnectionStrings(
  atlas: Pick<AtlasClient, 'listClusters' | 'listEndpointServices'>,
  target: { readonly groupId: string; readonly vpcEndpointId: string; readonly region: string },
): Promise<ClusterJudgement> {
  const region = atlasRegion(target.region) ?? target.region;
  const clusters = await atlas.listClusters(target.groupId);
  if (otherAwsRegions(clusters, region).length === 0) {
    return judgeClusters(clusters, { vpcEndpointId: target.vpcEndpointId, region });
  }
  const services = await atlas.listEndpointServices(target.groupId, 'AWS');
  const regionsWithEndpoints = new Set(
    services
      .filter((s) => s.status !== 'DELETING' && s.interfaceEndpoints.length > 0)
      .map((s) => atlasRegion(s.regionName) ?? ''),
  );
  return judgeClusters(clusters, { vpcEndpointId: target.vpcEndpointId, region, regionsWithEndpoints });
}
