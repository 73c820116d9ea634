/**
 * Crashes in the middle of a provisioning: the execution is stopped the way `StopExecution` (or a lost
 * runtime) stops it, so no Catch runs and the workflow's own clean-up never starts. What it created stays,
 * and the sweep — the same service the scheduled Lambda and `npm run sweep` run — removes it from both
 * sides once the grace period has passed, while leaving alone what is not an orphan.
 */
import { CreateVpcEndpointCommand, EC2Client } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManagedTag } from '../../lambdas/domain/request';
import { ErrorName } from '../../lambdas/errors';
import { KeptReason, type SweepReport } from '../../lambdas/services/sweep';
import { DEMO_SUBNET_IDS, DEMO_VPC_ID } from '../../local/aws-emulator';
import { type OfflineEnvironment, startOfflineEnvironment } from '../../local/offline/OfflineEnvironment';
import { runScenario } from '../../local/offline/runScenario';
import { provisionAndCrashBefore, sweepOffline } from '../../local/offline/sweepOffline';

const GRACE_SECONDS = 7200;
/** Long enough for a sweep pass to run while the execution waits in its poll loop. */
const REAL_WAIT_MS = 20;

let env: OfflineEnvironment;
let key = 0;
const nextKey = () => `crash-test-${++key}`;

beforeAll(async () => {
  env = await startOfflineEnvironment({ logLevel: 'CRITICAL', realWaitMs: REAL_WAIT_MS });
});

afterAll(async () => {
  await env?.close();
});

beforeEach(() => {
  env.atlas.reset();
  env.aws.reset();
  env.atlas.setScript({
    endpointService: { statuses: ['AVAILABLE'] },
    attempts: [{ statuses: ['PENDING_ACCEPTANCE', 'PENDING', 'PENDING', 'AVAILABLE'] }],
  });
});

const deletions = () => ({
  ec2: env.aws.requests.filter((r) => r.action === 'DeleteVpcEndpoints').length,
  atlas: env.atlas.requestLog.filter((r) => r.method === 'DELETE' && r.path.includes('/endpoint/vpce-'))
    .length,
});

/** Sweeps twice: first inside the grace period (nothing may go), then with the clock moved past it. */
async function sweepAfterGrace(): Promise<{ early: SweepReport[]; late: SweepReport[] }> {
  const early = await sweepOffline(env, { graceSeconds: GRACE_SECONDS });
  env.clock.advance((GRACE_SECONDS + 60) * 1000);
  const late = await sweepOffline(env, { graceSeconds: GRACE_SECONDS });
  return { early, late };
}

describe('GIVEN a provisioning that crashes between create and register', () => {
  it('THEN one unregistered VPC endpoint remains, and the sweep removes it after the grace period', async () => {
    // Prepare / Act
    const report = await provisionAndCrashBefore(env, 'Register with Atlas', { idempotencyKey: nextKey() });
    const afterCrash = env.leftovers();
    const { early, late } = await sweepAfterGrace();

    // Assess
    expect(report.status).toBe('ABORTED');
    expect(report).not.toHaveProperty('error');
    expect(afterCrash).toEqual({ vpcEndpoints: 1, atlasEndpoints: 0 });
    expect(env.atlas.requestLog.some((r) => r.method === 'POST' && r.path.endsWith('/endpoint'))).toBe(false);
    expect(early[0]?.kept.map((k) => k.reason)).toEqual([KeptReason.young]);
    expect(late[0]?.orphans).toMatchObject([
      { executionName: report.executionId, executionStatus: 'ABORTED' },
    ]);
    expect(env.leftovers()).toEqual({ vpcEndpoints: 0, atlasEndpoints: 0 });
    // Atlas first (it answers 404: never registered), then EC2.
    expect(deletions()).toEqual({ ec2: 1, atlas: 0 });
    console.log(
      `crash before "Register with Atlas": left ${afterCrash.vpcEndpoints} VPC endpoint / ${afterCrash.atlasEndpoints} Atlas registration; ` +
        `cleaned by the sweep (${late.length} pass(es) after the grace period) → ${env.leftovers().vpcEndpoints}/${env.leftovers().atlasEndpoints}`,
    );
  });
});

describe('GIVEN a provisioning that crashes between register and AVAILABLE', () => {
  it('THEN the VPC endpoint and its Atlas registration remain, and the sweep removes both', async () => {
    // Prepare / Act
    const report = await provisionAndCrashBefore(env, 'Check endpoint', { idempotencyKey: nextKey() });
    const afterCrash = env.leftovers();
    const { early, late } = await sweepAfterGrace();

    // Assess
    expect(report.status).toBe('ABORTED');
    expect(report).not.toHaveProperty('error');
    expect(afterCrash).toEqual({ vpcEndpoints: 1, atlasEndpoints: 1 });
    expect(early.flatMap((r) => r.orphans)).toEqual([]);
    expect(late[0]?.orphans).toMatchObject([
      { executionName: report.executionId, executionStatus: 'ABORTED' },
    ]);
    expect(late.at(-1)?.remaining).toEqual([]);
    expect(env.leftovers()).toEqual({ vpcEndpoints: 0, atlasEndpoints: 0 });
    expect(deletions()).toEqual({ ec2: 1, atlas: 1 });
    // The registration went first: EC2's endpoint (and its tags) is the only record of it.
    const atlasDelete = env.atlas.requestLog.find((r) => r.method === 'DELETE')?.at ?? Number.NaN;
    const ec2Delete = env.aws.requests.find((r) => r.action === 'DeleteVpcEndpoints')?.at ?? Number.NaN;
    expect(atlasDelete).toBeLessThanOrEqual(ec2Delete);
    console.log(
      `crash before "Check endpoint": left ${afterCrash.vpcEndpoints} VPC endpoint / ${afterCrash.atlasEndpoints} Atlas registration; ` +
        `cleaned by the sweep (${late.length} pass(es): Atlas DELETE, then EC2 DeleteVpcEndpoints) → ${env.leftovers().vpcEndpoints}/${env.leftovers().atlasEndpoints}`,
    );
  });
});

