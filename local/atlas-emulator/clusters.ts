/**
 * The clusters of the emulator's projects, as `GET /groups/{groupId}/clusters` answers them in the
 * `application/vnd.atlas.2024-08-05+json` schema (`PaginatedClusterDescription20240805`): private endpoint
 * connection strings appear only once every region the cluster has nodes in has an AVAILABLE private
 * endpoint, and then only after the scripted number of reads (Atlas adds them minutes later).
 */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../shared/model';
import { objectId } from './naming';
import type { AtlasClusterScript } from './script';

/** An AVAILABLE AWS private endpoint of the project, in Atlas's region form. */
export interface AvailableEndpoint {
  readonly endpointId: string;
  readonly region: string;
}

/** What the emulator holds for one cluster of one project. */
interface ClusterRecord {
  readonly script: AtlasClusterScript;
  readonly id: string;
  /** The part of every host name Atlas gives the cluster (`cluster0.ab1cd.mongodb.net`). */
  readonly hostKey: string;
  readonly specIds: readonly string[];
  /** Reads since each endpoint combination became eligible, by its key. */
  readonly readsSinceEligible: Map<string, number>;
}

const hostKey = () =>
  [...randomBytes(5)].map((b) => 'abcdefghijklmnopqrstuvwxyz0123456789'[b % 36] as string).join('');

/** The clusters of every project: the script's, created for a project on its first read. */
export class ClusterModel {
  readonly #clock: Clock;
  readonly #byProject = new Map<string, ClusterRecord[]>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  reset(): void {
    this.#byProject.clear();
  }

  /**
   * The project's clusters, in script order: created on first use, and kept in step with the script (a
   * cluster the script no longer names is gone, a new one appears; one it still names keeps its ids and reads).
   */
  clusters(groupId: string, script: readonly AtlasClusterScript[]): readonly ClusterRecord[] {
    const existing = new Map((this.#byProject.get(groupId) ?? []).map((r) => [r.script.name, r]));
    const records = script.map((cluster): ClusterRecord => {
      const known = existing.get(cluster.name);
      if (known) return { ...known, script: cluster };
      return {
        script: cluster,
        id: objectId(this.#clock),
        hostKey: hostKey(),
        specIds: (cluster.type === 'SHARDED' ? [0, 1] : [0]).map(() => objectId(this.#clock)),
        readsSinceEligible: new Map(),
      };
    });
    this.#byProject.set(groupId, records);
    return records;
  }

  /**
   * One API read of a cluster: counts the read against every endpoint combination that can serve it, and
   * answers the cluster with the strings of those that have waited out `stringsAfterReads`.
   */
  read(
    groupId: string,
    record: ClusterRecord,
    available: readonly AvailableEndpoint[],
  ): Record<string, unknown> {
    const combinations = endpointCombinations(record.script.regions, available);
    const keys = new Set(combinations.map((c) => c.key));
    for (const key of [...record.readsSinceEligible.keys()]) {
      if (!keys.has(key)) record.readsSinceEligible.delete(key);
    }
    const shown: EndpointCombination[] = [];
    for (const combination of combinations) {
      const reads = (record.readsSinceEligible.get(combination.key) ?? 0) + 1;
      record.readsSinceEligible.set(combination.key, reads);
      if (reads > (record.script.stringsAfterReads ?? 0)) shown.push(combination);
    }
    return clusterJson(groupId, record, shown);
  }
}

interface EndpointCombination {
  readonly key: string;
  readonly endpoints: readonly AvailableEndpoint[];
}

/**
 * The endpoint combinations a cluster's strings go through: one endpoint per region of the cluster. With
 * several endpoints in a region, the i-th combination takes each region's i-th (or last) endpoint, so every
 * endpoint appears in at least one combination. None when a region has no AVAILABLE endpoint.
 */
function endpointCombinations(
  regions: readonly string[],
  available: readonly AvailableEndpoint[],
): EndpointCombination[] {
  const perRegion = regions.map((region) => available.filter((e) => e.region === region));
  if (perRegion.some((endpoints) => endpoints.length === 0)) return [];
  const count = Math.max(...perRegion.map((endpoints) => endpoints.length));
  return Array.from({ length: count }, (_, i) => {
    const endpoints = perRegion.map((list) => list[Math.min(i, list.length - 1)] as AvailableEndpoint);
    return { key: endpoints.map((e) => e.endpointId).join('+'), endpoints };
  });
}

function clusterJson(
  groupId: string,
  record: ClusterRecord,
  shown: readonly EndpointCombination[],
): Record<string, unknown> {
  const { script, hostKey: key } = record;
  const name = script.name;
  const lower = name.toLowerCase();
  const sharded = script.type === 'SHARDED';
  const host = (prefix: string) => `${prefix}.${key}.mongodb.net`;
  const seeds = (prefix: string, ports: readonly number[]) =>
    ports.map((p) => `${host(prefix)}:${p}`).join(',');
  const privateEndpoint = shown.map((combination, index) => {
    const pl = `pl-${index}-${(combination.endpoints[0] as AvailableEndpoint).region.toLowerCase().replace(/_/g, '-')}`;
    const endpoints = combination.endpoints.map((e) => ({
      endpointId: e.endpointId,
      providerName: 'AWS',
      region: e.region,
    }));
    return sharded
      ? {
          connectionString: `mongodb://${seeds(`${lower}-${pl}`, [1024, 1025, 1026])}/?ssl=true&authSource=admin`,
          endpoints,
          srvConnectionString: `mongodb+srv://${host(`${lower}-pl-${index}`)}`,
          srvShardOptimizedConnectionString: `mongodb+srv://${host(`${lower}-pl-${index}-lb`)}`,
          type: 'MONGOS',
        }
      : {
          connectionString: `mongodb://${seeds(`${lower}-${pl}`, [1024, 1025, 1026])}/?ssl=true&authSource=admin&replicaSet=atlas-${key}-shard-0`,
          endpoints,
          srvConnectionString: `mongodb+srv://${host(`${lower}-pl-${index}`)}`,
          type: 'MONGOD',
        };
  });
  return {
    clusterType: sharded ? 'SHARDED' : 'REPLICASET',
    connectionStrings: {
      privateEndpoint,
      standard: `mongodb://${seeds(`${lower}-shard-00`, [27017])}/?ssl=true&authSource=admin`,
      standardSrv: `mongodb+srv://${host(lower)}`,
    },
    groupId,
    id: record.id,
    mongoDBVersion: '8.0.4',
    name,
    paused: false,
    replicationSpecs: record.specIds.map((id, shard) => ({
      id,
      regionConfigs: script.regions.map((regionName, i) => ({
        electableSpecs: { instanceSize: 'M10', nodeCount: i === 0 ? 3 : 2 },
        priority: Math.max(0, 7 - i),
        providerName: 'AWS',
        regionName,
      })),
      zoneName: `Zone ${shard + 1}`,
    })),
    stateName: 'IDLE',
  };
}
