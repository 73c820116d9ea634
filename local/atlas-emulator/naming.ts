import { randomBytes, randomUUID } from 'node:crypto';
import type { Clock } from '../shared/model';

const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/** A 24-hex id shaped like a MongoDB ObjectId (4-byte timestamp by the clock, then random). */
export function objectId(clock: Clock): string {
  const seconds = Math.floor(clock() / 1000) >>> 0;
  return seconds.toString(16).padStart(8, '0') + hex(8);
}

/** `com.amazonaws.vpce.<region>.vpce-svc-<17 hex>`. */
export function awsEndpointServiceName(awsRegion: string): string {
  return `com.amazonaws.vpce.${awsRegion}.vpce-svc-${hex(9).slice(0, 17)}`;
}

export function azurePrivateLinkService(regionName: string): { name: string; resourceId: string } {
  const name = `pls_${hex(12)}`;
  const group = `rg_${hex(12)}_${regionName.toLowerCase()}`;
  return {
    name,
    resourceId: `/subscriptions/${randomUUID()}/resourcegroups/${group}/providers/Microsoft.Network/privateLinkServices/${name}`,
  };
}

export function gcpServiceAttachments(regionName: string, count = 3): string[] {
  const project = `p-${hex(12)}`;
  const region = regionName.toLowerCase().replace(/_/g, '-');
  return Array.from(
    { length: count },
    (_, i) =>
      `https://www.googleapis.com/compute/v1/projects/${project}/regions/${region}/serviceAttachments/sa-${region}-${i}`,
  );
}

export { awsRegionForms } from '../../lambdas/regions';

/** Azure and GCP regions: Atlas's upper-case underscore form of whatever was sent. */
export function otherRegionName(region: string): string | undefined {
  return /^[A-Za-z0-9][A-Za-z0-9_-]{1,40}$/.test(region)
    ? region.toUpperCase().replace(/-/g, '_')
    : undefined;
}
