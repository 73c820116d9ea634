/**
 * Connection strings, end to end: a provisioning through the local API and the synthesized state machine
 * looks for its strings in the project's clusters after AVAILABLE, against the Atlas emulator's clusters.
 * Every run succeeds (the endpoint works); what differs is what the result says about the clusters.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowEvents } from '../../infra/AtlasPrivateEndpointWorkflow';
import type { AvailableResult } from '../../lambdas/domain/workflowState';
import type { AtlasScript } from '../../local/atlas-emulator';
import { type OfflineEnvironment, startOfflineEnvironment } from '../../local/offline/OfflineEnvironment';
import { runScenario } from '../../local/offline/runScenario';

let env: OfflineEnvironment;
let runs = 0;

beforeAll(async () => {
  // A short retry deadline: Atlas's 500s run out the client's retries in a moment, not 20 s.
  env = await startOfflineEnvironment({ scenario: { clusters: [] }, atlasRetryDeadlineMs: 300 });
});

afterAll(async () => {
  await env?.close();
});

interface Run {
  readonly result: AvailableResult;
  /** Reads of the cluster list, and of the project's AWS endpoint services after AVAILABLE. */
  readonly clusterReads: number;
  readonly serviceListsAfterAvailable: number;
  /** Virtual seconds from AVAILABLE to the end. */
  readonly secondsLookingForStrings: number;
}

/** Provisions with the Atlas emulator's `clusters` and the request's `connectionStringTimeoutSeconds`. */
async function provision(
  clusters: NonNullable<AtlasScript['clusters']>,
  request: Record<string, unknown> = {},
  faults: AtlasScript['faults'] = [],
): Promise<Run> {
  env.atlas.setScript({ clusters, faults });
  const logStart = env.atlas.requestLog.length;
  runs += 1;
  const report = await runScenario(env, {
    request: { ...env.request, ...request },
    idempotencyKey: `connection-strings-${runs}`,
  });
  expect(report.status, JSON.stringify(report.error)).toBe('SUCCEEDED');
  const execution = env.aws.executions.find((e) => e.name === report.executionId);
  const result = JSON.parse(execution?.output ?? '{}') as AvailableResult;
  const log = env.atlas.requestLog.slice(logStart).filter((r) => r.status !== 401);
  const clusterReads = log.filter((r) => r.path.endsWith('/clusters')).length;
  const firstClusterRead = log.find((r) => r.path.endsWith('/clusters'))?.at ?? 0;
  return {
    result,
    clusterReads,
    serviceListsAfterAvailable: log.filter(
      (r) => r.at >= firstClusterRead && r.method === 'GET' && r.path.endsWith('/AWS/endpointService'),
    ).length,
    secondsLookingForStrings: Math.round((result.durationSeconds - result.availableAfterSeconds) * 1),
  };
}

