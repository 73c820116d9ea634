/**
 * The edges of the sweep: each tag it needs missing on its own, the grace period to the millisecond, an
 * endpoint without a creation time, executions asked about once, grouping by execution and service, the
 * statuses that mean "still running", unknown executions when told to sweep them, and sweeping until
 * settled. EC2, Step Functions and Atlas are in memory and remember what was asked of them.
 */
import { describe, expect, it } from 'vitest';
import type { VpcEndpointView } from '../../lambdas/adapters/VpcEndpoints';
import { ManagedTag } from '../../lambdas/domain/request';
import { AtlasAuthError, AtlasNotFoundError } from '../../lambdas/errors';
import { KeptReason, type SweepPorts, sweep, sweepUntilSettled } from '../../lambdas/services/sweep';

const MANAGED_BY = 'AtlasPrivateLink';
const GROUP = '5f0c1a2b3c4d5e6f7a8b9c0d';
const SERVICE = '6b0a0000000000000000abcd';
const OTHER_SERVICE = '6b0a0000000000000000abce';
const NOW = Date.parse('2026-11-28T12:00:00Z');
const HOUR = 3_600_000;
const GRACE_SECONDS = 7200;
const options = { managedBy: MANAGED_BY, now: NOW, graceSeconds: GRACE_SECONDS };

const vpce = (n: number) => `vpce-${n.toString(16).padStart(17, '0')}`;

/** EC2, Step Functions and Atlas in memory; `calls` lists the requests in order. */
function world() {
  const endpoints = new Map<string, VpcEndpointView>();
  const registrations = new Set<string>();
  const statuses = new Map<string, string>();
  const atlasFailures = new Map<string, Error>();
  const calls: string[] = [];
  const add = (
    id: string,
    tags: Partial<Record<'execution' | 'groupId' | 'endpointServiceId' | 'managedBy', string | undefined>>,
    options: { createdAt?: string | undefined; state?: string } = {},
  ) => {
    const all = { managedBy: MANAGED_BY, groupId: GROUP, endpointServiceId: SERVICE, ...tags };
    endpoints.set(id, {
      vpcEndpointId: id,
      state: options.state ?? 'available',
      serviceName: 'com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0',
      vpcId: 'vpc-0123456789abcdef0',
      securityGroupIds: [],
      tags: Object.fromEntries(
        Object.entries(all)
          .filter(([, value]) => value !== undefined)
          .map(([key, value]) => [ManagedTag[key as keyof typeof ManagedTag], value as string]),
      ),
      ...('createdAt' in options
        ? options.createdAt === undefined
          ? {}
          : { createdAt: options.createdAt }
        : { createdAt: new Date(NOW - 3 * HOUR).toISOString() }),
    });
    registrations.add(id);
  };
  const ports: SweepPorts = {
    vpc: {
      findByTag: async (key, value) => {
        calls.push(`ec2 find ${key}=${String(value)}`);
        return [...endpoints.values()].filter((e) => e.tags[key] === value);
      },
      describe: async (id) => {
        calls.push(`ec2 describe ${id}`);
        return endpoints.get(id);
      },
      delete: async (ids) => {
        calls.push(`ec2 delete ${ids.join(',')}`);
        for (const id of ids) {
          const e = endpoints.get(id);
          if (e) endpoints.set(id, { ...e, state: 'deleted' });
        }
        return { deleted: [...ids], notFound: [], failed: [] };
      },
    },
    executions: {
      describe: async (name) => {
        calls.push(`sfn describe ${name}`);
        const status = statuses.get(name);
        return status === undefined
          ? undefined
          : { status, startedAt: new Date(NOW - 24 * HOUR).toISOString() };
      },
    },
    atlas: async () =>
      ({
        getEndpoint: async (_g: string, _p: string, service: string, id: string) => {
          calls.push(`atlas get ${service}/${id}`);
          const failure = atlasFailures.get(id);
          if (failure) throw failure;
          if (!registrations.has(id)) throw new AtlasNotFoundError({ status: 404 });
          return { connectionStatus: 'AVAILABLE', deleteRequested: false, errorMessage: null };
        },
        deleteEndpoint: async (_g: string, _p: string, service: string, id: string) => {
          calls.push(`atlas delete ${service}/${id}`);
          registrations.delete(id);
          return { deleted: true };
        },
      }) as never,
  };
  return { ports, add, endpoints, statuses, atlasFailures, calls };
}

