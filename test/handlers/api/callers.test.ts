/**
 * Executions belong to their caller: the adversarial cases of another caller's Idempotency-Key and
 * execution id, at the API's handlers (Step Functions and EC2 mocked), and the EventBridge caller.
 */
import { DescribeVpcEndpointsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  DescribeExecutionCommand,
  ExecutionDoesNotExist,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createDeleteProvisioningHandler } from '../../../lambdas/handlers/api/deleteProvisioning';
import { createGetProvisioningHandler } from '../../../lambdas/handlers/api/getProvisioning';
import { createListProvisioningsHandler } from '../../../lambdas/handlers/api/listProvisionings';
import { createStartFromEventHandler } from '../../../lambdas/handlers/api/startFromEvent';
import { createStartProvisioningHandler } from '../../../lambdas/handlers/api/startProvisioning';
import { GROUP, SUBNET, VPC } from '../fakeRuntime';
import {
  apiEvent,
  apiRuntime,
  CALLER,
  CALLER_ARN,
  DEPROVISIONING_STATE_MACHINE,
  OTHER_CALLER_ARN,
  STATE_MACHINE,
  signedBy,
} from './apiEvent';

const sfn = mockClient(SFNClient);
const ec2 = mockClient(EC2Client);
const STARTED = new Date('2026-03-01T10:00:00.000Z');
const body = { groupId: GROUP, region: 'us-east-1', vpcId: VPC, subnetIds: [SUBNET] };
const executionArnOf = (name: string) => `${STATE_MACHINE.replace(':stateMachine:', ':execution:')}:${name}`;
const NAME = 'key-0123456789abcdef0123456789abcdef01234567';
const SERVICE_ID = '6a0b1c2d3e4f5a6b7c8d9e0f';
const VPCE = 'vpce-0123456789abcdef0';
/** A reader named by its IAM role ARN (with a path), as `-c endpointReaders=` takes it. */
const READER_ROLE = 'arn:aws:iam::123456789012:role/audit/Auditor';
const READER_ARN = 'arn:aws:sts::123456789012:assumed-role/Auditor/alice@example.com';

beforeEach(() => {
  sfn.reset();
  ec2.reset();
  sfn.on(StartExecutionCommand).callsFake((input: { name: string; stateMachineArn: string }) => ({
    executionArn: `${input.stateMachineArn.replace(':stateMachine:', ':execution:')}:${input.name}`,
    startDate: STARTED,
  }));
  ec2.on(DescribeVpcEndpointsCommand).resolves({ VpcEndpoints: [] });
});

/** A succeeded provisioning named NAME whose input records `requestedBy` (none: a console start). */
function succeededProvisioning(requestedBy: string | undefined) {
  sfn.on(DescribeExecutionCommand).rejects(new ExecutionDoesNotExist({ message: 'none', $metadata: {} }));
  sfn.on(DescribeExecutionCommand, { executionArn: executionArnOf(NAME) }).resolves({
    executionArn: executionArnOf(NAME),
    name: NAME,
    status: 'SUCCEEDED',
    startDate: STARTED,
    stopDate: STARTED,
    input: JSON.stringify({ ...body, ...(requestedBy ? { requestedBy } : {}) }),
    output: JSON.stringify({
      status: 'AVAILABLE',
      vpcEndpointId: VPCE,
      groupId: GROUP,
      endpointServiceId: SERVICE_ID,
    }),
  });
}

/** A request signed by `userArn`; undefined: one that reached the function without IAM authorization. */
const as = (userArn: string | undefined, event: Partial<APIGatewayProxyEvent>) => {
  const { identity: _unsigned, ...context } = signedBy(CALLER_ARN);
  return apiEvent({
    ...event,
    requestContext: userArn ? signedBy(userArn) : (context as APIGatewayProxyEvent['requestContext']),
  });
};
const post = (userArn: string, headers: Record<string, string>, payload: unknown = body) =>
  createStartProvisioningHandler(apiRuntime())(
    as(userArn, {
      body: JSON.stringify(payload),
      headers: { Host: 'abc123.execute-api.us-east-1.amazonaws.com', ...headers },
    }),
  );
const byId = (method: string) => ({
  httpMethod: method,
  resource: '/endpoints/{executionId}',
  pathParameters: { executionId: NAME },
});
const started = () => sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input);

