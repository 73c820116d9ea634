/**
 * Every built-in scenario, end to end: submitted through the local API, run by the synthesized state
 * machine against the Atlas and AWS emulators. Each must end as its `expect` block says, leave exactly
 * one working endpoint (AVAILABLE) or nothing at all (FAILED), and show in the emulators' logs that the
 * behaviour it is named for really happened.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowEvents } from '../../infra/AtlasPrivateEndpointWorkflow';
import type { AttemptRecord } from '../../lambdas/domain/decisions';
import type { FailureOutcome, ProvisioningResult } from '../../lambdas/domain/workflowState';
import { ErrorName } from '../../lambdas/errors';
import type { ExecutionRecord } from '../../local/aws-emulator';
import { type OfflineEnvironment, startOfflineEnvironment } from '../../local/offline/OfflineEnvironment';
import { type RunReport, runScenario } from '../../local/offline/runScenario';
import { builtInScenarioNames, loadBuiltInScenario, type Scenario } from '../../local/offline/scenario';

/** What one run of a scenario left to look at. */
interface Run {
  readonly scenario: Scenario;
  readonly env: OfflineEnvironment;
  readonly report: RunReport;
  readonly execution: ExecutionRecord;
  /** Every attempt, from the output (SUCCEEDED) or the failure event (FAILED). */
  readonly attempts: readonly AttemptRecord[];
}

const ENDPOINT_SERVICE_PATH = /\/privateEndpoint\/AWS\/endpointService\/[0-9a-f]{24}$/;
const REGISTRATION_PATH = /\/privateEndpoint\/AWS\/endpointService\/[0-9a-f]{24}\/endpoint$/;

/** The workflow's events of one type for this run, as they reached the stack's bus (none dropped). */
function eventsOf(run: Run, detailType: string): unknown[] {
  return run.env.aws.events
    .filter((e) => e.detailType === detailType)
    .filter((e) => e.eventBusName === run.env.synthesized.eventBusName && e.dropped === undefined)
    .map((e) => e.detail)
    .filter((d) => (d as { executionName?: string }).executionName === run.report.executionId);
}

function failureOutcome(run: Run): FailureOutcome {
  const [outcome] = eventsOf(run, WorkflowEvents.failed) as FailureOutcome[];
  if (!outcome) throw new Error(`no ${WorkflowEvents.failed} event for ${run.report.executionId}`);
  return outcome;
}

/** Successful CreateVpcEndpoint answers: each made one endpoint. */
function endpointsCreated(run: Run): number {
  return run.env.aws.requests.filter((r) => r.action === 'CreateVpcEndpoint' && r.status === 200).length;
}