describe('sweep keeps an endpoint missing a tag it needs', () => {
  it.each([
    ['the execution tag', { execution: undefined }],
    ['the group-id tag', { groupId: undefined }],
    ['the endpoint-service-id tag', { endpointServiceId: undefined }],
    ['an empty execution tag', { execution: '' }],
  ])('without %s, as untagged, asking nobody about it', async (_what, tags) => {
    // Prepare
    const w = world();
    w.add(vpce(1), { execution: 'exec-failed', ...tags });
    w.statuses.set('exec-failed', 'FAILED');

    // Act
    const report = await sweep(w.ports, options);

    // Assess
    expect(report.kept).toMatchObject([
      { vpcEndpointId: vpce(1), reason: KeptReason.untagged, state: 'available' },
    ]);
    expect(report.orphans).toStrictEqual([]);
    expect(w.calls).toStrictEqual([`ec2 find ${ManagedTag.managedBy}=${MANAGED_BY}`]);
  });

  it('reports no execution name for an endpoint without the tag, and the name for one with it', async () => {
    const w = world();
    w.add(vpce(1), { execution: undefined });
    w.add(vpce(2), { execution: 'exec-running' });
    w.statuses.set('exec-running', 'RUNNING');

    const report = await sweep(w.ports, options);

    expect(report.kept).toStrictEqual([
      { vpcEndpointId: vpce(1), reason: KeptReason.untagged, state: 'available' },
      {
        vpcEndpointId: vpce(2),
        reason: KeptReason.running,
        state: 'available',
        executionName: 'exec-running',
      },
    ]);
  });
});

describe('sweep and the grace period', () => {
  it('sweeps an endpoint exactly the grace period old, and keeps one a millisecond younger', async () => {
    // Prepare
    const w = world();
    w.add(
      vpce(1),
      { execution: 'exec-a' },
      { createdAt: new Date(NOW - GRACE_SECONDS * 1000).toISOString() },
    );
    w.add(
      vpce(2),
      { execution: 'exec-b' },
      { createdAt: new Date(NOW - GRACE_SECONDS * 1000 + 1).toISOString() },
    );
    w.statuses.set('exec-a', 'FAILED');
    w.statuses.set('exec-b', 'FAILED');

    // Act
    const report = await sweep(w.ports, { ...options, dryRun: true });

    // Assess
    expect(report.orphans.map((o) => o.vpcEndpointIds)).toStrictEqual([[vpce(1)]]);
    expect(report.kept).toMatchObject([{ vpcEndpointId: vpce(2), reason: KeptReason.young }]);
  });

  it('keeps an endpoint whose creation time EC2 did not report, as young', async () => {
    const w = world();
    w.add(vpce(1), { execution: 'exec-failed' }, { createdAt: undefined });
    w.statuses.set('exec-failed', 'FAILED');

    const report = await sweep(w.ports, options);

    expect(report.kept).toMatchObject([{ vpcEndpointId: vpce(1), reason: KeptReason.young }]);
    expect(w.calls.some((c) => c.startsWith('sfn'))).toBe(false);
  });
});

