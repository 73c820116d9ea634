import { afterEach, describe, expect, it } from 'vitest';
import type { VpcEndpointView } from '../../lambdas/adapters/VpcEndpoints';
import type { CreatedVpcEndpoint } from '../../lambdas/domain/executionHistory';
import { ManagedTag } from '../../lambdas/domain/request';
import { AtlasNotFoundError } from '../../lambdas/errors';
import { SweepEnv } from '../../lambdas/handlers/environment';
import { createSweepHandler } from '../../lambdas/handlers/sweep';
import { KeptReason, type SweepPorts, sweep, sweepUntilSettled } from '../../lambdas/services/sweep';
import { silentLogger } from '../handlers/fakeRuntime';

const MANAGED_BY = 'AtlasPrivateLink';
const GROUP = '5f0c1a2b3c4d5e6f7a8b9c0d';
const SERVICE = '6b0a0000000000000000abcd';
const NOW = Date.parse('2026-11-28T12:00:00Z');
const HOUR = 3_600_000;
const VPC = 'vpc-0123456789abcdef0';
const SERVICE_NAME = 'com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0';
/** Executions of this deployment's state machine: the execution tag is `${EXECUTIONS}<name>`. */
const EXECUTIONS = 'arn:aws:states:us-east-1:123456789012:execution:AtlasPrivateLink-Provisioning:';
const arnOf = (name: string) => `${EXECUTIONS}${name}`;

/** EC2, Step Functions and Atlas in memory: each remembers what was asked of it. */
function world() {
  const endpoints = new Map<string, VpcEndpointView>();
  const registrations = new Set<string>();
  const statuses = new Map<string, string>();
  /** When each execution started: a day before NOW unless a test says otherwise. */
  const starts = new Map<string, number>();
  /** What each execution's history shows its create step produced, by execution name. */
  const histories = new Map<string, CreatedVpcEndpoint[]>();
  const historyReads: string[] = [];
  const ec2Deletes: string[] = [];
  const atlasDeletes: string[] = [];
  const add = (
    id: string,
    execution: string | undefined,
    options: {
      ageMs?: number;
      managedBy?: string;
      registered?: boolean;
      /** The execution tag as written, when not this state machine's ARN for `execution`. */
      tag?: string;
      /** What the execution's history recorded of it: `false` for nothing. @default - its own id, VPC and service */
      created?: Partial<CreatedVpcEndpoint> | false;
    } = {},
  ) => {
    const tags: Record<string, string> = {
      [ManagedTag.managedBy]: options.managedBy ?? MANAGED_BY,
      [ManagedTag.groupId]: GROUP,
      [ManagedTag.endpointServiceId]: SERVICE,
      ...(execution ? { [ManagedTag.execution]: options.tag ?? arnOf(execution) } : {}),
    };
    endpoints.set(id, {
      vpcEndpointId: id,
      state: 'available',
      serviceName: SERVICE_NAME,
      vpcId: VPC,
      securityGroupIds: [],
      tags,
      createdAt: new Date(NOW - (options.ageMs ?? 3 * HOUR)).toISOString(),
    });
    if (options.registered ?? true) registrations.add(id);
    if (execution && options.created !== false) {
      histories.set(execution, [
        ...(histories.get(execution) ?? []),
        {
          vpcEndpointId: id,
          vpcId: VPC,
          serviceName: SERVICE_NAME,
          groupId: GROUP,
          endpointServiceId: SERVICE,
          ...options.created,
        },
      ]);
    }
  };
  const nameOf = (arn: string) => (arn.startsWith(EXECUTIONS) ? arn.slice(EXECUTIONS.length) : undefined);
  const ports: SweepPorts = {
    vpc: {
      findByTag: async (key, value) => [...endpoints.values()].filter((e) => e.tags[key] === value),
      describe: async (id) => endpoints.get(id),
      delete: async (ids) => {
        for (const id of ids) {
          ec2Deletes.push(id);
          const e = endpoints.get(id);
          if (e) endpoints.set(id, { ...e, state: 'deleted' });
        }
        return { deleted: [...ids], notFound: [], failed: [] };
      },
    },
    executions: {
      describeArn: async (arn) => {
        const name = nameOf(arn);
        return name !== undefined && statuses.has(name)
          ? {
              name,
              status: statuses.get(name) ?? '',
              startedAt: new Date(starts.get(name) ?? NOW - 24 * HOUR).toISOString(),
            }
          : undefined;
      },
      createdVpcEndpoints: async (arn) => {
        historyReads.push(arn);
        const name = nameOf(arn);
        return name !== undefined && statuses.has(name) ? (histories.get(name) ?? []) : undefined;
      },
    },
    atlas: async () =>
      ({
        getEndpoint: async (_g: string, _p: string, _s: string, id: string) => {
          if (!registrations.has(id)) throw new AtlasNotFoundError({ status: 404 });
          return {
            connectionStatus: 'AVAILABLE',
            deleteRequested: false,
            errorMessage: null,
            interfaceEndpointId: id,
          };
        },
        deleteEndpoint: async (_g: string, _p: string, _s: string, id: string) => {
          atlasDeletes.push(id);
          registrations.delete(id);
          return { deleted: true };
        },
      }) as never,
  };
  return {
    ports,
    add,
    statuses,
    starts,
    histories,
    historyReads,
    registrations,
    endpoints,
    ec2Deletes,
    atlasDeletes,
  };
}

