/**
 * Cross-region PrivateLink end to end, through the synthesized state machine: the offline stack (and so the
 * VPC and its endpoint) is in us-east-1, the project's Atlas endpoint service in eu-west-1. Each case runs
 * against the Atlas and AWS emulators, whose linked model follows the endpoint across the two regions.
 */
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowEvents } from '../../infra/AtlasPrivateEndpointWorkflow';
import type { FailureOutcome, ProvisioningResult } from '../../lambdas/domain/workflowState';
import { ErrorName } from '../../lambdas/errors';
import { AwsService, type ExecutionRecord } from '../../local/aws-emulator';
import {
  type OfflineEnvironment,
  type OfflineEnvironmentOptions,
  offlineDefinition,
  startOfflineEnvironment,
} from '../../local/offline/OfflineEnvironment';
import { type RunReport, runScenario } from '../../local/offline/runScenario';
import type { Scenario } from '../../local/offline/scenario';

const CROSS_REGION = { region: 'eu-west-1', crossRegion: true } as const;
/** Short connections keep the runs short. */
const CONNECTS: Scenario['attempts'] = [{ statuses: ['PENDING_ACCEPTANCE', 'AVAILABLE'] }];

let env: OfflineEnvironment | undefined;
// Synthesizing the stack (once per process) takes longer than a test may.
beforeAll(() => {
  offlineDefinition();
}, 120_000);
afterEach(async () => {
  await env?.close();
  env = undefined;
});

interface Run {
  readonly env: OfflineEnvironment;
  readonly report: RunReport;
  readonly execution: ExecutionRecord;
}

async function run(scenario: Scenario, options: OfflineEnvironmentOptions = {}): Promise<Run> {
  env = await startOfflineEnvironment({ ...options, scenario: { attempts: CONNECTS, ...scenario } });
  const report = await runScenario(env);
  if (!report.executionId) throw new Error(`the API refused the request: ${JSON.stringify(report.rejected)}`);
  const execution = env.aws.executions.find((e) => e.name === report.executionId) as ExecutionRecord;
  return { env, report, execution };
}

const atlasCalls = (r: Run, method: string) =>
  r.env.atlas.requestLog.filter((e) => e.method === method && e.status !== 401);
const patchStatuses = (r: Run) => atlasCalls(r, 'PATCH').map((e) => e.status);
const outputOf = (r: Run) => JSON.parse(r.execution.output ?? '{}') as ProvisioningResult;
const failureOf = (r: Run) =>
  r.env.aws.events.find((e) => e.detailType === WorkflowEvents.failed)?.detail as FailureOutcome;

describe('a cross-region provisioning (the stack in us-east-1, the service in eu-west-1)', () => {
  it("adds us-east-1 to the project's eu-west-1 service and connects through ServiceRegion", async () => {
    const r = await run({ request: CROSS_REGION, existingServices: [{ region: 'eu-west-1' }] });

    expect(r.execution.status).toBe('SUCCEEDED');
    const [service] = r.env.atlas.services();
    expect(service).toMatchObject({
      regionName: 'EU_WEST_1',
      supportedRemoteRegions: ['US_EAST_1'],
      updates: 1,
    });
    expect(patchStatuses(r)).toEqual([200]);
    expect(outputOf(r)).toMatchObject({
      endpointServiceId: service?.id,
      vpcEndpointId: r.report.vpcEndpointId,
    });
    expect(r.env.aws.vpcEndpoints).toMatchObject([
      { vpcEndpointId: r.report.vpcEndpointId, serviceRegion: 'eu-west-1', state: 'available' },
    ]);
  });

  it('creates the service supporting us-east-1 when the project has none in eu-west-1, with no PATCH', async () => {
    const r = await run({ request: CROSS_REGION });

    expect(r.execution.status).toBe('SUCCEEDED');
    expect(r.env.atlas.services()).toMatchObject([
      { regionName: 'EU_WEST_1', supportedRemoteRegions: ['US_EAST_1'], updates: 0 },
    ]);
    expect(patchStatuses(r)).toEqual([]);
    expect(r.env.aws.vpcEndpoints).toMatchObject([{ serviceRegion: 'eu-west-1', state: 'available' }]);
  });

  it('sends no PATCH when the service supports us-east-1 already', async () => {
    const r = await run({
      request: CROSS_REGION,
      existingServices: [{ region: 'eu-west-1', supportedRemoteRegions: ['US_EAST_1'] }],
    });

    expect(r.execution.status).toBe('SUCCEEDED');
    expect(patchStatuses(r)).toEqual([]);
    expect(r.env.atlas.services()).toMatchObject([{ supportedRemoteRegions: ['US_EAST_1'], updates: 0 }]);
  });

  it('deletes a REJECTED endpoint on both sides and connects on a second one, each across regions', async () => {
    const r = await run({
      request: CROSS_REGION,
      existingServices: [{ region: 'eu-west-1' }],
      attempts: [{ statuses: ['PENDING_ACCEPTANCE', 'REJECTED'] }, ...(CONNECTS ?? [])],
    });

    expect(r.execution.status).toBe('SUCCEEDED');
    const [first, second] = outputOf(r).attempts;
    expect([first?.outcome, second?.outcome]).toEqual(['REJECTED', 'AVAILABLE']);
    const endpoint = (id?: string) => r.env.aws.vpcEndpoints.find((e) => e.vpcEndpointId === id);
    expect(endpoint(first?.vpcEndpointId)).toMatchObject({ serviceRegion: 'eu-west-1', state: 'deleted' });
    expect(endpoint(second?.vpcEndpointId)).toMatchObject({ serviceRegion: 'eu-west-1', state: 'available' });
    expect(r.env.atlas.endpoints().map((e) => e.endpointId)).toEqual([second?.vpcEndpointId]);
    // The second attempt read the service again and found us-east-1 there: one PATCH in all.
    expect(patchStatuses(r)).toEqual([200]);
  });

  it('never removes a region from the service when it cleans up after a failure', async () => {
    const r = await run({
      request: { ...CROSS_REGION, maxAttempts: 1 },
      existingServices: [{ region: 'eu-west-1', supportedRemoteRegions: ['AP_SOUTHEAST_2'] }],
      attempts: [{ statuses: ['PENDING_ACCEPTANCE', 'REJECTED'] }],
    });

    expect(r.execution).toMatchObject({ status: 'FAILED', error: ErrorName.AttemptsExhausted });
    expect(failureOf(r).cleanup).toMatchObject({ complete: true, remaining: [] });
    expect(r.report.leftovers).toEqual({ vpcEndpoints: 0, atlasEndpoints: 0 });
    expect(r.env.atlas.services()).toMatchObject([
      { supportedRemoteRegions: ['AP_SOUTHEAST_2', 'US_EAST_1'], updates: 1 },
    ]);
    expect(patchStatuses(r)).toEqual([200]);
  });
});