describe('sweep and executions', () => {
  it('asks Step Functions about each execution once, however many endpoints name it', async () => {
    const w = world();
    w.add(vpce(1), { execution: 'exec-failed' });
    w.add(vpce(2), { execution: 'exec-failed' });
    w.statuses.set('exec-failed', 'FAILED');

    await sweep(w.ports, { ...options, dryRun: true });

    expect(w.calls.filter((c) => c.startsWith('sfn'))).toStrictEqual(['sfn describe exec-failed']);
  });

  it('keeps the endpoint of an execution waiting to be redriven, as running', async () => {
    const w = world();
    w.add(vpce(1), { execution: 'exec-redrive' });
    w.statuses.set('exec-redrive', 'PENDING_REDRIVE');

    const report = await sweep(w.ports, options);

    expect(report.kept).toMatchObject([{ vpcEndpointId: vpce(1), reason: KeptReason.running }]);
    expect(w.calls.some((c) => c.startsWith('atlas') || c.startsWith('ec2 delete'))).toBe(false);
  });

  it('sweeps the endpoint of an execution Step Functions does not know when told to, as UNKNOWN', async () => {
    const w = world();
    w.add(vpce(1), { execution: 'exec-expired' });

    const report = await sweep(w.ports, { ...options, sweepUnknownExecutions: true });

    expect(report.orphans).toStrictEqual([
      {
        executionName: 'exec-expired',
        executionStatus: 'UNKNOWN',
        groupId: GROUP,
        endpointServiceId: SERVICE,
        vpcEndpointIds: [vpce(1)],
        endpoints: [{ vpcEndpointId: vpce(1), state: 'available' }],
      },
    ]);
    expect(w.calls).toContain(`atlas delete ${SERVICE}/${vpce(1)}`);
  });

  it('keeps the endpoint of a succeeded execution when no deprovisionings are known', async () => {
    const w = world();
    w.add(vpce(1), { execution: 'exec-ok' });
    w.statuses.set('exec-ok', 'SUCCEEDED');

    const report = await sweep(w.ports, options);

    expect(report.kept).toMatchObject([{ vpcEndpointId: vpce(1), reason: KeptReason.succeeded }]);
  });

  it('asks for deprovisionings of succeeded provisionings only', async () => {
    const w = world();
    w.add(vpce(1), { execution: 'exec-ok' });
    w.add(vpce(2), { execution: 'exec-failed' });
    w.statuses.set('exec-ok', 'SUCCEEDED');
    w.statuses.set('exec-failed', 'FAILED');
    const asked: string[] = [];

    await sweep(
      {
        ...w.ports,
        deprovisionings: {
          latestStatus: async (name) => {
            asked.push(name);
            return undefined;
          },
        },
      },
      { ...options, dryRun: true },
    );

    expect(asked).toStrictEqual(['exec-ok']);
  });

  it('finishes a deprovisioning that timed out', async () => {
    const w = world();
    w.add(vpce(1), { execution: 'exec-ok' });
    w.statuses.set('exec-ok', 'SUCCEEDED');

    const report = await sweep(
      { ...w.ports, deprovisionings: { latestStatus: async () => 'TIMED_OUT' } },
      { ...options, dryRun: true },
    );

    expect(report.orphans).toMatchObject([{ executionName: 'exec-ok', executionStatus: 'SUCCEEDED' }]);
  });

  it('keeps an endpoint whose deprovisioning waits to be redriven, as deprovisioning', async () => {
    const w = world();
    w.add(vpce(1), { execution: 'exec-ok' });
    w.statuses.set('exec-ok', 'SUCCEEDED');

    const report = await sweep(
      { ...w.ports, deprovisionings: { latestStatus: async () => 'PENDING_REDRIVE' } },
      options,
    );

    expect(report.kept).toMatchObject([{ reason: KeptReason.deprovisioning }]);
  });
});

