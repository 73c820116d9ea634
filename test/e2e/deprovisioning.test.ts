/**
 * Deprovisioning, end to end: a provisioning through the local API, then its deletion through each of the
 * three ways in (DELETE /endpoints/{id}, an `Atlas Private Endpoint Deletion Requested` event, a console
 * StartExecution of the deprovisioning state machine), every one run by the synthesized deprovisioning
 * state machine against both emulators, the real handlers and clients.
 */
import { CreateVpcEndpointCommand, EC2Client } from '@aws-sdk/client-ec2';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowEvents } from '../../infra/events';
import { ManagedTag } from '../../lambdas/domain/request';
import { ErrorName } from '../../lambdas/errors';
import { lambdaRuntime } from '../../lambdas/handlers/runtime';
import { AwsService, DEMO_SUBNET_IDS, DEMO_VPC_ID, type ExecutionRecord } from '../../local/aws-emulator';
import { type OfflineEnvironment, startOfflineEnvironment } from '../../local/offline/OfflineEnvironment';
import { OFFLINE_CALLER_ARN } from '../../local/offline/offlineCaller';
import { atlasScriptOf } from '../../local/offline/scenario';
import { sweepOffline } from '../../local/offline/sweepOffline';

const DUMMY_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

let env: OfflineEnvironment;
let eventBridge: EventBridgeClient;
let sfn: SFNClient;
/** States entered, by execution name. */
const entered = new Map<string, string[]>();

beforeAll(async () => {
  env = await startOfflineEnvironment({
    onEvent: (name, event) => {
      if (event.type === 'StateEntered') entered.set(name, [...(entered.get(name) ?? []), event.state.name]);
    },
  });
  const client = { endpoint: env.aws.url, region: 'us-east-1', credentials: DUMMY_CREDENTIALS };
  eventBridge = new EventBridgeClient(client);
  sfn = new SFNClient(client);
});
afterAll(async () => {
  eventBridge?.destroy();
  sfn?.destroy();
  await env?.close();
});
afterEach(() => {
  env.aws.clearFaults();
});

