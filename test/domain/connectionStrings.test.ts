import { describe, expect, it } from 'vitest';
import type { ClusterDescription } from '../../lambdas/atlas/types';
import {
  type ClusterJudgement,
  ConnectionStringSchedule,
  judgeClusters,
  nextConnectionStringsState,
  otherAwsRegions,
  StringsNext,
} from '../../lambdas/domain/connectionStrings';

const VPCE = 'vpce-0123456789abcdef0';
const OTHER_VPCE = 'vpce-0123456789abcdef1';
const HERE = { vpcEndpointId: VPCE, region: 'US_EAST_1' };

const regionConfig = (regionName: string | undefined, providerName = 'AWS') => ({
  providerName,
  ...(regionName ? { regionName } : {}),
});

function cluster(name: string, regions: (string | undefined)[], extra: Partial<ClusterDescription> = {}) {
  return {
    name,
    clusterType: 'REPLICASET',
    stateName: 'IDLE',
    replicationSpecs: [{ regionConfigs: regions.map((r) => regionConfig(r)) }],
    connectionStrings: { privateEndpoint: [] },
    ...extra,
  } satisfies ClusterDescription;
}

const entry = (endpointIds: string[], type = 'MONGOD') => ({
  type,
  connectionString: `mongodb://pl-0.example.mongodb.net:1024/?ssl=true`,
  srvConnectionString: 'mongodb+srv://c-pl-0.example.mongodb.net',
  endpoints: endpointIds.map((endpointId) => ({ endpointId, providerName: 'AWS', region: 'US_EAST_1' })),
});

describe('judgeClusters', () => {
  it('takes the privateEndpoint entries that go through this endpoint, and no other', () => {
    const clusters = [
      cluster('Cluster0', ['US_EAST_1'], {
        connectionStrings: {
          privateEndpoint: [entry([OTHER_VPCE]), entry([VPCE])],
          // Deprecated and peering strings are never read, even when they mention the endpoint.
          awsPrivateLinkSrv: { [VPCE]: 'mongodb+srv://deprecated' },
          privateSrv: 'mongodb+srv://peering',
        },
      }),
    ];

    const judgement = judgeClusters(clusters, HERE);

    expect(judgement.connectionStrings).toEqual([
      {
        clusterName: 'Cluster0',
        type: 'MONGOD',
        connectionString: 'mongodb://pl-0.example.mongodb.net:1024/?ssl=true',
        srvConnectionString: 'mongodb+srv://c-pl-0.example.mongodb.net',
      },
    ]);
    expect(judgement.waitingFor).toEqual([]);
  });

  it('keeps the shard-optimized SRV string of a sharded cluster', () => {
    const clusters = [
      cluster('Shards', ['US_EAST_1'], {
        clusterType: 'SHARDED',
        connectionStrings: {
          privateEndpoint: [
            { ...entry([VPCE], 'MONGOS'), srvShardOptimizedConnectionString: 'mongodb+srv://lb' },
          ],
        },
      }),
    ];

    expect(judgeClusters(clusters, HERE).connectionStrings[0]).toMatchObject({
      type: 'MONGOS',
      srvShardOptimizedConnectionString: 'mongodb+srv://lb',
    });
  });

  it('waits for a cluster in the endpoint’s region that does not list it yet', () => {
    const judgement = judgeClusters([cluster('Cluster0', ['US_EAST_1'])], HERE);

    expect(judgement).toEqual({
      clusterCount: 1,
      connectionStrings: [],
      clustersNotCovered: [],
      waitingFor: ['Cluster0'],
    });
  });

  it.each<[string, ClusterDescription, string]>([
    ['elsewhere only', cluster('Europe', ['EU_WEST_1']), 'no nodes in US_EAST_1, where this endpoint is'],
    ['being deleted', cluster('Gone', ['US_EAST_1'], { stateName: 'DELETING' }), 'being deleted'],
    [
      'shared tier',
      {
        ...cluster('Free', []),
        replicationSpecs: [{ regionConfigs: [regionConfig('US_EAST_1', 'TENANT')] }],
      },
      'shared-tier cluster',
    ],
    [
      'on another cloud too',
      {
        ...cluster('Multi', []),
        replicationSpecs: [
          { regionConfigs: [regionConfig('US_EAST_1'), regionConfig('EUROPE_NORTH', 'AZURE')] },
        ],
      },
      'nodes in AZURE EUROPE_NORTH too',
    ],
  ])('reports a cluster %s as not covered, saying why', (_title, c, reason) => {
    const judgement = judgeClusters([c], HERE);

    expect(judgement.waitingFor).toEqual([]);
    expect(judgement.clustersNotCovered).toEqual([
      { clusterName: c.name, reason: expect.stringContaining(reason) },
    ]);
  });

  it('reports a multi-region cluster not covered when another of its regions has no endpoint', () => {
    const global = cluster('Global', ['US_EAST_1', 'EU_WEST_1', 'AP_SOUTH_1']);

    const judgement = judgeClusters([global], { ...HERE, regionsWithEndpoints: new Set(['EU_WEST_1']) });

    expect(judgement.clustersNotCovered).toEqual([
      {
        clusterName: 'Global',
        reason: expect.stringMatching(
          /^nodes in AP_SOUTH_1 too, which has no private endpoint in this project: Atlas/,
        ),
      },
    ]);
  });

  it('waits for a multi-region cluster whose every other region has an endpoint', () => {
    const global = cluster('Global', ['US_EAST_1', 'EU_WEST_1']);

    const judgement = judgeClusters([global], { ...HERE, regionsWithEndpoints: new Set(['EU_WEST_1']) });

    expect(judgement.waitingFor).toEqual(['Global']);
  });

  it('waits for a cluster whose regions Atlas left out: nothing proves the endpoint cannot serve it', () => {
    expect(judgeClusters([cluster('Unknown', [undefined])], HERE).waitingFor).toEqual(['Unknown']);
  });

  it('reads region names in either form', () => {
    expect(judgeClusters([cluster('Cluster0', ['us-east-1'])], HERE).waitingFor).toEqual(['Cluster0']);
  });
});