const options = { managedBy: MANAGED_BY, now: NOW, graceSeconds: 7200 };

describe('sweep', () => {
  it("removes a failed execution's endpoint: its Atlas registration first, the VPC endpoint on the next pass", async () => {
    // Prepare
    const w = world();
    w.add('vpce-00000000000000001', 'exec-failed');
    w.statuses.set('exec-failed', 'FAILED');

    // Act
    const first = await sweep(w.ports, options);
    const ec2AfterFirst = [...w.ec2Deletes];
    const second = await sweep(w.ports, options);

    // Assess
    expect(first.orphans).toStrictEqual([
      {
        executionArn: arnOf('exec-failed'),
        executionName: 'exec-failed',
        executionStatus: 'FAILED',
        groupId: GROUP,
        endpointServiceId: SERVICE,
        vpcEndpointIds: ['vpce-00000000000000001'],
        endpoints: [{ vpcEndpointId: 'vpce-00000000000000001', state: 'available' }],
      },
    ]);
    expect(first).toMatchObject({ dryRun: false, abandoned: [], kept: [], examined: 1 });
    expect(w.atlasDeletes).toStrictEqual(['vpce-00000000000000001']);
    expect(ec2AfterFirst).toStrictEqual([]);
    expect(w.ec2Deletes).toStrictEqual(['vpce-00000000000000001']);
    expect(second.remaining).toStrictEqual(['vpce-00000000000000001']); // EC2 deleting until it reads deleted
    expect((await sweep(w.ports, options)).remaining).toStrictEqual([]);
  });

  it('finishes a deprovisioning that ended without success, and leaves one that runs or succeeded', async () => {
    // Prepare
    const w = world();
    const deletions = new Map<string, string>([
      ['exec-deletion-failed', 'FAILED'],
      ['exec-deletion-aborted', 'ABORTED'],
      ['exec-deletion-running', 'RUNNING'],
      ['exec-deletion-done', 'SUCCEEDED'],
    ]);
    for (const [i, name] of [...deletions.keys(), 'exec-never-deleted'].entries()) {
      w.add(`vpce-0000000000000010${i}`, name);
      w.statuses.set(name, 'SUCCEEDED');
    }
    w.add('vpce-00000000000000110', 'exec-failed');
    w.statuses.set('exec-failed', 'FAILED');
    const asked: string[] = [];
    const ports: SweepPorts = {
      ...w.ports,
      deprovisionings: {
        latestStatus: async (name) => {
          asked.push(name);
          return deletions.get(name);
        },
      },
    };

    // Act
    const report = await sweep(ports, options);

    // Assess
    expect(report.orphans.map((o) => [o.executionName, o.executionStatus])).toStrictEqual([
      ['exec-deletion-failed', 'SUCCEEDED'],
      ['exec-deletion-aborted', 'SUCCEEDED'],
      ['exec-failed', 'FAILED'],
    ]);
    expect(w.atlasDeletes.sort()).toStrictEqual([
      'vpce-00000000000000100',
      'vpce-00000000000000101',
      'vpce-00000000000000110',
    ]);
    expect(asked).not.toContain('exec-failed'); // only succeeded provisionings have deprovisionings
    expect(report.kept.map((k) => [k.executionArn, k.reason])).toStrictEqual([
      [arnOf('exec-deletion-running'), KeptReason.deprovisioning],
      [arnOf('exec-deletion-done'), KeptReason.deprovisioned],
      [arnOf('exec-never-deleted'), KeptReason.succeeded],
    ]);
  });

  it('leaves running, succeeded, unknown, young and untagged endpoints alone, and another deployment entirely', async () => {
    // Prepare
    const w = world();
    w.add('vpce-00000000000000002', 'exec-running');
    w.add('vpce-00000000000000013', 'exec-redriving');
    w.statuses.set('exec-redriving', 'PENDING_REDRIVE');
    w.add('vpce-00000000000000003', 'exec-succeeded');
    w.add('vpce-00000000000000004', 'exec-unknown');
    w.add('vpce-00000000000000005', 'exec-failed-young', { ageMs: 10 * 60_000 });
    w.add('vpce-00000000000000006', undefined);
    w.add('vpce-00000000000000007', 'exec-failed', { managedBy: 'another-deployment' });
    w.statuses.set('exec-running', 'RUNNING');
    w.statuses.set('exec-succeeded', 'SUCCEEDED');
    w.statuses.set('exec-failed-young', 'FAILED');
    w.statuses.set('exec-failed', 'FAILED');

    // Act
    const report = await sweep(w.ports, options);

    // Assess
    expect(report.orphans).toStrictEqual([]);
    expect(Object.fromEntries(report.kept.map((k) => [k.vpcEndpointId, k.reason]))).toStrictEqual({
      'vpce-00000000000000002': KeptReason.running,
      'vpce-00000000000000013': KeptReason.running,
      'vpce-00000000000000003': KeptReason.succeeded,
      'vpce-00000000000000004': KeptReason.unknownExecution,
      'vpce-00000000000000005': KeptReason.young,
      'vpce-00000000000000006': KeptReason.untagged,
    });
    expect(report.examined).toBe(6);
    expect(w.atlasDeletes).toStrictEqual([]);
    expect(w.ec2Deletes).toStrictEqual([]);
  });

  it('leaves alone an endpoint created before the failed execution its planted tags name, on both sides', async () => {
    // Prepare: another team's endpoint, 10 hours old, tagged by someone with ec2:CreateTags as if a failed
    // execution that started 4 hours ago had created it.
    const w = world();
    w.add('vpce-0000000000000000a', 'exec-failed', { ageMs: 10 * HOUR });
    w.statuses.set('exec-failed', 'FAILED');
    w.starts.set('exec-failed', NOW - 4 * HOUR);

    // Act
    const report = await sweep(w.ports, options);

    // Assess
    expect(report.orphans).toStrictEqual([]);
    expect(report.kept).toMatchObject([
      { vpcEndpointId: 'vpce-0000000000000000a', reason: KeptReason.olderThanExecution },
    ]);
    expect(w.atlasDeletes).toStrictEqual([]);
    expect(w.ec2Deletes).toStrictEqual([]);
    expect(w.registrations.has('vpce-0000000000000000a')).toBe(true);
  });

  it('leaves alone, on both sides, an endpoint the failed execution its planted tags name never created by its history', async () => {
    // Prepare: another team's endpoint, created after the failed execution started (so its creation time
    // proves nothing), tagged with this deployment's managed-by value and that execution's ARN.
    const w = world();
    w.add('vpce-0000000000000000b', 'exec-failed', { created: false });
    w.statuses.set('exec-failed', 'FAILED');
    w.starts.set('exec-failed', NOW - 4 * HOUR);

    // Act
    const report = await sweep(w.ports, options);

    // Assess
    expect(report.orphans).toStrictEqual([]);
    expect(report.kept).toMatchObject([
      {
        vpcEndpointId: 'vpce-0000000000000000b',
        executionArn: arnOf('exec-failed'),
        reason: KeptReason.notInHistory,
      },
    ]);
    expect(w.atlasDeletes).toStrictEqual([]);
    expect(w.ec2Deletes).toStrictEqual([]);
    expect(w.historyReads).toStrictEqual([arnOf('exec-failed')]);
  });

  it.each([
    ['in another VPC', { vpcId: 'vpc-0fedcba9876543210' }],
    [
      'to another endpoint service',
      { serviceName: 'com.amazonaws.vpce.us-east-1.vpce-svc-0fedcba9876543210' },
    ],
    ['registered in another project than its tags say', { groupId: '5f0c1a2b3c4d5e6f7a8b9c0e' }],
    [
      'registered with another endpoint service than its tags say',
      { endpointServiceId: '6b0a0000000000000000abce' },
    ],
  ])('keeps an endpoint its execution’s history shows created %s', async (_, created) => {
    // Prepare
    const w = world();
    w.add('vpce-0000000000000000c', 'exec-failed', { created });
    w.statuses.set('exec-failed', 'FAILED');

    // Act
    const report = await sweep(w.ports, options);

    // Assess
    expect(report.orphans).toStrictEqual([]);
    expect(report.kept).toMatchObject([{ reason: KeptReason.historyDisagrees }]);
    expect([...w.atlasDeletes, ...w.ec2Deletes]).toStrictEqual([]);
  });

  it('removes only the ids the history shows created when one execution’s tag is on several endpoints', async () => {
    // Prepare: the failed execution made one endpoint; its tag was copied onto a second one.
    const w = world();
    w.add('vpce-0000000000000000d', 'exec-failed');
    w.add('vpce-0000000000000000e', 'exec-failed', { created: false });
    w.statuses.set('exec-failed', 'FAILED');

    // Act
    const report = await sweep(w.ports, options);

    // Assess
    expect(report.orphans).toMatchObject([{ vpcEndpointIds: ['vpce-0000000000000000d'] }]);
    expect(report.kept).toMatchObject([
      { vpcEndpointId: 'vpce-0000000000000000e', reason: KeptReason.notInHistory },
    ]);
    expect(w.atlasDeletes).toStrictEqual(['vpce-0000000000000000d']);
    expect(w.historyReads).toStrictEqual([arnOf('exec-failed')]); // read once per execution
  });

  it('keeps an endpoint tagged with an execution of another state machine (a replaced stack), reading nothing of it', async () => {
    // Prepare
    const w = world();
    w.add('vpce-0000000000000000f', 'exec-failed', {
      tag: 'arn:aws:states:us-east-1:123456789012:execution:OldStack-Provisioning:exec-failed',
    });
    w.statuses.set('exec-failed', 'FAILED');

    // Act
    const report = await sweep(w.ports, options);

    // Assess
    expect(report.kept).toMatchObject([{ reason: KeptReason.unknownExecution }]);
    expect(w.historyReads).toStrictEqual([]);
    expect([...w.atlasDeletes, ...w.ec2Deletes]).toStrictEqual([]);
  });

  it('reads no history for executions whose endpoints it keeps anyway', async () => {
    // Prepare
    const w = world();
    w.add('vpce-00000000000000011', 'exec-running');
    w.add('vpce-00000000000000012', 'exec-succeeded');
    w.statuses.set('exec-running', 'RUNNING');
    w.statuses.set('exec-succeeded', 'SUCCEEDED');

    // Act
    await sweep(w.ports, options);

    // Assess
    expect(w.historyReads).toStrictEqual([]);
  });

  it('keeps an endpoint whose execution Step Functions describes but has no history of any more', async () => {
    // Prepare
    const w = world();
    w.add('vpce-00000000000000019', 'exec-failed');
    w.statuses.set('exec-failed', 'FAILED');
    const ports: SweepPorts = {
      ...w.ports,
      executions: { ...w.ports.executions, createdVpcEndpoints: async () => undefined },
    };

    // Act
    const report = await sweep(ports, options);

    // Assess
    expect(report.kept).toMatchObject([{ reason: KeptReason.notInHistory }]);
    expect([...w.atlasDeletes, ...w.ec2Deletes]).toStrictEqual([]);
  });

  it('removes an endpoint exactly as old as the grace period', async () => {
    // Prepare
    const w = world();
    w.add('vpce-00000000000000014', 'exec-failed', { ageMs: 7200_000 });
    w.statuses.set('exec-failed', 'FAILED');

    // Act
    const report = await sweep(w.ports, options);

    // Assess
    expect(report.orphans).toMatchObject([{ vpcEndpointIds: ['vpce-00000000000000014'] }]);
  });

  it('ignores an endpoint EC2 returns without this deployment’s managed-by value, whatever the filter did', async () => {
    // Prepare: a tag-filter search that answers more than it was asked for.
    const w = world();
    w.add('vpce-00000000000000015', 'exec-failed', { managedBy: 'another-deployment' });
    w.statuses.set('exec-failed', 'FAILED');
    const ports: SweepPorts = {
      ...w.ports,
      vpc: { ...w.ports.vpc, findByTag: async () => [...w.endpoints.values()] },
    };

    // Act
    const report = await sweep(ports, options);

    // Assess
    expect(report).toMatchObject({ examined: 0, orphans: [], kept: [] });
    expect([...w.atlasDeletes, ...w.ec2Deletes]).toStrictEqual([]);
  });

  it('removes an endpoint whose history records no project or endpoint service, by its VPC and service', async () => {
    // Prepare
    const w = world();
    w.add('vpce-00000000000000016', 'exec-failed', {
      created: { groupId: undefined, endpointServiceId: undefined },
    });
    w.statuses.set('exec-failed', 'FAILED');

    // Act
    const report = await sweep(w.ports, options);

    // Assess
    expect(report.orphans).toMatchObject([{ vpcEndpointIds: ['vpce-00000000000000016'] }]);
  });

  it('reports what it would remove and removes nothing on a dry run', async () => {
    // Prepare
    const w = world();
    w.add('vpce-00000000000000008', 'exec-aborted');
    w.statuses.set('exec-aborted', 'ABORTED');

    // Act
    const report = await sweep(w.ports, { ...options, dryRun: true });

    // Assess
    expect(report).toMatchObject({ dryRun: true, orphans: [{ vpcEndpointIds: ['vpce-00000000000000008'] }] });
    expect(w.atlasDeletes).toStrictEqual([]);
    expect(w.ec2Deletes).toStrictEqual([]);
  });
});