async function call(
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${env.api.url}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Provisions one endpoint through the API; its execution id and VPC endpoint id. */
async function provision(
  tags: Record<string, string> = {},
): Promise<{ executionId: string; executionArn: string; vpcEndpointId: string }> {
  const started = await call('POST', '/endpoints', {
    ...env.request,
    tags: { ...tags, run: String(Math.random()) },
  });
  expect(started.status).toBe(202);
  const execution = await env.aws.waitForExecution(started.body.executionArn as string);
  expect(execution.status, execution.cause).toBe('SUCCEEDED');
  const output = JSON.parse(execution.output ?? '{}') as { vpcEndpointId: string };
  return {
    executionId: execution.name,
    executionArn: execution.executionArn,
    vpcEndpointId: output.vpcEndpointId,
  };
}

function deprovisioningsOf(executionId: string): ExecutionRecord[] {
  return env.aws.executions.filter(
    (e) =>
      e.stateMachineArn === env.synthesized.deprovisioning.stateMachineArn &&
      (JSON.parse(e.input) as { executionId?: string }).executionId === executionId,
  );
}

const ec2State = (vpcEndpointId: string) =>
  env.aws.vpcEndpoints.find((e) => e.vpcEndpointId === vpcEndpointId)?.state;
const atlasHas = (vpcEndpointId: string) => env.atlas.endpoints().some((e) => e.endpointId === vpcEndpointId);

function deletedEvents(vpcEndpointId: string) {
  return env.aws.events.filter(
    (e) =>
      e.detailType === WorkflowEvents.deleted &&
      (e.detail as { vpcEndpointId?: string }).vpcEndpointId === vpcEndpointId,
  );
}

describe('DELETE /endpoints/{executionId}', () => {
  it('answers 202 and deletes the registration, then the VPC endpoint, then publishes Deleted; GET shows DELETED', async () => {
    const { executionId, vpcEndpointId } = await provision();
    expect(atlasHas(vpcEndpointId)).toBe(true);

    const response = await call('DELETE', `/endpoints/${executionId}`);
    expect(response.status).toBe(202);
    expect(response.body).toMatchObject({ executionId, vpcEndpointId, status: 'DELETING' });
    const run = await env.aws.waitForExecution(response.body.deprovisioningArn as string);

    expect(run.status, run.cause).toBe('SUCCEEDED');
    expect(JSON.parse(run.output ?? '{}')).toMatchObject({
      status: 'DELETED',
      executionId,
      vpcEndpointId,
      endpointService: { outcome: 'KEPT' },
    });
    expect(atlasHas(vpcEndpointId)).toBe(false);
    expect(ec2State(vpcEndpointId)).toBe('deleted');
    const states = entered.get(run.name) ?? [];
    expect(states.indexOf('Delete Atlas registration')).toBeLessThan(states.indexOf('Delete VPC endpoint'));
    expect(states).not.toContain('Delete endpoint service');
    await env.aws.eventDeliveriesSettled();
    expect(deletedEvents(vpcEndpointId)).toHaveLength(1);

    const shown = await call('GET', `/endpoints/${executionId}`);
    expect(shown.body).toMatchObject({
      status: 'SUCCEEDED',
      lifecycleStatus: 'DELETED',
      deprovisioning: { deprovisioningId: run.name, status: 'SUCCEEDED' },
    });
  });

  it('answers a repeat with the same deprovisioning, during and after it', async () => {
    const { executionId } = await provision();

    const first = await call('DELETE', `/endpoints/${executionId}`);
    const during = await call('DELETE', `/endpoints/${executionId}`);
    await env.aws.waitForExecution(first.body.deprovisioningArn as string);
    const after = await call('DELETE', `/endpoints/${executionId}`);

    expect([first.status, during.status, after.status]).toEqual([202, 202, 202]);
    expect(during.body.deprovisioningId).toBe(first.body.deprovisioningId);
    expect(after.body).toMatchObject({ deprovisioningId: first.body.deprovisioningId, status: 'DELETED' });
    expect(deprovisioningsOf(executionId)).toHaveLength(1);
  });

  it('answers 404 for an unknown id, and 409 naming the status of a running or failed provisioning', async () => {
    const unknown = await call('DELETE', '/endpoints/no-such-provisioning');
    expect(unknown.status).toBe(404);

    const started = await call('POST', '/endpoints', { ...env.request, tags: { t: 'still running' } });
    const running = await call('DELETE', `/endpoints/${started.body.executionId}`);
    expect(running.status).toBe(409);
    expect(running.body).toMatchObject({ status: 'RUNNING' });
    expect(String(running.body.message)).toContain('RUNNING');

    await env.aws.waitForExecution(started.body.executionArn as string);
    // Once it ended, the same DELETE is taken (and leaves the project as the next test expects it).
    const later = await call('DELETE', `/endpoints/${started.body.executionId}`);
    expect(later.status, JSON.stringify(later.body)).toBe(202);
    await env.aws.waitForExecution(later.body.deprovisioningArn as string);

    // A provisioning of this caller that failed (a console start with a bad input fails in Validate
    // request; it records the caller as the API would, or the API would answer 404 for it).
    const failed = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: env.synthesized.stateMachineArn,
        name: 'failed-provisioning',
        input: JSON.stringify({
          ...env.request,
          subnetIds: ['subnet-nope'],
          requestedBy: OFFLINE_CALLER_ARN,
        }),
      }),
    );
    const failedRun = await env.aws.waitForExecution(failed.executionArn as string);
    expect(failedRun.status).toBe('FAILED');
    const refused = await call('DELETE', '/endpoints/failed-provisioning');
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ status: 'FAILED' });
  });

  it('answers 400 naming the field for a bad body, calling neither AWS nor Atlas', async () => {
    const atlasBefore = env.atlas.requestLog.length;
    const awsBefore = env.aws.requests.length;

    const response = await call('DELETE', '/endpoints/some-provisioning', { deleteEndpointService: 'yes' });
    const badId = await call('DELETE', '/endpoints/has%20a%20space');
    const notJson = await call('DELETE', '/endpoints/some-provisioning', '{not json');

    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual([expect.objectContaining({ field: 'deleteEndpointService' })]);
    expect(badId.status).toBe(400);
    expect(badId.body.errors).toEqual([expect.objectContaining({ field: 'executionId' })]);
    expect(notJson.status).toBe(400);
    expect(notJson.body.errors).toEqual([expect.objectContaining({ field: '(body)' })]);
    expect(env.atlas.requestLog.length).toBe(atlasBefore);
    expect(env.aws.requests.length).toBe(awsBefore);
  });

  it('deletes the endpoint service when asked and no other endpoint uses it', async () => {
    const { executionId, vpcEndpointId } = await provision();
    // The other endpoints of the earlier tests are gone: only this one uses the service.
    const others = env.atlas.endpoints().filter((e) => e.endpointId !== vpcEndpointId);
    expect(others).toEqual([]);

    const response = await call('DELETE', `/endpoints/${executionId}`, { deleteEndpointService: true });
    const run = await env.aws.waitForExecution(response.body.deprovisioningArn as string);

    expect(run.status, run.cause).toBe('SUCCEEDED');
    expect(JSON.parse(run.output ?? '{}')).toMatchObject({ endpointService: { outcome: 'DELETED' } });
    expect(env.atlas.services()).toEqual([]);
  });

  it('keeps the endpoint service when asked but another endpoint uses it', async () => {
    const first = await provision();
    const second = await provision();

    const response = await call('DELETE', `/endpoints/${first.executionId}`, { deleteEndpointService: true });
    const run = await env.aws.waitForExecution(response.body.deprovisioningArn as string);

    expect(run.status, run.cause).toBe('SUCCEEDED');
    expect(JSON.parse(run.output ?? '{}')).toMatchObject({
      endpointService: { outcome: 'KEPT', reason: expect.stringContaining(second.vpcEndpointId) },
    });
    expect(atlasHas(second.vpcEndpointId)).toBe(true);
    expect(ec2State(second.vpcEndpointId)).toBe('available');
  });
});