describe('otherAwsRegions', () => {
  it('names the other AWS regions of the clusters that have nodes in the endpoint’s region, and only those', () => {
    const clusters = [
      cluster('Global', ['US_EAST_1', 'EU_WEST_1']),
      cluster('Europe', ['EU_CENTRAL_1', 'EU_WEST_2']),
      cluster('Cluster0', ['US_EAST_1']),
    ];

    expect(otherAwsRegions(clusters, 'US_EAST_1')).toEqual(['EU_WEST_1']);
    expect(otherAwsRegions([cluster('Cluster0', ['US_EAST_1'])], 'US_EAST_1')).toEqual([]);
  });
});

describe('nextConnectionStringsState', () => {
  const T0 = Date.parse('2026-03-01T10:00:00Z');
  const judgement = (waitingFor: string[], clusterCount = waitingFor.length): ClusterJudgement => ({
    clusterCount,
    connectionStrings: [],
    clustersNotCovered: [],
    waitingFor,
  });
  const next = (
    previous: { reads: number; startedAt?: number },
    j: ClusterJudgement,
    now: number,
    timeoutSeconds = 1800,
  ) =>
    nextConnectionStringsState({
      previous,
      judgement: j,
      region: 'US_EAST_1',
      timeoutSeconds,
      now,
      random: () => 0.999,
    });

  it('is DONE as soon as no cluster is waited for, with a note for a project without clusters', () => {
    const state = next({ reads: 0 }, judgement([], 0), T0);

    expect(state).toMatchObject({ reads: 1, startedAt: T0, next: StringsNext.DONE });
    expect(state.outcome?.connectionStringsNote).toContain('no cluster yet');
  });

  it('notes when no cluster of the project can be reached through the endpoint', () => {
    const notCovered = {
      ...judgement([], 1),
      clustersNotCovered: [{ clusterName: 'Europe', reason: 'no nodes in US_EAST_1' }],
    };

    expect(next({ reads: 0 }, notCovered, T0).outcome?.connectionStringsNote).toContain(
      'see clustersNotCovered',
    );
  });

  it('waits 30, 60, 90 s, then about two minutes between reads', () => {
    const waits: number[] = [];
    let previous: { reads: number; startedAt?: number } = { reads: 0 };
    let now = T0;
    for (let read = 0; read < 6; read += 1) {
      const state = next(previous, judgement(['Cluster0']), now);
      waits.push(state.waitSeconds);
      now += state.waitSeconds * 1000;
      previous = state;
    }

    expect(waits.slice(0, 3)).toEqual(ConnectionStringSchedule.initialWaitsSeconds);
    for (const wait of waits.slice(3)) {
      expect(wait).toBeGreaterThanOrEqual(
        ConnectionStringSchedule.steadyWaitSeconds - ConnectionStringSchedule.jitterSeconds,
      );
      expect(wait).toBeLessThanOrEqual(ConnectionStringSchedule.steadyWaitSeconds);
    }
  });

  it('stops when the next read would come after the timeout, reporting the clusters waited for', () => {
    const state = next({ reads: 2, startedAt: T0 }, judgement(['Cluster0']), T0 + 90_000, 120);

    expect(state.next).toBe(StringsNext.DONE);
    expect(state.outcome?.clustersNotCovered).toEqual([
      {
        clusterName: 'Cluster0',
        reason: 'Atlas did not list this endpoint in its connection strings within 120 s',
      },
    ]);
    expect(state.outcome?.connectionStringsNote).toMatch(/^no connection string yet for Cluster0/);
  });

  it('reads once and stops with a timeout of 0', () => {
    const state = next({ reads: 0 }, judgement(['Cluster0']), T0, 0);

    expect(state).toMatchObject({ reads: 1, next: StringsNext.DONE });
    expect(state.outcome?.clustersNotCovered[0]?.reason).toBe(
      'not waited for (connectionStringTimeoutSeconds is 0)',
    );
  });

  it('stops at the loop’s own bound of reads, whatever the timeout', () => {
    const state = next(
      { reads: ConnectionStringSchedule.maxReads - 1, startedAt: T0 },
      judgement(['Cluster0']),
      T0 + 1000,
      7200,
    );

    expect(state.next).toBe(StringsNext.DONE);
  });
});
