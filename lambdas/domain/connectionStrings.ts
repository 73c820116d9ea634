/**
 * Connection strings: which of the project's clusters can be reached through this endpoint, which of them
 * already list it in `connectionStrings.privateEndpoint[]`, and how long to keep looking. Pure: no I/O, no
 * clock of its own.
 *
 * Atlas gives a cluster private endpoint strings only when every region the cluster has nodes in has a
 * private endpoint, and adds them minutes after the endpoint is AVAILABLE. The deprecated
 * `awsPrivateLink`/`awsPrivateLinkSrv` maps and the peering strings `private`/`privateSrv` are never read.
 */
import type { ClusterDescription } from '../atlas/types';
import { atlasRegion } from '../regions';

/** How the workflow looks for connection strings after AVAILABLE. */
export const ConnectionStringSchedule = {
  /**
   * Waits between the first reads. The first read comes at once (a project without clusters, or whose clusters
   * the endpoint cannot serve, is answered then); strings usually follow 3 to 5 minutes after AVAILABLE.
   */
  initialWaitsSeconds: [30, 60, 90] as readonly number[],
  /** Then a read every this many seconds, less up to `jitterSeconds`: few reads, since each one is an Atlas request. */
  steadyWaitSeconds: 120,
  jitterSeconds: 10,
  /** The loop's own bound, besides the request's `connectionStringTimeoutSeconds` (2 h at 110 s is 66 reads). */
  maxReads: 100,
} as const;

/** What the workflow does after a read. */
export const StringsNext = { WAIT: 'WAIT', DONE: 'DONE' } as const;
export type StringsNext = (typeof StringsNext)[keyof typeof StringsNext];

/** One way to connect to a cluster through this endpoint. */
export interface ConnectionString {
  readonly clusterName: string;
  /** `MONGOD` (a replica set) or `MONGOS` (a sharded cluster). */
  readonly type: string;
  readonly connectionString: string;
  readonly srvConnectionString: string;
  /** Sharded clusters only. */
  readonly srvShardOptimizedConnectionString?: string;
}

/** A cluster this endpoint does not (yet) give strings for, and why. */
export interface ClusterNotCovered {
  readonly clusterName: string;
  readonly reason: string;
}

/** What one read of the clusters says about this endpoint. */
export interface ClusterJudgement {
  readonly clusterCount: number;
  readonly connectionStrings: ConnectionString[];
  readonly clustersNotCovered: ClusterNotCovered[];
  /** Clusters this endpoint can serve whose strings do not list it yet: worth waiting for. */
  readonly waitingFor: string[];
}

/** Where the endpoint is, in Atlas's region form (`US_EAST_1`). */
export interface EndpointLocation {
  readonly vpcEndpointId: string;
  readonly region: string;
  /**
   * AWS regions (Atlas's form) in which the project has an endpoint service with at least one endpoint:
   * needed only when a cluster also has nodes in regions other than the endpoint's (see {@link otherAwsRegions}).
   * @default - unknown: such clusters are waited for
   */
  readonly regionsWithEndpoints?: ReadonlySet<string>;
}

/** The regions a cluster has nodes in, as `{ provider, region }` (region undefined when Atlas left it out). */
export function nodeRegionsOf(
  cluster: ClusterDescription,
): { readonly provider: string; readonly region: string | undefined }[] {
  const seen = new Map<string, { provider: string; region: string | undefined }>();
  for (const spec of cluster.replicationSpecs ?? []) {
    for (const config of spec.regionConfigs ?? []) {
      const provider = config.providerName ?? 'AWS';
      const region =
        typeof config.regionName === 'string'
          ? provider === 'AWS'
            ? (atlasRegion(config.regionName) ?? config.regionName)
            : config.regionName
          : undefined;
      seen.set(`${provider}/${region}`, { provider, region });
    }
  }
  return [...seen.values()];
}

/**
 * The AWS regions besides the endpoint's that clusters with nodes in its region also have nodes in: if there
 * are any, whether those regions have private endpoints decides whether the clusters can get strings.
 */