describe('an Atlas Private Endpoint Deletion Requested event', () => {
  async function putDeletion(detail: unknown): Promise<ExecutionRecord> {
    const sent = await eventBridge.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: env.synthesized.eventBusName,
            Source: 'my.app',
            DetailType: WorkflowEvents.deletionRequested,
            Detail: JSON.stringify(detail),
          },
        ],
      }),
    );
    expect(sent.FailedEntryCount).toBe(0);
    await env.aws.eventDeliveriesSettled();
    const event = env.aws.events.find((e) => e.eventId === sent.Entries?.[0]?.EventId);
    expect(event?.targetErrors).toEqual([]);
    const started = env.aws.executions.filter(
      (e) => e.stateMachineArn === env.synthesized.deprovisioning.stateMachineArn,
    );
    const latest = started.at(-1);
    if (!latest) throw new Error('the event started no deprovisioning');
    return env.aws.waitForExecution(latest.executionArn);
  }

  it('with { executionId } deletes that provisioning’s endpoint', async () => {
    const { executionId, vpcEndpointId } = await provision();

    const run = await putDeletion({ executionId });

    expect(run.status, run.cause).toBe('SUCCEEDED');
    expect(ec2State(vpcEndpointId)).toBe('deleted');
    expect(atlasHas(vpcEndpointId)).toBe(false);
  });

  it('with { vpcEndpointId } finds its provisioning by the tags, proves it by the output, and deletes it', async () => {
    const { executionId, vpcEndpointId } = await provision();

    const run = await putDeletion({ vpcEndpointId });

    expect(run.status, run.cause).toBe('SUCCEEDED');
    expect(JSON.parse(run.output ?? '{}')).toMatchObject({ executionId, vpcEndpointId });
    expect(ec2State(vpcEndpointId)).toBe('deleted');
  });

  it('for an endpoint this deployment did not create, or that its provisioning did not record, fails typed, deleting nothing', async () => {
    const ours = await provision();
    const service = env.atlas.services()[0];
    const ec2 = new EC2Client({ endpoint: env.aws.url, region: 'us-east-1', credentials: DUMMY_CREDENTIALS });
    /** An endpoint to the same service carrying `managedBy` and every other tag of ours, down to our execution. */
    const lookalike = async (managedBy: string) =>
      (
        await ec2.send(
          new CreateVpcEndpointCommand({
            VpcEndpointType: 'Interface',
            VpcId: DEMO_VPC_ID,
            ServiceName: service?.endpointServiceName ?? '',
            SubnetIds: [DEMO_SUBNET_IDS[0]],
            PrivateDnsEnabled: false,
            TagSpecifications: [
              {
                ResourceType: 'vpc-endpoint',
                Tags: [
                  { Key: ManagedTag.managedBy, Value: managedBy },
                  { Key: ManagedTag.execution, Value: ours.executionArn },
                  { Key: ManagedTag.groupId, Value: String(env.request.groupId) },
                  { Key: ManagedTag.endpointServiceId, Value: service?.id ?? '' },
                ],
              },
            ],
          }),
        )
      ).VpcEndpoint?.VpcEndpointId as string;
    const foreign = await lookalike('another-deployment');
    const unrecorded = await lookalike(lambdaRuntime().managedBy());
    ec2.destroy();
    const deletesBefore = env.aws.requestCount({ service: AwsService.EC2, action: 'DeleteVpcEndpoints' });
    const atlasDeletesBefore = env.atlas.requestLog.filter((r) => r.method === 'DELETE').length;

    const refusedForeign = await putDeletion({ vpcEndpointId: foreign });
    const refusedUnrecorded = await putDeletion({ vpcEndpointId: unrecorded });
    const refusedUnknown = await putDeletion({ vpcEndpointId: 'vpce-0fffffffffffffff0' });

    for (const run of [refusedForeign, refusedUnrecorded, refusedUnknown]) {
      expect(run.status).toBe('FAILED');
      expect(run.error).toBe(ErrorName.ProvisioningNotFound);
    }
    expect(refusedUnrecorded.cause).toContain(ours.vpcEndpointId);
    expect(env.aws.requestCount({ service: AwsService.EC2, action: 'DeleteVpcEndpoints' })).toBe(
      deletesBefore,
    );
    expect(env.atlas.requestLog.filter((r) => r.method === 'DELETE').length).toBe(atlasDeletesBefore);
    expect(ec2State(ours.vpcEndpointId)).toBe('available');
    expect(atlasHas(ours.vpcEndpointId)).toBe(true);
    await env.aws.eventDeliveriesSettled();
    expect(
      env.aws.events.filter((e) => e.detailType === WorkflowEvents.deletionFailed).length,
    ).toBeGreaterThanOrEqual(3);

    // Leave the project as the next tests expect it: only what they make.
    const cleanup = await call('DELETE', `/endpoints/${ours.executionId}`);
    await env.aws.waitForExecution(cleanup.body.deprovisioningArn as string);
  });
});