describe('sweepUntilSettled', () => {
  it('passes again, pausing in between, until nothing is under way, and returns every pass', async () => {
    // Prepare: Atlas first, EC2 on the next pass, EC2 `deleted` on the pass after.
    const w = world();
    w.add('vpce-00000000000000017', 'exec-failed');
    w.statuses.set('exec-failed', 'FAILED');
    let pauses = 0;
    const nows: number[] = [];

    // Act
    const passes = await sweepUntilSettled(w.ports, {
      ...options,
      now: () => {
        nows.push(NOW + pauses);
        return NOW + pauses;
      },
      maxPasses: 10,
      pause: async () => {
        pauses += 1;
      },
    });

    // Assess
    expect(passes.map((p) => p.remaining.length)).toStrictEqual([1, 1, 0]);
    expect(pauses).toBe(2);
    expect(nows).toStrictEqual([NOW, NOW + 1, NOW + 2]);
  });

  it('stops after maxPasses, and after one pass on a dry run', async () => {
    // Prepare
    const w = world();
    w.add('vpce-00000000000000018', 'exec-failed');
    w.statuses.set('exec-failed', 'FAILED');
    const run = { ...options, now: () => NOW, pause: async () => {} };

    // Act
    const capped = await sweepUntilSettled(w.ports, { ...run, maxPasses: 2 });
    const dry = await sweepUntilSettled(w.ports, { ...run, maxPasses: 5, dryRun: true });

    // Assess
    expect(capped).toHaveLength(2);
    expect(capped.at(-1)?.remaining).toStrictEqual(['vpce-00000000000000018']);
    expect(dry).toHaveLength(1);
    expect(dry[0]?.dryRun).toBe(true);
  });
});