/** A check per scenario that the behaviour it is named for happened, not just that it ended well. */
const behaviourChecks: Record<string, { readonly title: string; readonly check: (run: Run) => void }> = {
  'happy-path': {
    title:
      'connects on the first attempt and announces the endpoint as available, its security group open to Atlas',
    check: (run) => {
      expect(run.attempts.map((a) => a.outcome)).toEqual(['AVAILABLE']);
      expect(endpointsCreated(run)).toBe(1);
      const [available] = eventsOf(run, WorkflowEvents.available) as ProvisioningResult[];
      expect(available?.vpcEndpointId).toBe(run.report.vpcEndpointId);
      expect(available?.securityGroupCheck).toMatchObject({
        ok: true,
        securityGroupIds: ['sg-0e1a2b3c4d5e6f708'],
      });
    },
  },
  'security-group-closed': {
    title:
      'succeeds, and warns in the output and the Available event that the security group keeps Atlas out',
    check: (run) => {
      const output = JSON.parse(run.execution.output ?? '{}') as ProvisioningResult;
      const [available] = eventsOf(run, WorkflowEvents.available) as ProvisioningResult[];
      expect(output.securityGroupCheck).toMatchObject({
        ok: false,
        securityGroupIds: ['sg-0e1a2b3c4d5e6f708'],
      });
      expect(output.securityGroupCheck.detail).toContain('TCP 1024-65535');
      expect(output.securityGroupCheck.detail).toContain('10.0.0.0/16');
      expect(available?.securityGroupCheck).toEqual(output.securityGroupCheck);
      const reads = run.env.aws.requests.map((r) => r.action);
      expect(reads).toContain('DescribeSecurityGroups');
      expect(reads).toContain('DescribeVpcs');
    },
  },
  'rejected-once': {
    title: 'deletes the rejected endpoint on both sides and connects on a second one',
    check: (run) => {
      expect(run.attempts.map((a) => a.outcome)).toEqual(['REJECTED', 'AVAILABLE']);
      const [first, second] = run.attempts;
      expect(first?.vpcEndpointId).not.toBe(second?.vpcEndpointId);

      const failedAttempts = eventsOf(run, WorkflowEvents.attemptFailed) as { attempt: AttemptRecord }[];
      expect(failedAttempts.map((e) => e.attempt.vpcEndpointId)).toEqual([first?.vpcEndpointId]);
      const rejected = run.env.aws.vpcEndpoints.find((e) => e.vpcEndpointId === first?.vpcEndpointId);
      expect(rejected?.state).toBe('deleted');
      expect(run.env.atlas.endpoints().map((e) => e.endpointId)).not.toContain(first?.vpcEndpointId);
    },
  },
  'error-message-once': {
    title: 'treats an errorMessage on a PENDING endpoint as a failed attempt and retries',
    check: (run) => {
      const scripted = run.scenario.attempts?.[0]?.statuses?.find((s) => typeof s === 'object');
      const [first, second] = run.attempts;
      expect(first).toMatchObject({
        outcome: 'ERROR_MESSAGE',
        connectionStatus: 'PENDING',
        errorMessage: (scripted as { errorMessage: string }).errorMessage,
      });
      expect(second?.outcome).toBe('AVAILABLE');
      expect(run.env.aws.vpcEndpoints.find((e) => e.vpcEndpointId === first?.vpcEndpointId)?.state).toBe(
        'deleted',
      );
    },
  },
  'always-rejected': {
    title: 'creates exactly maxAttempts endpoints, deletes every one and says why it gave up',
    check: (run) => {
      const maxAttempts = run.scenario.request?.maxAttempts as number;
      const ids = new Set(run.attempts.map((a) => a.vpcEndpointId));
      expect(ids.size).toBe(maxAttempts);
      expect(endpointsCreated(run)).toBe(maxAttempts);
      for (const id of ids) {
        expect(run.env.aws.vpcEndpoints.find((e) => e.vpcEndpointId === id)?.state).toBe('deleted');
      }
      expect(eventsOf(run, WorkflowEvents.attemptFailed)).toHaveLength(maxAttempts);
      const outcome = failureOutcome(run);
      expect(outcome).toMatchObject({ error: ErrorName.AttemptsExhausted, cleanup: { complete: true } });
      expect(run.execution.error).toBe(ErrorName.AttemptsExhausted);
      expect(run.execution.cause).toMatch(new RegExp(`gave up after ${maxAttempts} attempts`));
      for (const id of ids) expect(run.execution.cause).toContain(id);
    },
  },
  'atlas-throttled': {
    title: "waits out Atlas's 429 answers and carries on",
    check: (run) => {
      const throttled = run.env.atlas.requestLog.filter((r) => r.status === 429);
      const scripted = (run.scenario.faults ?? []).reduce((n, f) => n + (f.times ?? 1), 0);
      expect(throttled).toHaveLength(scripted);
      expect(throttled.some((r) => r.method === 'POST')).toBe(true);
      expect(throttled.some((r) => r.method === 'GET' && r.path.includes('/endpoint/'))).toBe(true);
      expect(run.attempts).toHaveLength(1);
    },
  },
  'service-initiating': {
    title: 'keeps reading the INITIATING endpoint service and registers only once it is AVAILABLE',
    check: (run) => {
      const log = run.env.atlas.requestLog;
      const firstRegistration = log.findIndex((r) => r.method === 'POST' && REGISTRATION_PATH.test(r.path));
      expect(firstRegistration).toBeGreaterThan(0);
      const serviceReads = log
        .slice(0, firstRegistration)
        .filter((r) => r.method === 'GET' && r.status === 200 && ENDPOINT_SERVICE_PATH.test(r.path));
      const initiating = (run.scenario.endpointService?.statuses ?? []).filter((s) => s === 'INITIATING');
      expect(serviceReads.length).toBeGreaterThan(initiating.length);
      expect(run.env.atlas.services().map((s) => s.status)).toEqual(['AVAILABLE']);
    },
  },
  'ec2-throttled': {
    title: 'rides out RequestLimitExceeded and still creates exactly one VPC endpoint',
    check: (run) => {
      const throttled = run.env.aws.requests.filter((r) => r.errorCode === 'RequestLimitExceeded');
      expect(throttled.map((r) => r.action)).toContain('CreateVpcEndpoint');
      expect(throttled.map((r) => r.action)).toContain('DescribeVpcEndpoints');
      expect(endpointsCreated(run)).toBe(1);
      expect(run.env.aws.vpcEndpoints).toHaveLength(1);
      expect(run.env.aws.vpcEndpoints[0]?.clientToken).toBeTruthy();
    },
  },
  'lambda-faults': {
    title: 'retries throttled and timed-out invocations; the repeated create and register change nothing',
    check: (run) => {
      expect(run.env.lambdaFaults.hits).toBe(5);
      // The timed-out create did make its endpoint; the retry, with the same ClientToken, got it back.
      expect(run.env.aws.requestCount({ action: 'CreateVpcEndpoint' })).toBe(2);
      expect(new Set(run.env.aws.vpcEndpoints.map((e) => e.clientToken)).size).toBe(1);
      expect(run.env.aws.vpcEndpoints).toHaveLength(1);
      // The timed-out registration did register; Atlas answers the second 409, read as success.
      const registrations = run.env.atlas.requestLog.filter(
        (r) => r.method === 'POST' && REGISTRATION_PATH.test(r.path),
      );
      expect(registrations.map((r) => r.status)).toEqual([200, 409]);
      expect(run.attempts).toHaveLength(1);
    },
  },
  'service-removed': {
    title:
      'finds the endpoint service removed with its last endpoint, creates it again, and connects through it',
    check: (run) => {
      expect(run.attempts.map((a) => a.outcome)).toEqual(['REJECTED', 'AVAILABLE']);
      const serviceCreations = run.env.atlas.requestLog.filter(
        (r) => r.method === 'POST' && r.status === 200 && /\/privateEndpoint\/endpointService$/.test(r.path),
      );
      expect(serviceCreations).toHaveLength(2);
      const [service] = run.env.atlas.services();
      const output = JSON.parse(run.execution.output ?? '{}') as ProvisioningResult;
      expect(run.env.atlas.services()).toHaveLength(1);
      expect(output.endpointServiceId).toBe(service?.id);
      expect(run.env.aws.vpcEndpoints.find((e) => e.state === 'available')?.serviceName).toBe(
        service?.endpointServiceName,
      );
    },
  },
  'eventual-consistency': {
    title:
      'reads a VPC endpoint EC2 does not show yet again before registering it, and counts it as pending, not as gone',
    check: (run) => {
      expect(run.attempts.map((a) => a.outcome)).toEqual(['AVAILABLE']);
      expect(endpointsCreated(run)).toBe(1);
      const unseen = run.env.aws.requests.filter(
        (r) => r.action === 'DescribeVpcEndpoints' && r.errorCode === 'InvalidVpcEndpointId.NotFound',
      );
      expect(unseen.length).toBeGreaterThan(0);
      // "Register with Atlas" waited for EC2 to show the endpoint (it registers only what it can check), once.
      const registrations = run.env.atlas.requestLog.filter(
        (r) => r.method === 'POST' && r.path.endsWith('/endpoint'),
      );
      expect(registrations.map((r) => r.status)).toEqual([200]);
    },
  },
  'api-access-list': {
    title: 'stops at the first Atlas answer naming the address Atlas saw and what to do, creating nothing',
    check: (run) => {
      expect(run.execution.cause).toContain('203.0.113.17');
      expect(run.execution.cause).toMatch(/access list/);
      expect(run.execution.cause).toMatch(/NAT gateway/);
      expect(run.env.atlas.requestLog.filter((r) => r.status === 403)).toHaveLength(1);
      expect(run.env.aws.requestCount({ action: 'CreateVpcEndpoint' })).toBe(0);
    },
  },
  'cross-region': {
    title:
      "adds the stack's region to the eu-west-1 service (keeping its other one), waits until it is in effect, and connects with ServiceRegion",
    check: (run) => {
      expect(run.attempts.map((a) => a.outcome)).toEqual(['AVAILABLE']);
      const [service] = run.env.atlas.services();
      expect(run.env.atlas.services()).toHaveLength(1);
      expect(service).toMatchObject({
        regionName: 'EU_WEST_1',
        supportedRemoteRegions: ['AP_SOUTHEAST_2', 'US_EAST_1'],
        updates: 1,
      });
      const [endpoint] = run.env.aws.vpcEndpoints;
      expect(run.env.aws.vpcEndpoints).toHaveLength(1);
      expect(endpoint).toMatchObject({
        serviceName: service?.endpointServiceName,
        serviceRegion: 'eu-west-1',
        state: 'available',
      });
      // The PATCH's answer shows afterUpdate's first step and each later read the next one: the service was read
      // until the last (AVAILABLE), and only then was the VPC endpoint created and registered.
      const log = run.env.atlas.requestLog.filter((r) => r.status !== 401);
      const patch = log.findIndex((r) => r.method === 'PATCH');
      const registration = log.findIndex((r) => r.method === 'POST' && REGISTRATION_PATH.test(r.path));
      const readsBetween = log
        .slice(patch + 1, registration)
        .filter((r) => r.method === 'GET' && ENDPOINT_SERVICE_PATH.test(r.path));
      const afterUpdate = run.scenario.endpointService?.afterUpdate ?? [];
      expect(log.filter((r) => r.method === 'PATCH').map((r) => r.status)).toEqual([200]);
      expect(readsBetween).toHaveLength(afterUpdate.length - 1);
      expect(run.env.aws.requests.filter((r) => r.errorCode === 'InvalidServiceName')).toEqual([]);
    },
  },
  'wrong-credentials': {
    title: 'stops at the first Atlas answer with a readable auth error, creating nothing',
    check: (run) => {
      expect(run.execution.error).toBe(ErrorName.AtlasAuth);
      expect(run.execution.cause).toMatch(/401/);
      expect(run.execution.cause).not.toMatch(/^\s*[{[]/);
      expect(run.execution.cause).not.toMatch(/errorType|trace/);
      // The Digest challenge, then the refused answer: no retry of a 401.
      expect(run.env.atlas.requestLog.map((r) => r.status)).toEqual([401, 401]);
      expect(run.env.aws.requestCount({ action: 'CreateVpcEndpoint' })).toBe(0);
    },
  },
};

describe('the built-in scenarios', () => {
  it('each have a check proving their behaviour happened', () => {
    expect(Object.keys(behaviourChecks).sort()).toEqual(builtInScenarioNames());
  });
});

describe.each(builtInScenarioNames())('the %s scenario', (name) => {
  const scenario = loadBuiltInScenario(name);
  const expected = scenario.expect;
  let run: Run;

  beforeAll(async () => {
    const env = await startOfflineEnvironment({ scenario });
    const report = await runScenario(env, { scenario: name });
    if (!report.executionId)
      throw new Error(`the API refused the request: ${JSON.stringify(report.rejected)}`);
    const execution = env.aws.executions.find((e) => e.name === report.executionId) as ExecutionRecord;
    const output = execution.output ? (JSON.parse(execution.output) as ProvisioningResult) : undefined;
    run = { scenario, env, report, execution, attempts: [] };
    run = { ...run, attempts: output?.attempts ?? failureOutcome(run).attempts };
  });

  afterAll(async () => {
    await run?.env.close();
  });

  it('ends as its expect block says', () => {
    expect(expected).toBeDefined();
    expect(run.execution.status).toBe(expected?.status);
    expect(run.execution.error).toBe(expected?.error);
  });

  if (expected?.status === 'SUCCEEDED') {
    it('leaves exactly one available VPC endpoint and its AVAILABLE Atlas registration', () => {
      expect(run.report.inPlace).toEqual({ vpcEndpoints: 1, atlasEndpoints: 1 });
      expect(run.report.leftovers).toEqual({ vpcEndpoints: 0, atlasEndpoints: 0 });
      const [endpoint] = run.env.aws.vpcEndpoints.filter((e) => e.state !== 'deleted');
      const [registration] = run.env.atlas.endpoints();
      expect(endpoint?.vpcEndpointId).toBe(run.report.vpcEndpointId);
      expect(endpoint?.state).toBe('available');
      expect(registration).toMatchObject({
        endpointId: run.report.vpcEndpointId,
        connectionStatus: 'AVAILABLE',
      });
    });
  } else {
    it('leaves no VPC endpoint and no Atlas registration behind', () => {
      expect(run.report.inPlace).toEqual({ vpcEndpoints: 0, atlasEndpoints: 0 });
      expect(run.report.leftovers).toEqual({ vpcEndpoints: 0, atlasEndpoints: 0 });
      expect(failureOutcome(run).cleanup).toMatchObject({ complete: true, remaining: [] });
    });
  }

  const behaviour = behaviourChecks[name];
  if (behaviour) it(behaviour.title, () => behaviour.check(run));
});