describe('a StartExecution of the deprovisioning from the console', () => {
  async function start(name: string, input: string): Promise<ExecutionRecord> {
    const started = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: env.synthesized.deprovisioning.stateMachineArn,
        name,
        input,
      }),
    );
    return env.aws.waitForExecution(started.executionArn as string);
  }

  it('deletes the endpoint of the provisioning it names', async () => {
    const { executionId, vpcEndpointId } = await provision();

    const run = await start('console-delete', JSON.stringify({ executionId }));

    expect(run.status, run.cause).toBe('SUCCEEDED');
    expect(ec2State(vpcEndpointId)).toBe('deleted');
    expect(atlasHas(vpcEndpointId)).toBe(false);
  });

  it('fails with InvalidRequestError naming the field for a bad input, calling neither EC2 nor Atlas', async () => {
    const atlasBefore = env.atlas.requestLog.length;
    const ec2Before = env.aws.requests.filter((r) => r.service === AwsService.EC2).length;

    const run = await start('console-bad', JSON.stringify({ executionId: 'has spaces' }));

    expect(run.status).toBe('FAILED');
    expect(run.error).toBe(ErrorName.InvalidRequest);
    expect(run.cause).toContain('executionId');
    expect(env.atlas.requestLog.length).toBe(atlasBefore);
    expect(env.aws.requests.filter((r) => r.service === AwsService.EC2).length).toBe(ec2Before);
  });
});

