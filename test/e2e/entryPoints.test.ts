/**
 * The ways a provisioning starts, end to end against the emulators: the HTTP API (as API Gateway runs
 * it), an EventBridge event on the stack's bus, and a StartExecution from the console or the CLI, each
 * through the real SDK clients or plain HTTP. Bad input is refused before anything is created, and
 * from the API before anything is called at all.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowEvents } from '../../infra/AtlasPrivateEndpointWorkflow';
import type { ProvisioningResult } from '../../lambdas/domain/workflowState';
import { ErrorName } from '../../lambdas/errors';
import { AwsService, type ExecutionRecord } from '../../local/aws-emulator';
import {
  type OfflineEnvironment,
  type OfflineEnvironmentOptions,
  startOfflineEnvironment,
} from '../../local/offline/OfflineEnvironment';
import { OFFLINE_CALLER_ARN, OFFLINE_CALLER_HEADER } from '../../local/offline/offlineCaller';

/** What a user pastes into "Start execution" in the Step Functions console: the demo project and network. */
const CONSOLE_EXAMPLE_INPUT = `{
  "groupId": "5f0c1a2b3c4d5e6f7a8b9c0d",
  "region": "us-east-1",
  "vpcId": "vpc-0d3e0a1b2c3d4e5f6",
  "subnetIds": ["subnet-0a1a2b3c4d5e6f701", "subnet-0b1a2b3c4d5e6f702"],
  "securityGroupIds": ["sg-0e1a2b3c4d5e6f708"]
}`;

const DUMMY_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

/** An environment that also records which states each execution entered, in order. */
interface Harness {
  readonly env: OfflineEnvironment;
  statesEntered(executionName: string): string[];
  /** Atlas, EC2 and Step Functions requests since `mark()`. */
  callsSince(mark: Mark): { atlas: number; ec2: number; stepFunctions: number };
  mark(): Mark;
}

interface Mark {
  readonly atlas: number;
  readonly aws: number;
}

async function startHarness(options: OfflineEnvironmentOptions = {}): Promise<Harness> {
  const entered = new Map<string, string[]>();
  const env = await startOfflineEnvironment({
    ...options,
    onEvent: (name, event) => {
      if (event.type === 'StateEntered') entered.set(name, [...(entered.get(name) ?? []), event.state.name]);
    },
  });
  return {
    env,
    statesEntered: (name) => entered.get(name) ?? [],
    mark: () => ({ atlas: env.atlas.requestLog.length, aws: env.aws.requests.length }),
    callsSince: (mark) => {
      const aws = env.aws.requests.slice(mark.aws);
      return {
        atlas: env.atlas.requestLog.length - mark.atlas,
        ec2: aws.filter((r) => r.service === AwsService.EC2).length,
        stepFunctions: aws.filter((r) => r.service === AwsService.STEP_FUNCTIONS).length,
      };
    },
  };
}