export function otherAwsRegions(clusters: readonly ClusterDescription[], region: string): string[] {
  const others = new Set<string>();
  for (const cluster of clusters) {
    const regions = nodeRegionsOf(cluster);
    if (!regions.some((r) => r.provider === 'AWS' && r.region === region)) continue;
    for (const r of regions) {
      if (r.provider === 'AWS' && r.region !== undefined && r.region !== region) others.add(r.region);
    }
  }
  return [...others].sort();
}

/**
 * Judges one read of the project's clusters for the endpoint at `location`: the strings that list it, the
 * clusters it cannot serve (with why), and the clusters it can serve that do not list it yet.
 *
 * @example
 * const judgement = judgeClusters(await atlas.listClusters(groupId), { vpcEndpointId, region: 'US_EAST_1' });
 * if (judgement.waitingFor.length === 0) console.log(judgement.connectionStrings);
 */
export function judgeClusters(
  clusters: readonly ClusterDescription[],
  location: EndpointLocation,
): ClusterJudgement {
  const connectionStrings: ConnectionString[] = [];
  const clustersNotCovered: ClusterNotCovered[] = [];
  const waitingFor: string[] = [];
  for (const cluster of clusters) {
    const strings = stringsFor(cluster, location.vpcEndpointId);
    if (strings.length > 0) {
      connectionStrings.push(...strings);
      continue;
    }
    const reason = notCoveredReason(cluster, location);
    if (reason) clustersNotCovered.push({ clusterName: cluster.name, reason });
    else waitingFor.push(cluster.name);
  }
  return { clusterCount: clusters.length, connectionStrings, clustersNotCovered, waitingFor };
}

/** The entries of `connectionStrings.privateEndpoint[]` that go through this endpoint. */
function stringsFor(cluster: ClusterDescription, vpcEndpointId: string): ConnectionString[] {
  const entries = cluster.connectionStrings?.privateEndpoint ?? [];
  return entries
    .filter((entry) => (entry.endpoints ?? []).some((e) => e.endpointId === vpcEndpointId))
    .filter((entry) => entry.connectionString || entry.srvConnectionString)
    .map((entry) => ({
      clusterName: cluster.name,
      type: entry.type ?? (cluster.clusterType === 'REPLICASET' ? 'MONGOD' : 'MONGOS'),
      connectionString: entry.connectionString ?? '',
      srvConnectionString: entry.srvConnectionString ?? '',
      ...(entry.srvShardOptimizedConnectionString
        ? { srvShardOptimizedConnectionString: entry.srvShardOptimizedConnectionString }
        : {}),
    }));
}

const EVERY_REGION =
  'Atlas gives private endpoint strings only when every region the cluster has nodes in has a private endpoint';

