/**
 * Removes what one execution created, and nothing else: the VPC endpoints it recorded in its state, and
 * those tagged with its execution ARN (and this deployment's managed-by value) that it provably created
 * (see {@link Provenance}), and their Atlas registrations. Idempotent: each pass
 * re-reads both sides and only asks for deletions not yet under way, so the state machine calls it in a
 * loop until both sides report the endpoints gone.
 */
import type { VpcEndpoints, VpcEndpointView } from '../adapters/VpcEndpoints';
import type { AtlasClient } from '../atlas/AtlasClient';
import { ManagedTag } from '../domain/request';
import { AtlasNotFoundError, ErrorName, RETRYABLE_ERROR_NAMES } from '../errors';

export interface RemovalTarget {
  /** The execution's ARN (`$$.Execution.Id`): the value of its endpoints' `atlas-privatelink:execution` tag. */
  readonly executionArn: string;
  readonly managedBy: string;
  /** Known when the request was validated; without it nothing can have been created. */
  readonly groupId?: string | undefined;
  /** Known once the endpoint service was found; without it nothing was registered with Atlas. */
  readonly endpointServiceId?: string | undefined;
  /**
   * The ids the execution recorded in its own state (every attempt's): removed whatever their tags say, as
   * long as they carry this execution's tags (they were created with them).
   */
  readonly knownVpcEndpointIds?: readonly (string | undefined)[];
  /**
   * What an endpoint this execution created but could not record (a create that timed out after EC2 made
   * it) must agree with, besides its tags: tags can be written by anyone with `ec2:CreateTags`, so a tagged
   * endpoint that is not recorded is removed only when it was created after the execution started, in the
   * request's VPC, to the execution's endpoint service. Without it, only recorded ids are removed.
   */
  readonly provenance?: Provenance;
}

/** Facts an endpoint created by the execution has, which a planted tag cannot give another endpoint. */
export interface Provenance {
  /** When the execution started (ISO 8601): its endpoints were created after it. */
  readonly startedAt: string;
  readonly vpcId?: string | undefined;
  readonly serviceName?: string | undefined;
}

/**
 * The start of the second `ms` falls in: EC2 reports creation times to the second, so an endpoint made in
 * the second its execution started reads as made at that second's start.
 */
function wholeSecond(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}

/** True when `endpoint` can have been created by the execution `provenance` describes. */
export function createdByExecution(endpoint: VpcEndpointView, provenance: Provenance): boolean {
  const created = endpoint.createdAt === undefined ? Number.NaN : Date.parse(endpoint.createdAt);
  return (
    created >= wholeSecond(Date.parse(provenance.startedAt)) &&
    (provenance.vpcId === undefined || endpoint.vpcId === provenance.vpcId) &&
    (provenance.serviceName === undefined || endpoint.serviceName === provenance.serviceName)
  );
}

export interface RemovalPass {
  /** Every VPC endpoint id of this execution seen so far. */
  readonly vpcEndpointIds: string[];
  /** Ids still present on either side (deletion under way). */
  readonly remaining: string[];
  /** Ids that cannot be removed by retrying (e.g. Atlas refuses the credentials), with why. */
  readonly abandoned: { readonly id: string; readonly reason: string }[];
}

const GONE_EC2_STATES = new Set(['deleted', 'missing']);
const DELETING_EC2_STATES = new Set(['deleting', 'deleted', 'missing']);

export async function removeExecutionEndpoints(
  target: RemovalTarget,
  vpc: Pick<VpcEndpoints, 'findByTag' | 'describe' | 'delete'>,
  atlas: () => Promise<Pick<AtlasClient, 'getEndpoint' | 'deleteEndpoint'>>,
): Promise<RemovalPass> {
  if (!target.groupId) return { vpcEndpointIds: [], remaining: [], abandoned: [] };

  // Only ever touch an endpoint that carries this execution's tag and this deployment's managed-by value.
  const ours = (e: VpcEndpointView) =>
    e.tags[ManagedTag.execution] === target.executionArn && e.tags[ManagedTag.managedBy] === target.managedBy;
  const known = new Set((target.knownVpcEndpointIds ?? []).filter((id): id is string => !!id));
  // A tagged endpoint the state does not know of is removed only with proof it was created by this
  // execution: tags alone can be planted on another team's endpoint.
  const provenance = target.provenance;
  const tagged = (await vpc.findByTag(ManagedTag.execution, target.executionArn))
    .filter(ours)
    .filter(
      (e) => known.has(e.vpcEndpointId) || (provenance !== undefined && createdByExecution(e, provenance)),
    );
  const byId = new Map<string, VpcEndpointView | undefined>(tagged.map((e) => [e.vpcEndpointId, e]));
  for (const id of target.knownVpcEndpointIds ?? []) {
    if (id && !byId.has(id)) {
      const found = await vpc.describe(id);
      if (!found || ours(found)) byId.set(id, found);
    }
  }
  const ids = [...byId.keys()];
  const remaining = new Set<string>();
  const abandoned: { id: string; reason: string }[] = [];
  // Atlas first, EC2 after: the VPC endpoint (and its tags) is the only record of a registration, so it is
  // deleted only once Atlas answers 404. Deleting both at once would lose a registration Atlas then fails
  // to delete: EC2 forgets deleted endpoints, and nothing would be left to find it by.
  const unregistered = new Set<string>(target.endpointServiceId ? [] : ids);

  if (target.endpointServiceId && ids.length > 0) {
    const client = await atlas();
    for (const id of ids) {
      try {
        const registration = await client.getEndpoint(target.groupId, 'AWS', target.endpointServiceId, id);
        if (!registration.deleteRequested && registration.connectionStatus !== 'DELETING') {
          await client.deleteEndpoint(target.groupId, 'AWS', target.endpointServiceId, id);
        }
        remaining.add(id);
      } catch (error) {
        if (error instanceof AtlasNotFoundError) {
          unregistered.add(id);
          continue;
        }
        const name = error instanceof Error ? error.name : ErrorName.AtlasApi;
        if ((RETRYABLE_ERROR_NAMES as readonly string[]).includes(name)) {
          remaining.add(id);
        } else {
          abandoned.push({ id, reason: error instanceof Error ? error.message : String(error) });
        }
      }
    }
  }

  const toDelete = ids.filter(
    (id) => unregistered.has(id) && !DELETING_EC2_STATES.has(byId.get(id)?.state ?? 'missing'),
  );
  if (toDelete.length > 0) {
    const result = await vpc.delete(toDelete);
    for (const failure of result.failed)
      abandoned.push({ id: failure.id, reason: `${failure.code}: ${failure.message}` });
  }
  for (const id of unregistered) {
    const state = byId.get(id)?.state ?? 'missing';
    if (!GONE_EC2_STATES.has(state) && !abandoned.some((a) => a.id === id)) remaining.add(id);
  }
  return { vpcEndpointIds: ids, remaining: [...remaining], abandoned };
}