describe('the sweep handler', () => {
  afterEach(() => {
    delete process.env[SweepEnv.dryRun];
    delete process.env[SweepEnv.graceSeconds];
  });

  const handlerFor = (w: ReturnType<typeof world>) =>
    createSweepHandler(
      {
        logger: silentLogger,
        atlas: w.ports.atlas as never,
        vpcEndpoints: () => w.ports.vpc as never,
        network: () => {
          throw new Error('the sweep reads no network');
        },
        provisionings: () => {
          throw new Error('the sweep reads executions through its own port');
        },
        managedBy: () => MANAGED_BY,
        region: () => 'us-east-1',
        requestContext: () => ({}),
        now: () => NOW,
        random: () => 0.5,
        hash: (text) => text,
      },
      () => w.ports.executions,
    );

  it('takes its grace period and dry-run switch from the environment', async () => {
    // Prepare
    const w = world();
    w.add('vpce-00000000000000009', 'exec-timed-out', { ageMs: 2 * 60_000 });
    w.statuses.set('exec-timed-out', 'TIMED_OUT');
    process.env[SweepEnv.graceSeconds] = '60';
    process.env[SweepEnv.dryRun] = 'true';

    // Act
    const result = await handlerFor(w)();

    // Assess
    expect(result).toMatchObject({ dryRun: true, orphanExecutions: ['exec-timed-out'], examined: 1 });
    expect(w.atlasDeletes).toStrictEqual([]);
  });

  it('keeps the default grace period of two hours when the setting is not a number', async () => {
    // Prepare
    const w = world();
    w.add('vpce-0000000000000000a', 'exec-failed', { ageMs: HOUR });
    w.statuses.set('exec-failed', 'FAILED');
    process.env[SweepEnv.graceSeconds] = 'soon';

    // Act
    const result = await handlerFor(w)();

    // Assess
    expect(result).toMatchObject({ orphanExecutions: [], kept: 1, swept: [] });
  });
});