describe('GIVEN two callers sending the same Idempotency-Key', () => {
  it('WHEN both POST THEN each gets an execution of its own, recording its own caller', async () => {
    // Act
    const alice = JSON.parse((await post(CALLER_ARN, { 'Idempotency-Key': 'order-42' })).body);
    const bob = JSON.parse((await post(OTHER_CALLER_ARN, { 'Idempotency-Key': 'order-42' })).body);

    // Assess
    expect(alice.executionId).toMatch(/^key-[0-9a-f]{40}$/);
    expect(bob.executionId).toMatch(/^key-[0-9a-f]{40}$/);
    expect(bob.executionId).not.toBe(alice.executionId);
    expect(started().map((s) => JSON.parse(s.input ?? '{}').requestedBy)).toStrictEqual([
      CALLER,
      'arn:aws:sts::123456789012:assumed-role/TeamB',
    ]);
    // Neither looked at the other's: two fresh starts, no read of an existing execution.
    expect(sfn.commandCalls(DescribeExecutionCommand)).toHaveLength(0);
  });

  it('WHEN one caller repeats it from another session of its role THEN it finds the same execution', async () => {
    const first = JSON.parse((await post(CALLER_ARN, { 'Idempotency-Key': 'order-42' })).body);
    const again = JSON.parse(
      (await post('arn:aws:sts::123456789012:assumed-role/TeamA/ci-run-2', { 'Idempotency-Key': 'order-42' }))
        .body,
    );

    expect(again.executionId).toBe(first.executionId);
    expect(started()[1]?.input).toBe(started()[0]?.input);
  });
});

describe('POST /endpoints and the caller', () => {
  it('answers 400 naming requestedBy when the body claims a caller, and starts nothing', async () => {
    const response = await post(
      CALLER_ARN,
      {},
      { ...body, requestedBy: 'arn:aws:iam::123456789012:user/admin' },
    );

    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body).errors).toStrictEqual([
      {
        field: 'requestedBy',
        message: 'set by this API from the request’s signature; leave it out of the body',
      },
    ]);
    expect(sfn.calls()).toHaveLength(0);
  });

  it.each([
    [
      'POST',
      () => createStartProvisioningHandler(apiRuntime())(as(undefined, { body: JSON.stringify(body) })),
    ],
    ['GET', () => createGetProvisioningHandler(apiRuntime())(as(undefined, byId('GET')))],
    ['DELETE', () => createDeleteProvisioningHandler(apiRuntime())(as(undefined, byId('DELETE')))],
    ['the list', () => createListProvisioningsHandler(apiRuntime())(as(undefined, { httpMethod: 'GET' }))],
  ])('answers %s without an IAM caller with 403, and calls nothing', async (_what, call) => {
    const response = await call();

    expect(response.statusCode).toBe(403);
    expect(sfn.calls()).toHaveLength(0);
  });
});