async function post(
  env: OfflineEnvironment,
  body: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${env.api.url}/endpoints`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

function fieldsOf(body: Record<string, unknown>): string[] {
  return ((body.errors ?? []) as { field: string }[]).map((e) => e.field);
}

/** The endpoints tagged with the execution named `executionName`: its ARN is the tag. */
function endpointsOf(env: OfflineEnvironment, executionName: string) {
  const executionArn = `${env.synthesized.stateMachineArn.replace(':stateMachine:', ':execution:')}:${executionName}`;
  return env.aws.vpcEndpoints.filter((e) => e.tags['atlas-privatelink:execution'] === executionArn);
}

describe('POST /endpoints with an invalid request', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(async () => {
    await harness?.env.close();
  });

  const cases: { name: string; change: Record<string, unknown>; fields: string[] }[] = [
    { name: 'a malformed groupId', change: { groupId: 'not-a-project' }, fields: ['groupId'] },
    { name: 'an empty subnet list', change: { subnetIds: [] }, fields: ['subnetIds'] },
    {
      name: 'a bad VPC id, a bad second subnet and too many attempts',
      change: { vpcId: 'vpc-XYZ', subnetIds: ['subnet-0a1a2b3c4d5e6f701', 'subnet-nope'], maxAttempts: 99 },
      fields: ['vpcId', 'subnetIds[1]', 'maxAttempts'],
    },
    { name: 'neither region nor endpointServiceId', change: { region: undefined }, fields: ['region'] },
    { name: 'an unknown field', change: { vpcEndpointId: 'vpce-1' }, fields: ['vpcEndpointId'] },
    {
      name: 'a VPC and a project outside the allow-lists',
      change: { vpcId: 'vpc-0fedcba9876543210', groupId: 'aaaaaaaaaaaaaaaaaaaaaaaa' },
      fields: ['vpcId', 'groupId'],
    },
  ];

  it.each(cases)(
    'answers 400 naming each bad field for $name, calling neither AWS nor Atlas',
    async ({ change, fields }) => {
      const { env } = harness;
      const mark = harness.mark();

      const response = await post(env, JSON.stringify({ ...env.request, ...change }));

      expect(response.status).toBe(400);
      expect(fieldsOf(response.body).sort()).toEqual([...fields].sort());
      expect(harness.callsSince(mark)).toEqual({ atlas: 0, ec2: 0, stepFunctions: 0 });
      expect(env.aws.requests.length).toBe(mark.aws);
    },
  );

  it('answers 400 for a body that is not JSON, calling neither AWS nor Atlas', async () => {
    const mark = harness.mark();

    const response = await post(harness.env, '{"groupId": "5f0c1a2b3c4d5e6f7a8b9c0d",');

    expect(response.status).toBe(400);
    expect(fieldsOf(response.body)).toEqual(['(body)']);
    expect(harness.env.aws.requests.length).toBe(mark.aws);
    expect(harness.env.atlas.requestLog.length).toBe(mark.atlas);
  });

  it('answers 400 for an Idempotency-Key with spaces, calling neither AWS nor Atlas', async () => {
    const mark = harness.mark();

    const response = await post(harness.env, JSON.stringify(harness.env.request), {
      'Idempotency-Key': 'two words',
    });

    expect(response.status).toBe(400);
    expect(fieldsOf(response.body)).toEqual(['Idempotency-Key']);
    expect(harness.env.aws.requests.length).toBe(mark.aws);
    expect(harness.env.atlas.requestLog.length).toBe(mark.atlas);
  });
});

describe('POST /endpoints with an Idempotency-Key', () => {
  let harness: Harness;
  beforeAll(async () => {
    harness = await startHarness();
  });
  afterAll(async () => {
    await harness?.env.close();
  });

  it('starts one execution and one VPC endpoint however often the same request is sent', async () => {
    const { env } = harness;
    const body = JSON.stringify(env.request);
    const key = { 'Idempotency-Key': 'order-4711' };

    const first = await post(env, body, key);
    const whileRunning = await post(env, body, key);
    await env.aws.waitForExecution(first.body.executionArn as string);
    const afterwards = await post(env, body, key);

    for (const response of [first, whileRunning, afterwards]) expect(response.status).toBe(202);
    expect(new Set([first, whileRunning, afterwards].map((r) => r.body.executionId)).size).toBe(1);
    expect(env.aws.executions).toHaveLength(1);
    expect(env.aws.executions[0]?.status).toBe('SUCCEEDED');
    expect(endpointsOf(env, first.body.executionId as string)).toHaveLength(1);
    expect(env.aws.requestCount({ action: 'CreateVpcEndpoint' })).toBe(1);
  });

  it('answers 409 when the key comes again with another body, starting nothing', async () => {
    const { env } = harness;
    const key = { 'Idempotency-Key': 'order-4712' };
    const first = await post(env, JSON.stringify(env.request), key);
    await env.aws.waitForExecution(first.body.executionArn as string);
    const executionsBefore = env.aws.executions.length;
    const createsBefore = env.aws.requestCount({ action: 'CreateVpcEndpoint' });

    const second = await post(env, JSON.stringify({ ...env.request, maxAttempts: 5 }), key);

    expect(second.status).toBe(409);
    expect(env.aws.executions).toHaveLength(executionsBefore);
    expect(env.aws.requestCount({ action: 'CreateVpcEndpoint' })).toBe(createsBefore);
  });

  it('gives another caller’s same key an execution of its own, and hides each from the other', async () => {
    // Prepare: the local API takes the caller from this header, as API Gateway does from the signature.
    const { env } = harness;
    const body = JSON.stringify(env.request);
    const key = { 'Idempotency-Key': 'order-4713' };
    const teamB = { [OFFLINE_CALLER_HEADER]: 'arn:aws:sts::123456789012:assumed-role/TeamB/run-1' };

    // Act
    const mine = await post(env, body, key);
    const theirs = await post(env, body, { ...key, ...teamB });
    await env.aws.waitForExecution(mine.body.executionArn as string);
    await env.aws.waitForExecution(theirs.body.executionArn as string);
    const read = (id: unknown, headers: Record<string, string> = {}) =>
      fetch(`${env.api.url}/endpoints/${id}`, { headers }).then((r) => r.status);
    const startsBefore = env.aws.requestCount({ action: 'StartExecution' });
    const deleted = await fetch(`${env.api.url}/endpoints/${mine.body.executionId}`, {
      method: 'DELETE',
      headers: teamB,
    });

    // Assess
    expect([mine.status, theirs.status]).toStrictEqual([202, 202]);
    expect(theirs.body.executionId).not.toBe(mine.body.executionId);
    expect(await read(mine.body.executionId)).toBe(200);
    expect(await read(mine.body.executionId, teamB)).toBe(404);
    expect(await read(theirs.body.executionId, teamB)).toBe(200);
    expect(await read(theirs.body.executionId)).toBe(404);
    expect(deleted.status).toBe(404);
    expect(env.aws.requestCount({ action: 'StartExecution' })).toBe(startsBefore);
    expect(endpointsOf(env, mine.body.executionId as string)[0]?.tags).toMatchObject({
      'atlas-privatelink:requested-by': OFFLINE_CALLER_ARN,
    });
    expect(endpointsOf(env, theirs.body.executionId as string)[0]?.tags).toMatchObject({
      'atlas-privatelink:requested-by': 'arn:aws:sts::123456789012:assumed-role/TeamB',
    });
  });
});

describe('GET /endpoints/{executionId}', () => {
  let env: OfflineEnvironment;
  beforeAll(async () => {
    env = await startOfflineEnvironment();
  });
  afterAll(async () => {
    await env?.close();
  });

  it('reports SUCCEEDED with the output once the provisioning is done', async () => {
    const started = await post(env, JSON.stringify(env.request));
    await env.aws.waitForExecution(started.body.executionArn as string);

    const response = await fetch(`${env.api.url}/endpoints/${started.body.executionId}`);
    const body = (await response.json()) as {
      status: string;
      output: ProvisioningResult;
      stoppedAt: unknown;
    };

    expect(response.status).toBe(200);
    expect(body.status).toBe('SUCCEEDED');
    expect(body.stoppedAt).toEqual(expect.any(String));
    const [endpoint] = endpointsOf(env, started.body.executionId as string);
    expect(body.output).toMatchObject({ status: 'AVAILABLE', vpcEndpointId: endpoint?.vpcEndpointId });
  });

  it('answers 404 for an id no provisioning has', async () => {
    const response = await fetch(`${env.api.url}/endpoints/no-such-execution`);

    expect(response.status).toBe(404);
  });
});

describe(`an "${WorkflowEvents.requested}" event, which EventBridge delivers twice`, () => {
  let harness: Harness;
  let eventBridge: EventBridgeClient;
  beforeAll(async () => {
    // EventBridge delivers at least once: every event here reaches the start function twice.
    harness = await startHarness({ eventDeliveries: 2 });
    eventBridge = new EventBridgeClient({
      endpoint: harness.env.aws.url,
      region: 'us-east-1',
      credentials: DUMMY_CREDENTIALS,
    });
  });
  afterAll(async () => {
    eventBridge?.destroy();
    await harness?.env.close();
  });

  async function putRequestedEvent(detail: unknown): Promise<ExecutionRecord> {
    const { env } = harness;
    const [executionArn] = await putEvent(detail);
    if (!executionArn) throw new Error('the event started no execution');
    return env.aws.waitForExecution(executionArn);
  }

  /** Puts one event; once both deliveries are done, the executions it started. */
  async function putEvent(detail: unknown, source = 'my.app'): Promise<readonly string[]> {
    const { env } = harness;
    const sent = await eventBridge.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: env.synthesized.eventBusName,
            Source: source,
            DetailType: WorkflowEvents.requested,
            Detail: JSON.stringify(detail),
          },
        ],
      }),
    );
    expect(sent.FailedEntryCount).toBe(0);
    await env.aws.eventDeliveriesSettled();
    const event = env.aws.events.find((e) => e.eventId === sent.Entries?.[0]?.EventId);
    expect(event?.targetErrors).toEqual([]);
    return event?.startedExecutionArns ?? [];
  }

  it('starts one execution for an event delivered twice, which provisions one endpoint', async () => {
    const executionsBefore = harness.env.aws.executions.length;

    const arns = await putEvent(harness.env.request);
    const execution = await harness.env.aws.waitForExecution(arns[0] as string);

    expect(arns).toHaveLength(1);
    expect(harness.env.aws.executions.length).toBe(executionsBefore + 1);
    expect(execution.name).toMatch(/^evt-[0-9a-f]{40}$/);
    expect(endpointsOf(harness.env, execution.name)).toHaveLength(1);
  });

  it('starts one execution for two events carrying the same idempotencyKey, leaving the key out of the input', async () => {
    const detail = { ...harness.env.request, idempotencyKey: 'order-4711' };

    const first = await putEvent(detail);
    const second = await putEvent(detail);
    const execution = await harness.env.aws.waitForExecution(first[0] as string);

    expect(second).toEqual(first);
    expect(execution.name).toMatch(/^key-[0-9a-f]{40}$/);
    // The input records the event's account and source as its caller.
    expect(JSON.parse(execution.input)).toEqual({
      ...harness.env.request,
      requestedBy: 'eventbridge:123456789012:my.app',
    });
  });

  it('fails the start function for a malformed idempotencyKey (Lambda then dead-letters it), starting nothing', async () => {
    const executionsBefore = harness.env.aws.executions.length;
    const sent = await eventBridge.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: harness.env.synthesized.eventBusName,
            Source: 'my.app',
            DetailType: WorkflowEvents.requested,
            Detail: JSON.stringify({ ...harness.env.request, idempotencyKey: 'has spaces in it' }),
          },
        ],
      }),
    );
    await harness.env.aws.eventDeliveriesSettled();

    const event = harness.env.aws.events.find((e) => e.eventId === sent.Entries?.[0]?.EventId);
    expect(event?.targetErrors[0]).toMatch(
      /^InvalidRequestError: .*detail\.idempotencyKey: expected 1 to 255/,
    );
    expect(harness.env.aws.executions.length).toBe(executionsBefore);
  });

  it('starts an execution with its detail, which provisions an endpoint', async () => {
    const execution = await putRequestedEvent({ ...harness.env.request, tags: { Environment: 'events' } });

    expect(execution.status).toBe('SUCCEEDED');
    expect(JSON.parse(execution.input)).toEqual({
      ...harness.env.request,
      tags: { Environment: 'events' },
      requestedBy: 'eventbridge:123456789012:my.app',
    });
    const output = JSON.parse(execution.output ?? '{}') as ProvisioningResult;
    const endpoints = endpointsOf(harness.env, execution.name);
    expect(endpoints.map((e) => e.vpcEndpointId)).toEqual([output.vpcEndpointId]);
    expect(endpoints[0]?.tags['atlas-privatelink:requested-by']).toBe('eventbridge:123456789012:my.app');
  });

  it('with a bad detail fails in its first state naming the field, calling neither EC2 nor Atlas', async () => {
    const mark = harness.mark();

    const execution = await putRequestedEvent({ ...harness.env.request, subnetIds: ['subnet-nope'] });

    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe(ErrorName.InvalidRequest);
    expect(execution.cause).toMatch(/^subnetIds\[0\]: /);
    const states = harness.statesEntered(execution.name);
    expect(states[0]).toBe('Validate request');
    expect(states).not.toContain('Find endpoint service');
    expect(states).not.toContain('Create VPC endpoint');
    const calls = harness.callsSince(mark);
    expect({ atlas: calls.atlas, ec2: calls.ec2 }).toEqual({ atlas: 0, ec2: 0 });
  });
  it("with the workflow's own source is a forgery the request rule ignores: nothing starts, nothing is called", async () => {
    // The source the synthesized state machine publishes its own events with.
    const { env } = harness;
    const publishing = env.synthesized.definition.States[env.synthesized.putEventsTasks[0] as string] ?? {};
    const workflowSource = (publishing.Parameters as { Entries: { Source: string }[] }).Entries[0]?.Source;
    const executionsBefore = env.aws.executions.length;
    const mark = harness.mark();

    const started = await putEvent({ ...env.request, idempotencyKey: 'forged-1' }, workflowSource);

    expect(workflowSource).toBe('atlas-privatelink');
    expect(started).toEqual([]);
    expect(env.aws.executions.length).toBe(executionsBefore);
    expect(harness.callsSince(mark)).toEqual({ atlas: 0, ec2: 0, stepFunctions: 0 });
  });

  it.each([
    ['vpcId', { vpcId: 'vpc-0fedcba9876543210' }, /^vpcId: .*allowedVpcIds/],
    ['groupId', { groupId: 'aaaaaaaaaaaaaaaaaaaaaaaa' }, /^groupId: .*allowedGroupIds/],
  ])(
    'for a %s outside the allow-lists fails in Validate request naming it, calling neither EC2 nor Atlas',
    async (_field, change, cause) => {
      const mark = harness.mark();

      const execution = await putRequestedEvent({ ...harness.env.request, ...change });

      expect(execution.status).toBe('FAILED');
      expect(execution.error).toBe(ErrorName.InvalidRequest);
      expect(execution.cause).toMatch(cause);
      const states = harness.statesEntered(execution.name);
      expect(states[0]).toBe('Validate request');
      expect(states).not.toContain('Find endpoint service');
      expect(states).not.toContain('Create VPC endpoint');
      const calls = harness.callsSince(mark);
      expect({ atlas: calls.atlas, ec2: calls.ec2 }).toEqual({ atlas: 0, ec2: 0 });
    },
  );
});

describe('a StartExecution from the console', () => {
  let harness: Harness;
  let sfn: SFNClient;
  beforeAll(async () => {
    harness = await startHarness();
    sfn = new SFNClient({
      endpoint: harness.env.aws.url,
      region: 'us-east-1',
      credentials: DUMMY_CREDENTIALS,
    });
  });
  afterAll(async () => {
    sfn?.destroy();
    await harness?.env.close();
  });

  async function start(name: string, input: string): Promise<ExecutionRecord> {
    const started = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: harness.env.synthesized.stateMachineArn, name, input }),
    );
    return harness.env.aws.waitForExecution(started.executionArn as string);
  }

  it("provisions an endpoint from the README's example input", async () => {
    const execution = await start('console-example', CONSOLE_EXAMPLE_INPUT);

    expect(execution.status).toBe('SUCCEEDED');
    const output = JSON.parse(execution.output ?? '{}') as ProvisioningResult;
    expect(output).toMatchObject({ status: 'AVAILABLE', executionName: 'console-example' });
    expect(endpointsOf(harness.env, 'console-example')).toHaveLength(1);
  });

  it('fails with InvalidRequestError naming the field when the input is bad', async () => {
    const mark = harness.mark();
    const input = JSON.parse(CONSOLE_EXAMPLE_INPUT) as Record<string, unknown>;

    const execution = await start('console-typo', JSON.stringify({ ...input, vpcId: 'vpc-0d3e' }));

    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe(ErrorName.InvalidRequest);
    expect(execution.cause).toMatch(/^vpcId: expected /);
    expect(harness.statesEntered('console-typo')).not.toContain('Create VPC endpoint');
    expect(harness.callsSince(mark)).toMatchObject({ atlas: 0, ec2: 0 });
  });

  it.each([
    ['vpcId', { vpcId: 'vpc-0fedcba9876543210' }, /^vpcId: .*allowedVpcIds/],
    ['groupId', { groupId: 'aaaaaaaaaaaaaaaaaaaaaaaa' }, /^groupId: .*allowedGroupIds/],
  ])(
    'fails with InvalidRequestError for a %s outside the allow-lists, calling neither EC2 nor Atlas',
    async (field, change, cause) => {
      const mark = harness.mark();
      const input = JSON.parse(CONSOLE_EXAMPLE_INPUT) as Record<string, unknown>;

      const execution = await start(`console-outside-${field}`, JSON.stringify({ ...input, ...change }));

      expect(execution.status).toBe('FAILED');
      expect(execution.error).toBe(ErrorName.InvalidRequest);
      expect(execution.cause).toMatch(cause);
      expect(harness.statesEntered(`console-outside-${field}`)).not.toContain('Create VPC endpoint');
      expect(harness.callsSince(mark)).toMatchObject({ atlas: 0, ec2: 0 });
    },
  );
});