describe('a PATCH of the service that fails', () => {
  // The client gives up at once (a Retry-After longer than its deadline): the state machine's retries count.
  const quickClient = { atlasRetryDeadlineMs: 200 };
  const patchFault = (status: number, times?: number): Scenario['faults'] => [
    {
      method: 'PATCH',
      status,
      ...(times === undefined ? {} : { times }),
      ...(status === 429 ? { retryAfter: 1 } : {}),
    },
  ];

  it.each([
    [429, [429, 200]],
    [503, [503, 200]],
  ])('once with %i still connects (PATCH answers %j)', async (status, statuses) => {
    const r = await run(
      {
        request: CROSS_REGION,
        existingServices: [{ region: 'eu-west-1' }],
        faults: patchFault(status, 1),
      },
      quickClient,
    );

    expect(r.execution.status).toBe('SUCCEEDED');
    expect(patchStatuses(r)).toEqual(statuses);
    expect(r.env.atlas.services()).toMatchObject([{ supportedRemoteRegions: ['US_EAST_1'], updates: 1 }]);
  });

  it.each([
    [429, ErrorName.AtlasRateLimited],
    [503, ErrorName.AtlasServer],
  ])(
    'persistently with %i fails with %s, creating no VPC endpoint and changing no region',
    async (status, error) => {
      const r = await run(
        {
          request: CROSS_REGION,
          existingServices: [{ region: 'eu-west-1', supportedRemoteRegions: ['AP_SOUTHEAST_2'] }],
          faults: patchFault(status),
        },
        quickClient,
      );

      expect(r.execution).toMatchObject({ status: 'FAILED', error });
      expect(patchStatuses(r).length).toBeGreaterThan(1);
      expect(new Set(patchStatuses(r))).toEqual(new Set([status]));
      expect(r.env.aws.requestCount({ action: 'CreateVpcEndpoint' })).toBe(0);
      expect(r.env.atlas.services()).toMatchObject([
        { supportedRemoteRegions: ['AP_SOUTHEAST_2'], updates: 0 },
      ]);
      expect(failureOf(r).cleanup).toMatchObject({ complete: true });
      expect(r.report.leftovers).toEqual({ vpcEndpoints: 0, atlasEndpoints: 0 });
      expect(r.env.atlas.endpoints()).toEqual([]);
    },
  );
});

describe('a request for eu-west-1 without crossRegion, to the stack in us-east-1', () => {
  const noCalls = (e: OfflineEnvironment, before: { atlas: number; aws: number }) => {
    const aws = e.aws.requests.slice(before.aws);
    return {
      atlas: e.atlas.requestLog.length - before.atlas,
      ec2: aws.filter((r) => r.service === AwsService.EC2).length,
    };
  };

  it('is answered 400 by the API, naming region and crossRegion, calling neither Atlas nor EC2', async () => {
    env = await startOfflineEnvironment();
    const before = { atlas: env.atlas.requestLog.length, aws: env.aws.requests.length };

    const response = await fetch(`${env.api.url}/endpoints`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ ...env.request, region: 'eu-west-1' }),
    });
    const body = (await response.json()) as { errors: { field: string; message: string }[] };

    expect(response.status).toBe(400);
    expect(body.errors.map((e) => e.field)).toEqual(['region']);
    expect(body.errors[0]?.message).toContain('crossRegion: true');
    expect(noCalls(env, before)).toEqual({ atlas: 0, ec2: 0 });
    expect(env.aws.requests.filter((r) => r.service === AwsService.STEP_FUNCTIONS)).toEqual([]);
  });

  it('fails in "Validate request" when started from the console, calling neither Atlas nor EC2', async () => {
    env = await startOfflineEnvironment();
    const before = { atlas: env.atlas.requestLog.length, aws: env.aws.requests.length };
    const sfn = new SFNClient({
      endpoint: env.aws.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });

    const started = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: env.synthesized.stateMachineArn,
        name: 'console-cross-region',
        input: JSON.stringify({ ...env.request, region: 'eu-west-1' }),
      }),
    );
    const execution = await env.aws.waitForExecution(started.executionArn as string);
    sfn.destroy();

    expect(execution).toMatchObject({ status: 'FAILED', error: ErrorName.InvalidRequest });
    expect(execution.cause).toMatch(/^region: .*eu-west-1.*us-east-1.*crossRegion: true/);
    expect(noCalls(env, before)).toEqual({ atlas: 0, ec2: 0 });
  });
});