describe('connection strings after AVAILABLE', () => {
  it('returns the strings of a single-region cluster once Atlas lists the endpoint, in the output and the event', async () => {
    const run = await provision([{ name: 'Cluster0', regions: ['US_EAST_1'] }]);

    expect(run.result.connectionStrings).toEqual([
      {
        clusterName: 'Cluster0',
        type: 'MONGOD',
        connectionString: expect.stringMatching(/^mongodb:\/\/cluster0-pl-0-us-east-1\..*replicaSet=/),
        srvConnectionString: expect.stringMatching(/^mongodb\+srv:\/\/cluster0-pl-0\./),
      },
    ]);
    expect(run.result.clustersNotCovered).toEqual([]);
    expect(run.result).not.toHaveProperty('connectionStringsNote');
    expect(run.clusterReads).toBe(1);
    const event = env.aws.events.find(
      (e) =>
        e.detailType === WorkflowEvents.available &&
        (e.detail as AvailableResult).executionName === run.result.executionName,
    );
    expect((event?.detail as AvailableResult | undefined)?.connectionStrings).toEqual(
      run.result.connectionStrings,
    );
  });

  it('gives a sharded cluster its shard-optimized SRV string', async () => {
    const run = await provision([{ name: 'Shards', regions: ['US_EAST_1'], type: 'SHARDED' }]);

    expect(run.result.connectionStrings).toEqual([
      expect.objectContaining({
        clusterName: 'Shards',
        type: 'MONGOS',
        srvShardOptimizedConnectionString: expect.stringMatching(/^mongodb\+srv:\/\/shards-pl-\d+-lb\./),
      }),
    ]);
  });

  it('reports a multi-region cluster with a region without endpoints as not covered, without waiting for it', async () => {
    const run = await provision([
      { name: 'Cluster0', regions: ['US_EAST_1'] },
      { name: 'Global', regions: ['US_EAST_1', 'EU_WEST_1'] },
      { name: 'Europe', regions: ['EU_WEST_1'] },
    ]);

    expect(run.result.connectionStrings.map((s) => s.clusterName)).toEqual(['Cluster0']);
    expect(run.result.clustersNotCovered).toEqual([
      {
        clusterName: 'Global',
        reason: expect.stringMatching(
          /^nodes in EU_WEST_1 too, which has no private endpoint in this project/,
        ),
      },
      { clusterName: 'Europe', reason: expect.stringContaining('no nodes in US_EAST_1') },
    ]);
    expect(run.clusterReads).toBe(1);
    expect(run.serviceListsAfterAvailable).toBe(1);
    expect(run.secondsLookingForStrings).toBe(0);
  });

  it('succeeds with no strings and a note when the project has no cluster', async () => {
    const run = await provision([]);

    expect(run.result.connectionStrings).toEqual([]);
    expect(run.result.clustersNotCovered).toEqual([]);
    expect(run.result.connectionStringsNote).toContain('the project has no cluster yet');
    expect(run.clusterReads).toBe(1);
  });

  it('waits for strings that arrive late: reads at once, then after 30, 60 and 90 s', async () => {
    const run = await provision([{ name: 'Cluster0', regions: ['US_EAST_1'], stringsAfterReads: 3 }]);

    expect(run.result.connectionStrings.map((s) => s.clusterName)).toEqual(['Cluster0']);
    expect(run.clusterReads).toBe(4);
    expect(run.secondsLookingForStrings).toBe(30 + 60 + 90);
  });

  it('succeeds when strings never arrive, stating it, once connectionStringTimeoutSeconds has run out', async () => {
    const run = await provision([{ name: 'Cluster0', regions: ['US_EAST_1'], stringsAfterReads: 1000 }], {
      connectionStringTimeoutSeconds: 120,
    });

    expect(run.result.status).toBe('AVAILABLE');
    expect(run.result.connectionStrings).toEqual([]);
    expect(run.result.clustersNotCovered).toEqual([
      { clusterName: 'Cluster0', reason: expect.stringContaining('within 120 s') },
    ]);
    expect(run.result.connectionStringsNote).toContain('no connection string yet for Cluster0');
    // Reads at 0, 30 and 90 s; the next (after 90 s more) would come after the 120 s.
    expect(run.clusterReads).toBe(3);
    expect(run.secondsLookingForStrings).toBeLessThanOrEqual(120);
  });

  it('reads once and does not wait with connectionStringTimeoutSeconds 0', async () => {
    const run = await provision([{ name: 'Cluster0', regions: ['US_EAST_1'], stringsAfterReads: 1 }], {
      connectionStringTimeoutSeconds: 0,
    });

    expect(run.clusterReads).toBe(1);
    expect(run.result.clustersNotCovered).toEqual([
      { clusterName: 'Cluster0', reason: 'not waited for (connectionStringTimeoutSeconds is 0)' },
    ]);
  });

  it('still succeeds, with the endpoint in place, when Atlas fails every read of the clusters', async () => {
    const run = await provision([{ name: 'Cluster0', regions: ['US_EAST_1'] }], {}, [
      { path: '/clusters', status: 500, times: -1 },
    ]);

    expect(run.result.status).toBe('AVAILABLE');
    expect(run.result.connectionStrings).toEqual([]);
    expect(run.result.connectionStringsNote).toContain(
      'could not read the clusters of the project (AtlasServerError)',
    );
    expect(run.result.availableAfterSeconds).toBe(run.result.durationSeconds);
    expect(env.atlas.endpoints().map((e) => e.endpointId)).toContain(run.result.vpcEndpointId);
    expect(run.clusterReads).toBeGreaterThan(1);
  });
});