describe('GIVEN a provisioning another caller started', () => {
  beforeEach(() => succeededProvisioning('arn:aws:sts::123456789012:assumed-role/TeamB'));

  it('WHEN this caller GETs its id THEN the answer is the 404 of an unknown id', async () => {
    // Act
    const response = await createGetProvisioningHandler(apiRuntime())(as(CALLER_ARN, byId('GET')));

    // Assess
    expect(response.statusCode).toBe(404);
    expect(JSON.parse(response.body)).toStrictEqual({ message: `No provisioning with id "${NAME}".` });
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('WHEN this caller DELETEs it THEN the answer is 404 and no deprovisioning starts', async () => {
    // Act
    const response = await createDeleteProvisioningHandler(apiRuntime())(as(CALLER_ARN, byId('DELETE')));

    // Assess
    expect(response.statusCode).toBe(404);
    expect(JSON.parse(response.body)).toStrictEqual({ message: `No provisioning with id "${NAME}".` });
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('WHEN its own caller DELETEs it, from any session THEN its deprovisioning starts', async () => {
    const response = await createDeleteProvisioningHandler(apiRuntime())(
      as('arn:aws:sts::123456789012:assumed-role/TeamB/another-session', byId('DELETE')),
    );

    expect(response.statusCode).toBe(202);
    expect(started().map((s) => s.stateMachineArn)).toStrictEqual([DEPROVISIONING_STATE_MACHINE]);
  });

  it('WHEN an endpoint reader GETs it THEN the reader sees it', async () => {
    const response = await createGetProvisioningHandler(apiRuntime([READER_ROLE]))(
      as(READER_ARN, byId('GET')),
    );

    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ executionId: NAME, vpcEndpointId: VPCE });
  });
});

describe('GIVEN a provisioning started on the state machine itself (no caller recorded)', () => {
  beforeEach(() => succeededProvisioning(undefined));

  it('WHEN an API caller GETs or DELETEs it THEN both are 404 and nothing starts', async () => {
    const got = await createGetProvisioningHandler(apiRuntime())(as(CALLER_ARN, byId('GET')));
    const deleted = await createDeleteProvisioningHandler(apiRuntime())(as(CALLER_ARN, byId('DELETE')));

    expect([got.statusCode, deleted.statusCode]).toStrictEqual([404, 404]);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('WHEN an endpoint reader DELETEs it THEN its deprovisioning starts', async () => {
    const response = await createDeleteProvisioningHandler(apiRuntime([READER_ROLE]))(
      as(READER_ARN, byId('DELETE')),
    );

    expect(response.statusCode).toBe(202);
  });
});

describe('GET /endpoints lists the caller’s own', () => {
  const mine = 'key-1111111111111111111111111111111111111111';
  const theirs = 'key-2222222222222222222222222222222222222222';
  const console = 'console-run-1';

  beforeEach(() => {
    const owners: Record<string, string | undefined> = {
      [mine]: CALLER,
      [theirs]: 'arn:aws:sts::123456789012:assumed-role/TeamB',
      [console]: undefined,
    };
    sfn.on(ListExecutionsCommand).resolves({
      executions: Object.keys(owners).map((name) => ({
        executionArn: executionArnOf(name),
        stateMachineArn: STATE_MACHINE,
        name,
        status: 'FAILED',
        startDate: STARTED,
      })),
    });
    sfn.on(DescribeExecutionCommand).callsFake((input: { executionArn: string }) => {
      const name = input.executionArn.split(':').at(-1) as string;
      const owner = owners[name];
      return {
        executionArn: input.executionArn,
        name,
        status: 'FAILED',
        startDate: STARTED,
        input: JSON.stringify({ ...body, ...(owner ? { requestedBy: owner } : {}) }),
      };
    });
  });

  it('shows a caller only the provisionings it started', async () => {
    const response = await createListProvisioningsHandler(apiRuntime())(
      as(CALLER_ARN, { httpMethod: 'GET' }),
    );

    expect(JSON.parse(response.body).items.map((i: { executionId: string }) => i.executionId)).toStrictEqual([
      mine,
    ]);
  });

  it('shows an endpoint reader every provisioning', async () => {
    const response = await createListProvisioningsHandler(apiRuntime([READER_ROLE]))(
      as(READER_ARN, { httpMethod: 'GET' }),
    );

    expect(JSON.parse(response.body).items.map((i: { executionId: string }) => i.executionId)).toStrictEqual([
      mine,
      theirs,
      console,
    ]);
  });
});

describe('an Atlas Private Endpoint Requested event', () => {
  const event = (source: string, detail: Record<string, unknown>) => ({
    version: '0',
    id: 'e-1',
    'detail-type': 'Atlas Private Endpoint Requested',
    source,
    account: '210987654321',
    time: STARTED.toISOString(),
    region: 'us-east-1',
    resources: [],
    detail,
  });

  it('records the event’s account and source as the caller, whatever the detail claims', async () => {
    // Act
    await createStartFromEventHandler(apiRuntime())(
      event('my.app', { ...body, idempotencyKey: 'k-1', requestedBy: CALLER }),
    );

    // Assess
    expect(JSON.parse(started()[0]?.input ?? '{}')).toStrictEqual({
      ...body,
      requestedBy: 'eventbridge:210987654321:my.app',
    });
  });

  it('gives the same idempotencyKey from another source another execution', async () => {
    await createStartFromEventHandler(apiRuntime())(event('my.app', { ...body, idempotencyKey: 'k-1' }));
    await createStartFromEventHandler(apiRuntime())(event('other.app', { ...body, idempotencyKey: 'k-1' }));

    const [first, second] = started().map((s) => s.name);
    expect(second).not.toBe(first);
  });
});