/** Why the endpoint cannot give this cluster strings, or undefined when it can (and the strings may yet come). */
function notCoveredReason(cluster: ClusterDescription, location: EndpointLocation): string | undefined {
  if (cluster.stateName === 'DELETING') return 'the cluster is being deleted';
  const regions = nodeRegionsOf(cluster);
  if (regions.some((r) => r.provider === 'TENANT')) {
    return 'a shared-tier cluster (M0 or Flex): private endpoints need a dedicated cluster (M10 or larger)';
  }
  const known = regions.filter((r) => r.region !== undefined);
  // Atlas left the regions out: nothing proves the endpoint cannot serve it; the timeout bounds the wait.
  if (known.length < regions.length || known.length === 0) return undefined;
  if (!known.some((r) => r.provider === 'AWS' && r.region === location.region)) {
    const where = known.map((r) => (r.provider === 'AWS' ? r.region : `${r.provider} ${r.region}`));
    return `no nodes in ${location.region}, where this endpoint is (its nodes are in ${where.join(', ')})`;
  }
  const otherProviders = known.filter((r) => r.provider !== 'AWS');
  if (otherProviders.length > 0) {
    const where = otherProviders.map((r) => `${r.provider} ${r.region}`).join(', ');
    return `nodes in ${where} too, which an AWS endpoint does not reach: ${EVERY_REGION}`;
  }
  const withEndpoints = location.regionsWithEndpoints;
  if (withEndpoints === undefined) return undefined;
  const uncovered = known
    .map((r) => r.region as string)
    .filter((region) => region !== location.region && !withEndpoints.has(region));
  if (uncovered.length > 0) {
    const plural = uncovered.length > 1;
    return `nodes in ${uncovered.join(', ')} too, which ${plural ? 'have' : 'has'} no private endpoint in this project: ${EVERY_REGION}`;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------
// The loop

/** What the workflow adds to its result once it stops looking. */
export interface ConnectionStringsOutcome {
  readonly connectionStrings: ConnectionString[];
  readonly clustersNotCovered: ClusterNotCovered[];
  /** Set when there is something to know: no cluster, a timeout, a failed read. */
  readonly connectionStringsNote?: string;
}

/** The loop's state between reads, carried in the state machine (`$.strings`). */
export interface ConnectionStringsState {
  readonly reads: number;
  /** Epoch ms of the first read. */
  readonly startedAt: number;
  readonly next: StringsNext;
  readonly waitSeconds: number;
  readonly waitingFor: string[];
  /** Once DONE. */
  readonly outcome?: ConnectionStringsOutcome;
}

/**
 * Folds one read into the loop: DONE when no cluster the endpoint can serve is still without strings for it,
 * when the request does not wait (`timeoutSeconds` 0), or when the next read would come after the timeout
 * or the loop's bound; otherwise WAIT for the next read.
 */
export function nextConnectionStringsState(args: {
  readonly previous: { readonly reads: number; readonly startedAt?: number | undefined };
  readonly judgement: ClusterJudgement;
  readonly region: string;
  readonly timeoutSeconds: number;
  readonly now: number;
  readonly random: () => number;
}): ConnectionStringsState {
  const { judgement, timeoutSeconds, now } = args;
  const reads = args.previous.reads + 1;
  const startedAt = args.previous.startedAt ?? now;
  const waitSeconds = waitBeforeRead(reads, args.random);
  const base = { reads, startedAt, waitingFor: judgement.waitingFor };
  if (judgement.waitingFor.length === 0) {
    return { ...base, next: StringsNext.DONE, waitSeconds: 0, outcome: outcomeOf(judgement, args.region) };
  }
  const deadline = startedAt + timeoutSeconds * 1000;
  if (
    timeoutSeconds === 0 ||
    now + waitSeconds * 1000 > deadline ||
    reads >= ConnectionStringSchedule.maxReads
  ) {
    const why =
      timeoutSeconds === 0
        ? 'not waited for (connectionStringTimeoutSeconds is 0)'
        : `Atlas did not list this endpoint in its connection strings within ${timeoutSeconds} s`;
    return {
      ...base,
      next: StringsNext.DONE,
      waitSeconds: 0,
      outcome: {
        connectionStrings: judgement.connectionStrings,
        clustersNotCovered: [
          ...judgement.clustersNotCovered,
          ...judgement.waitingFor.map((clusterName) => ({ clusterName, reason: why })),
        ],
        connectionStringsNote:
          `no connection string yet for ${judgement.waitingFor.join(', ')}: ${why}. The endpoint is AVAILABLE; ` +
          'Atlas adds its strings to the cluster (connectionStrings.privateEndpoint) once it has updated it.',
      },
    };
  }
  return { ...base, next: StringsNext.WAIT, waitSeconds };
}

function outcomeOf(judgement: ClusterJudgement, region: string): ConnectionStringsOutcome {
  const { connectionStrings, clustersNotCovered } = judgement;
  if (judgement.clusterCount === 0) {
    return {
      connectionStrings,
      clustersNotCovered,
      connectionStringsNote: `the project has no cluster yet; once one runs in ${region}, Atlas lists this endpoint in its connection strings (connectionStrings.privateEndpoint)`,
    };
  }
  if (connectionStrings.length === 0) {
    return {
      connectionStrings,
      clustersNotCovered,
      connectionStringsNote:
        'no cluster of the project can be reached through this endpoint (see clustersNotCovered)',
    };
  }
  return { connectionStrings, clustersNotCovered };
}

/** Seconds to wait before read number `reads + 1`. */
function waitBeforeRead(reads: number, random: () => number): number {
  const initial = ConnectionStringSchedule.initialWaitsSeconds[reads - 1];
  if (initial !== undefined) return initial;
  return (
    ConnectionStringSchedule.steadyWaitSeconds -
    Math.floor(random() * (ConnectionStringSchedule.jitterSeconds + 1))
  );
}
