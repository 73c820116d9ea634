import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { RequestLimits } from '../../../lambdas/domain/request';
import { createStartProvisioningHandler } from '../../../lambdas/handlers/api/startProvisioning';
import { GROUP, SUBNET, VPC } from '../fakeRuntime';
import { apiEvent, apiRuntime, CALLER, STATE_MACHINE } from './apiEvent';

const sfn = mockClient(SFNClient);
const STARTED = new Date('2026-03-01T10:00:00.000Z');
const body = { groupId: GROUP, region: 'us-east-1', vpcId: VPC, subnetIds: [SUBNET] };
const executionArnOf = (name: string) => `${STATE_MACHINE.replace(':stateMachine:', ':execution:')}:${name}`;

beforeEach(() => {
  sfn.reset();
  sfn.on(StartExecutionCommand).callsFake((input: { name: string }) => ({
    executionArn: executionArnOf(input.name),
    startDate: STARTED,
  }));
});

const handler = createStartProvisioningHandler(apiRuntime());
const post = (payload: unknown, headers: Record<string, string> = {}) =>
  handler(
    apiEvent({
      body: typeof payload === 'string' ? payload : JSON.stringify(payload),
      headers: { Host: 'abc123.execute-api.us-east-1.amazonaws.com', ...headers },
    }),
  );
const startedNames = () => sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input.name);