describe('sweep groups and reports', () => {
  it('removes one execution’s endpoints together per endpoint service', async () => {
    // Prepare
    const w = world();
    w.add(vpce(1), { execution: 'exec-failed' });
    w.add(vpce(2), { execution: 'exec-failed' });
    w.add(vpce(3), { execution: 'exec-failed', endpointServiceId: OTHER_SERVICE });
    w.statuses.set('exec-failed', 'FAILED');

    // Act
    const report = await sweep(w.ports, options);

    // Assess
    expect(report.orphans.map((o) => [o.endpointServiceId, o.vpcEndpointIds])).toStrictEqual([
      [SERVICE, [vpce(1), vpce(2)]],
      [OTHER_SERVICE, [vpce(3)]],
    ]);
    expect(w.calls.filter((c) => c.startsWith('atlas delete'))).toStrictEqual([
      `atlas delete ${SERVICE}/${vpce(1)}`,
      `atlas delete ${SERVICE}/${vpce(2)}`,
      `atlas delete ${OTHER_SERVICE}/${vpce(3)}`,
    ]);
    expect(report.remaining).toStrictEqual([vpce(1), vpce(2), vpce(3)]);
  });

  it('reports what cannot be removed by retrying, with why', async () => {
    const w = world();
    w.add(vpce(1), { execution: 'exec-failed' });
    w.statuses.set('exec-failed', 'FAILED');
    w.atlasFailures.set(vpce(1), new AtlasAuthError({ status: 401, detail: 'Unauthorized' }));

    const report = await sweep(w.ports, options);

    expect(report).toMatchObject({
      remaining: [],
      abandoned: [{ id: vpce(1), reason: 'Atlas answered 401: Unauthorized' }],
      dryRun: false,
    });
  });

  it('examines only the endpoints this deployment manages, counting deleted ones', async () => {
    const w = world();
    w.add(vpce(1), { execution: 'exec-running' }, { state: 'deleted' });
    w.add(vpce(2), { execution: 'exec-running', managedBy: 'AnotherDeployment' });
    w.statuses.set('exec-running', 'RUNNING');

    const report = await sweep(w.ports, options);

    expect(report.examined).toBe(1);
    expect(report.kept).toStrictEqual([
      { vpcEndpointId: vpce(1), reason: KeptReason.running, state: 'deleted', executionName: 'exec-running' },
    ]);
  });

  it('ignores an endpoint the tag search returns with another managed-by value', async () => {
    // EC2's tag filter is trusted only as far as the tags the endpoint itself shows.
    const w = world();
    w.add(vpce(1), { execution: 'exec-failed', managedBy: 'AnotherDeployment' });
    w.statuses.set('exec-failed', 'FAILED');
    const ports: SweepPorts = {
      ...w.ports,
      vpc: { ...w.ports.vpc, findByTag: async () => [...w.endpoints.values()] },
    };

    const report = await sweep(ports, options);

    expect(report).toMatchObject({ examined: 0, orphans: [], kept: [] });
  });
});

describe('sweepUntilSettled', () => {
  const settle = (w: ReturnType<typeof world>, overrides: { dryRun?: boolean; maxPasses?: number } = {}) => {
    const pauses: number[] = [];
    let clock = NOW;
    const run = sweepUntilSettled(w.ports, {
      managedBy: MANAGED_BY,
      graceSeconds: GRACE_SECONDS,
      now: () => clock,
      maxPasses: overrides.maxPasses ?? 10,
      pause: async () => {
        pauses.push(clock);
        clock += 60_000;
      },
      ...(overrides.dryRun === undefined ? {} : { dryRun: overrides.dryRun }),
    });
    return { run, pauses };
  };

  it('passes until nothing is under way, pausing between passes and not before the first', async () => {
    // Prepare: the registration goes on the first pass, the VPC endpoint on the second, gone on the third.
    const w = world();
    w.add(vpce(1), { execution: 'exec-failed' });
    w.statuses.set('exec-failed', 'FAILED');

    // Act
    const { run, pauses } = settle(w);
    const reports = await run;

    // Assess
    expect(reports.map((r) => r.remaining)).toStrictEqual([[vpce(1)], [vpce(1)], []]);
    expect(pauses).toStrictEqual([NOW, NOW + 60_000]);
  });

  it('stops after maxPasses even when something is still under way', async () => {
    const w = world();
    w.add(vpce(1), { execution: 'exec-failed' });
    w.statuses.set('exec-failed', 'FAILED');

    const reports = await settle(w, { maxPasses: 2 }).run;

    expect(reports).toHaveLength(2);
    expect(reports[1]?.remaining).toStrictEqual([vpce(1)]);
  });

  it('makes one pass on a dry run', async () => {
    const w = world();
    w.add(vpce(1), { execution: 'exec-failed' });
    w.statuses.set('exec-failed', 'FAILED');

    const { run, pauses } = settle(w, { dryRun: true });
    const reports = await run;

    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ dryRun: true, orphans: [{ vpcEndpointIds: [vpce(1)] }] });
    expect(pauses).toStrictEqual([]);
  });

  it('makes no pass when maxPasses is 0', async () => {
    expect(await settle(world(), { maxPasses: 0 }).run).toStrictEqual([]);
  });
});