describe('faults during a deprovisioning', () => {
  afterEach(() => {
    env.atlas.setScript(atlasScriptOf({}));
  });

  async function deleteThrough(executionId: string): Promise<ExecutionRecord> {
    const response = await call('DELETE', `/endpoints/${executionId}`);
    expect(response.status).toBe(202);
    return env.aws.waitForExecution(response.body.deprovisioningArn as string);
  }

  it('rides out Atlas 429s and 5xx on the registration’s reads and deletion', async () => {
    const { executionId, vpcEndpointId } = await provision();
    const mark = env.atlas.requestLog.length;
    env.atlas.setScript({
      ...atlasScriptOf({}),
      faults: [
        { method: 'GET', path: `/endpoint/${vpcEndpointId}`, status: 429, retryAfter: 1, times: 2 },
        { method: 'DELETE', path: `/endpoint/${vpcEndpointId}`, status: 503, times: 2 },
        { method: 'GET', path: `/endpoint/${vpcEndpointId}`, status: 500, times: 1 },
      ],
    });

    const run = await deleteThrough(executionId);

    expect(run.status, run.cause).toBe('SUCCEEDED');
    const faulted = env.atlas.requestLog.slice(mark).filter((r) => r.status >= 429);
    expect(faulted.map((r) => r.status).sort()).toEqual([429, 429, 500, 503, 503]);
    expect(atlasHas(vpcEndpointId)).toBe(false);
    expect(ec2State(vpcEndpointId)).toBe('deleted');
  });

  it('rides out EC2 throttling on DescribeVpcEndpoints and DeleteVpcEndpoints', async () => {
    const { executionId, vpcEndpointId } = await provision();
    const hitsBefore = env.aws.faultHits();
    env.aws.addFault({ action: 'DeleteVpcEndpoints', code: 'RequestLimitExceeded', status: 503, times: 3 });
    env.aws.addFault({ action: 'DescribeVpcEndpoints', code: 'RequestLimitExceeded', status: 503, times: 3 });

    const run = await deleteThrough(executionId);

    expect(run.status, run.cause).toBe('SUCCEEDED');
    expect(env.aws.faultHits() - hitsBefore).toBe(6);
    expect(ec2State(vpcEndpointId)).toBe('deleted');
  });

  it('fails typed on a persistent Atlas fault, publishes Deletion Failed, and a later DELETE finishes the job', async () => {
    const { executionId, vpcEndpointId } = await provision();
    env.atlas.setScript({
      ...atlasScriptOf({}),
      faults: [{ method: 'DELETE', path: `/endpoint/${vpcEndpointId}`, status: 500, times: -1 }],
    });

    const failed = await deleteThrough(executionId);

    expect(failed.status).toBe('FAILED');
    expect(failed.error).toBe(ErrorName.AtlasServer);
    expect(ec2State(vpcEndpointId)).toBe('available'); // the registration first: the endpoint stays its record
    await env.aws.eventDeliveriesSettled();
    expect(
      env.aws.events.filter(
        (e) =>
          e.detailType === WorkflowEvents.deletionFailed &&
          (e.detail as { executionId?: string }).executionId === executionId,
      ),
    ).toHaveLength(1);
    expect((await call('GET', `/endpoints/${executionId}`)).body).toMatchObject({
      lifecycleStatus: 'DELETING',
    });

    env.atlas.setScript(atlasScriptOf({}));
    const retried = await deleteThrough(executionId);

    expect(retried.status, retried.cause).toBe('SUCCEEDED');
    expect(retried.name).toBe(`${failed.name}-2`);
    expect(ec2State(vpcEndpointId)).toBe('deleted');
    expect(atlasHas(vpcEndpointId)).toBe(false);
  });

  it('leaves a crashed deprovisioning’s endpoint to the sweep, which removes it from both sides', async () => {
    const { executionId, vpcEndpointId } = await provision();
    env.deprovisioning.abortBefore('Delete VPC endpoint');

    const crashed = await deleteThrough(executionId);

    expect(crashed.status).toBe('ABORTED');
    expect(atlasHas(vpcEndpointId)).toBe(false);
    // EC2 shows the endpoint Atlas let go of as rejected; it is still there.
    expect(ec2State(vpcEndpointId)).not.toBe('deleted');

    const passes = await sweepOffline(env);

    expect(passes[0]?.orphans).toEqual([
      expect.objectContaining({ executionName: executionId, vpcEndpointIds: [vpcEndpointId] }),
    ]);
    expect(ec2State(vpcEndpointId)).toBe('deleted');
  });
});