describe('POST /endpoints', () => {
  it('starts an execution with the validated request and answers 202 with Location and executionId', async () => {
    // Act
    const response = await post(body);

    // Assess
    const json = JSON.parse(response.body);
    const [name] = startedNames();
    expect(response.statusCode).toBe(202);
    expect(json).toStrictEqual({
      executionArn: executionArnOf(name!),
      executionId: name,
      statusUrl: `https://abc123.execute-api.us-east-1.amazonaws.com/v1/endpoints/${name}`,
      startedAt: STARTED.toISOString(),
    });
    expect(response.headers?.Location).toBe(json.statusUrl);
    expect(JSON.parse(sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input.input!)).toStrictEqual({
      ...body,
      securityGroupIds: [],
      maxAttempts: 3,
      timeoutSeconds: 3600,
      connectionStringTimeoutSeconds: 1800,
      tags: {},
      requestedBy: CALLER,
    });
  });

  it('reads a base64-encoded body', async () => {
    const response = await handlerWithBase64(body);

    expect(response.statusCode).toBe(202);
  });

  it('answers 400 listing every bad field, and starts nothing', async () => {
    // Act
    const response = await post({ ...body, vpcId: 'vpc-1', maxAttempts: 0, extra: 1 });

    // Assess
    expect(response.statusCode).toBe(400);
    const json = JSON.parse(response.body);
    expect(json.message).toBe('The request is invalid.');
    expect(json.errors.map((e: { field: string }) => e.field)).toStrictEqual([
      'extra',
      'vpcId',
      'maxAttempts',
    ]);
    expect(json.errors[1].message).toContain('"vpc-" followed by 8 or 17 hexadecimal characters');
    expect(sfn.calls()).toHaveLength(0);
  });

  it.each([
    ['not JSON', '{"groupId": '],
    ['empty', ''],
  ])('answers 400 for a body that is %s, and starts nothing', async (_what, text) => {
    const response = await post(text);

    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body)).toStrictEqual({
      message: 'The request body is not JSON.',
      errors: [{ field: '(body)', message: 'expected a JSON object' }],
    });
    expect(sfn.calls()).toHaveLength(0);
  });

  it('answers 400 for JSON that is not an object, and starts nothing', async () => {
    const response = await post('[1,2]');

    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body).errors[0].field).toBe('(request)');
    expect(sfn.calls()).toHaveLength(0);
  });

  it('answers 400 for a malformed Idempotency-Key, and starts nothing', async () => {
    const response = await post(body, { 'Idempotency-Key': 'has spaces in it' });

    expect(response.statusCode).toBe(400);
    expect(JSON.parse(response.body).errors[0].field).toBe('Idempotency-Key');
    expect(sfn.calls()).toHaveLength(0);
  });

  it('names the execution after the Idempotency-Key, whatever the case of the header', async () => {
    // Act
    await post(body, { 'Idempotency-Key': 'order-42' });
    await post(body, { 'idempotency-key': 'order-42' });

    // Assess
    const [first, second] = startedNames();
    expect(first).toMatch(/^key-[0-9a-f]{40}$/);
    expect(second).toBe(first);
  });

  it('names two identical bodies without a key alike, whatever their key order', async () => {
    await post(body);
    await post({ subnetIds: body.subnetIds, vpcId: VPC, region: 'us-east-1', groupId: GROUP });

    const [first, second] = startedNames();
    expect(first).toMatch(/^req-[0-9a-f]{40}$/);
    expect(second).toBe(first);
  });

  it('answers 202 with the existing execution when the same request is repeated after it started', async () => {
    // Prepare
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
    sfn.on(DescribeExecutionCommand).callsFake((input: { executionArn: string }) => ({
      executionArn: input.executionArn,
      input: JSON.stringify({
        ...body,
        securityGroupIds: [],
        maxAttempts: 3,
        timeoutSeconds: 3600,
        connectionStringTimeoutSeconds: 1800,
        tags: {},
        requestedBy: CALLER,
      }),
      startDate: STARTED,
      status: 'RUNNING',
    }));

    // Act
    const response = await post(body, { 'Idempotency-Key': 'order-42' });

    // Assess
    expect(response.statusCode).toBe(202);
    expect(JSON.parse(response.body).executionId).toMatch(/^key-/);
  });

  describe('a repeat of a request whose execution ended', () => {
    const validated = {
      ...body,
      securityGroupIds: [],
      maxAttempts: 3,
      timeoutSeconds: 3600,
      connectionStringTimeoutSeconds: 1800,
      tags: {},
      requestedBy: CALLER,
    };
    /** Executions that exist already, by name, with their status. */
    const existing = (statuses: Record<string, string>) => {
      sfn.on(StartExecutionCommand).callsFake((input: { name: string }) => {
        if (input.name in statuses) throw new ExecutionAlreadyExists({ message: 'exists', $metadata: {} });
        return { executionArn: executionArnOf(input.name), startDate: STARTED };
      });
      sfn.on(DescribeExecutionCommand).callsFake((input: { executionArn: string }) => ({
        executionArn: input.executionArn,
        input: JSON.stringify(validated),
        startDate: STARTED,
        status: statuses[input.executionArn.split(':').at(-1) as string],
      }));
    };

    it.each(['FAILED', 'ABORTED', 'TIMED_OUT'])(
      'starts a new execution for the same body after the first one %s',
      async (status) => {
        // Prepare: the body's first execution ended without success
        await post(body);
        const [base] = startedNames();
        existing({ [base as string]: status });

        // Act
        const response = await post(body);

        // Assess
        expect(response.statusCode).toBe(202);
        expect(JSON.parse(response.body).executionId).toBe(`${base}-2`);
        expect(startedNames().at(-1)).toBe(`${base}-2`);
      },
    );

    it.each(['RUNNING', 'SUCCEEDED'])(
      'answers with the same execution for the same body while it is %s',
      async (status) => {
        await post(body);
        const [base] = startedNames();
        existing({ [base as string]: status });

        const response = await post(body);

        expect(JSON.parse(response.body).executionId).toBe(base);
        expect(startedNames().filter((n) => n !== base)).toEqual([]);
      },
    );

    it('goes on to the third generation after two failures', async () => {
      await post(body);
      const [base] = startedNames();
      existing({ [base as string]: 'FAILED', [`${base}-2`]: 'FAILED' });

      const response = await post(body);

      expect(JSON.parse(response.body).executionId).toBe(`${base}-3`);
    });

    it('answers with the same execution for the same Idempotency-Key, even after it failed', async () => {
      await post(body, { 'Idempotency-Key': 'order-44' });
      const [keyed] = startedNames();
      existing({ [keyed as string]: 'FAILED' });

      const response = await post(body, { 'Idempotency-Key': 'order-44' });

      expect(response.statusCode).toBe(202);
      expect(JSON.parse(response.body).executionId).toBe(keyed);
      expect(new Set(startedNames())).toEqual(new Set([keyed]));
    });
  });

  it('answers 400 naming the region and both regions when it is not the deployment’s, and starts nothing', async () => {
    const response = await post({ ...body, region: 'EU_WEST_1' });

    expect(response.statusCode).toBe(400);
    const [error] = JSON.parse(response.body).errors;
    expect(error.field).toBe('region');
    expect(error.message).toContain('eu-west-1');
    expect(error.message).toContain('us-east-1');
    expect(sfn.calls()).toHaveLength(0);
  });

  it('answers 409 when the Idempotency-Key was used with another body', async () => {
    // Prepare
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
    sfn.on(DescribeExecutionCommand).resolves({
      executionArn: executionArnOf('key-x'),
      input: JSON.stringify({ ...body, maxAttempts: 7 }),
      startDate: STARTED,
      status: 'RUNNING',
    });

    // Act
    const response = await post(body, { 'Idempotency-Key': 'order-42' });

    // Assess
    expect(response.statusCode).toBe(409);
    expect(JSON.parse(response.body).message).toMatch(/already used with a different request body/);
  });

  it('answers 503 with Retry-After, and no internal detail, when Step Functions fails', async () => {
    // Prepare
    sfn
      .on(StartExecutionCommand)
      .rejects(
        Object.assign(new Error('arn:aws:states:… is being deleted'), { name: 'StateMachineDeleting' }),
      );

    // Act
    const response = await post(body, { 'Idempotency-Key': 'order-43' });

    // Assess
    expect(response.statusCode).toBe(503);
    expect(response.headers).toMatchObject({ 'Retry-After': '5' });
    expect(response.body).not.toContain('arn:aws');
    expect(JSON.parse(response.body).message).toMatch(/send the same request again/);
  });
});