describe('GIVEN a provisioning that fails without a crash', () => {
  it('THEN its own clean-up removes both sides and the sweep finds nothing to do', async () => {
    // Prepare
    env.atlas.setScript({
      endpointService: { statuses: ['AVAILABLE'] },
      attempts: [{ statuses: ['REJECTED'] }],
    });

    // Act
    const report = await runScenario(env, {
      request: { ...env.request, maxAttempts: 1 },
      idempotencyKey: nextKey(),
    });
    const { late } = await sweepAfterGrace();

    // Assess
    expect(report.status).toBe('FAILED');
    expect(report.error?.name).toBe(ErrorName.AttemptsExhausted);
    expect(report.leftovers).toEqual({ vpcEndpoints: 0, atlasEndpoints: 0 });
    // Its endpoint is `deleted` in EC2 and gone from Atlas: the sweep looks, and deletes nothing.
    expect(deletions()).toEqual({ ec2: 1, atlas: 1 });
    expect(late.at(-1)?.remaining).toEqual([]);
    console.log(
      `REJECTED, no crash: left ${report.leftovers.vpcEndpoints}/${report.leftovers.atlasEndpoints}; cleaned by the workflow's own clean-up; the sweep deleted nothing more`,
    );
  });
});

describe('GIVEN endpoints that are not orphans', () => {
  it('THEN the sweep leaves a RUNNING execution, another deployment and a SUCCEEDED execution alone', async () => {
    // Prepare: a provisioning in its poll loop (PENDING for a while), and another deployment's endpoint.
    const started = await fetch(`${env.api.url}/endpoints`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': nextKey() },
      body: JSON.stringify(env.request),
    });
    const { executionArn } = (await started.json()) as { executionArn: string };
    await until(() => env.atlas.endpoints().length === 1);
    const service = env.atlas.services()[0];
    const ec2 = new EC2Client({
      endpoint: env.aws.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'offline', secretAccessKey: 'offline' },
    });
    const foreign = await ec2.send(
      new CreateVpcEndpointCommand({
        VpcEndpointType: 'Interface',
        VpcId: DEMO_VPC_ID,
        ServiceName: service?.endpointServiceName ?? '',
        SubnetIds: [DEMO_SUBNET_IDS[0]],
        PrivateDnsEnabled: false,
        TagSpecifications: [
          {
            ResourceType: 'vpc-endpoint',
            // Every tag of this stack's endpoints but managed-by, down to an execution that is not running.
            Tags: [
              { Key: ManagedTag.managedBy, Value: 'another-deployment' },
              { Key: ManagedTag.execution, Value: 'crash-test-not-running' },
              { Key: ManagedTag.groupId, Value: String(env.request.groupId) },
              { Key: ManagedTag.endpointServiceId, Value: service?.id ?? '' },
            ],
          },
        ],
      }),
    );
    const foreignId = foreign.VpcEndpoint?.VpcEndpointId;
    const ours = env.aws.vpcEndpoints.find((e) => e.tags[ManagedTag.execution] === executionArn);

    // Act: a pass while it runs (grace 0: only the execution's status protects it), then one after it succeeded.
    const whileRunning = await sweepOffline(env, { graceSeconds: 0, maxPasses: 1 });
    const runningStatus = env.aws.executions.find((e) => e.executionArn === executionArn)?.status;
    const finished = await env.aws.waitForExecution(executionArn, { timeoutMs: 60_000 });
    const afterSuccess = await sweepOffline(env, { graceSeconds: 0, maxPasses: 1 });

    // Assess
    expect(runningStatus).toBe('RUNNING');
    expect(whileRunning[0]?.kept).toEqual([
      expect.objectContaining({ vpcEndpointId: ours?.vpcEndpointId, reason: KeptReason.running }),
    ]);
    expect(whileRunning[0]?.orphans).toEqual([]);
    expect(finished.status).toBe('SUCCEEDED');
    expect(afterSuccess[0]?.kept).toEqual([
      expect.objectContaining({ vpcEndpointId: ours?.vpcEndpointId, reason: KeptReason.succeeded }),
    ]);
    expect(afterSuccess[0]?.orphans).toEqual([]);
    // The other deployment's endpoint is not even examined: it is not tagged as managed by this stack.
    expect(afterSuccess[0]?.examined).toBe(1);
    expect(deletions()).toEqual({ ec2: 0, atlas: 0 });
    expect(env.aws.vpcEndpoints.find((e) => e.vpcEndpointId === foreignId)?.state).not.toBe('deleted');
    expect(env.leftovers()).toEqual({ vpcEndpoints: 2, atlasEndpoints: 1 });
    console.log(
      `not touched: ${ours?.vpcEndpointId} while its execution was RUNNING and after it SUCCEEDED; ` +
        `${foreignId} (managed-by=another-deployment); 0 deletions on either side`,
    );
  });
});

async function until(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