describe('GET /endpoints', () => {
  it('lists this deployment’s provisionings newest first, a page at a time, with their lifecycle status', async () => {
    const older = await provision();
    const deleted = await call('DELETE', `/endpoints/${older.executionId}`);
    await env.aws.waitForExecution(deleted.body.deprovisioningArn as string);
    const newer = await provision();

    const first = await call('GET', '/endpoints?limit=1');
    const second = await call('GET', `/endpoints?limit=1&nextToken=${first.body.nextToken as string}`);

    expect(first.status).toBe(200);
    expect(first.body.items).toEqual([
      {
        executionId: newer.executionId,
        groupId: env.request.groupId,
        region: 'us-east-1',
        vpcEndpointId: newer.vpcEndpointId,
        status: 'AVAILABLE',
        startedAt: expect.any(String),
      },
    ]);
    expect(second.body.items).toEqual([
      expect.objectContaining({
        executionId: older.executionId,
        status: 'DELETED',
        vpcEndpointId: older.vpcEndpointId,
      }),
    ]);
    const all = await call('GET', '/endpoints?limit=50');
    // The caller's own: every provisioning whose input records it.
    const provisionings = env.aws.executions.filter(
      (e) =>
        e.stateMachineArn === env.synthesized.stateMachineArn &&
        JSON.parse(e.input).requestedBy === OFFLINE_CALLER_ARN,
    );
    expect((all.body.items as { executionId: string }[]).map((i) => i.executionId)).toEqual(
      provisionings.map((e) => e.name).reverse(),
    );
    const startedAts = (all.body.items as { startedAt: string }[]).map((i) => Date.parse(i.startedAt));
    expect(startedAts).toEqual([...startedAts].sort((a, b) => b - a));
  });

  it('answers 400 naming limit or nextToken, calling nothing', async () => {
    const awsBefore = env.aws.requests.length;

    const badLimit = await call('GET', '/endpoints?limit=0');
    const badToken = await call('GET', '/endpoints?nextToken=not-ours');
    const unknown = await call('GET', '/endpoints?status=AVAILABLE');

    expect([badLimit.status, badToken.status, unknown.status]).toEqual([400, 400, 400]);
    expect(badLimit.body.errors).toEqual([expect.objectContaining({ field: 'limit' })]);
    expect(badToken.body.errors).toEqual([expect.objectContaining({ field: 'nextToken' })]);
    expect(unknown.body.errors).toEqual([expect.objectContaining({ field: 'status' })]);
    expect(env.aws.requests.length).toBe(awsBefore);
  });
});