function handlerWithBase64(payload: unknown) {
  return handler(
    apiEvent({ body: Buffer.from(JSON.stringify(payload)).toString('base64'), isBase64Encoded: true }),
  );
}

describe('POST /endpoints with an oversized or hostile body', () => {
  it('answers 413 to a body over the limit before parsing it, and starts nothing', async () => {
    // Act: 7 MB of one unknown field, as a review sent.
    const response = await post(`{"x":"${'a'.repeat(7 * 1024 * 1024)}"}`);

    // Assess
    expect(response.statusCode).toBe(413);
    expect(response.body.length).toBeLessThan(1024);
    expect(JSON.parse(response.body).errors).toStrictEqual([
      { field: '(body)', message: `expected at most ${RequestLimits.maxBodyBytes} bytes of JSON` },
    ]);
    expect(startedNames()).toStrictEqual([]);
  });

  it('reports at most the first problems, says how many more, and cuts long echoed names', async () => {
    // Prepare: 200 unknown fields, one of them with a 5,000-character name.
    const hostile: Record<string, unknown> = { ...body, [`x${'y'.repeat(5000)}`]: 1 };
    for (let i = 0; i < 200; i++) hostile[`unknown${i}`] = i;

    // Act
    const response = await post(hostile);

    // Assess
    const { errors } = JSON.parse(response.body) as { errors: { field: string; message: string }[] };
    expect(response.statusCode).toBe(400);
    expect(errors).toHaveLength(RequestLimits.maxReportedProblems + 1);
    expect(errors.at(-1)).toStrictEqual({
      field: '(more)',
      message: `${201 - RequestLimits.maxReportedProblems} more problem(s) not shown; fix these first`,
    });
    expect(Math.max(...errors.map((e) => e.field.length))).toBeLessThanOrEqual(300);
    expect(response.body.length).toBeLessThan(20_000);
    expect(startedNames()).toStrictEqual([]);
  });
});
