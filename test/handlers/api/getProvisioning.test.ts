import { DescribeExecutionCommand, ExecutionDoesNotExist, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { createGetProvisioningHandler } from '../../../lambdas/handlers/api/getProvisioning';
import { apiEvent, apiRuntime, STATE_MACHINE } from './apiEvent';

const sfn = mockClient(SFNClient);
const NAME = 'key-0123456789abcdef0123456789abcdef01234567';
const ARN = `${STATE_MACHINE.replace(':stateMachine:', ':execution:')}:${NAME}`;
const STARTED = new Date('2026-03-01T10:00:00.000Z');
const STOPPED = new Date('2026-03-01T10:04:00.000Z');

beforeEach(() => sfn.reset());

const handler = createGetProvisioningHandler(apiRuntime());
const get = (executionId: string) =>
  handler(
    apiEvent({ httpMethod: 'GET', resource: '/endpoints/{executionId}', pathParameters: { executionId } }),
  );

describe('GET /endpoints/{executionId}', () => {
  it('answers 404 for an execution that does not exist', async () => {
    // Prepare
    sfn
      .on(DescribeExecutionCommand)
      .rejects(new ExecutionDoesNotExist({ message: 'no such execution', $metadata: {} }));

    // Act
    const response = await get(NAME);

    // Assess
    expect(response.statusCode).toBe(404);
    expect(JSON.parse(response.body).message).toBe(`No provisioning with id "${NAME}".`);
  });

  it('answers 503 with Retry-After when Step Functions fails', async () => {
    // Prepare
    sfn
      .on(DescribeExecutionCommand)
      .rejects(Object.assign(new Error('internal detail'), { name: 'InvalidArn' }));

    // Act
    const response = await get(NAME);

    // Assess
    expect(response.statusCode).toBe(503);
    expect(response.headers).toMatchObject({ 'Retry-After': '5' });
    expect(response.body).not.toContain('internal detail');
  });

  it('answers 404 without asking Step Functions for an id that cannot be an execution name', async () => {
    const response = await get('not/a:name');

    expect(response.statusCode).toBe(404);
    expect(sfn.calls()).toHaveLength(0);
  });

  it('answers a running execution with its status and no output', async () => {
    sfn.on(DescribeExecutionCommand, { executionArn: ARN }).resolves({
      executionArn: ARN,
      name: NAME,
      status: 'RUNNING',
      startDate: STARTED,
    });

    const response = await get(NAME);

    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toStrictEqual({
      executionId: NAME,
      status: 'RUNNING',
      startedAt: STARTED.toISOString(),
      stoppedAt: null,
    });
  });

  it('answers a succeeded execution with its output as JSON', async () => {
    const output = { status: 'AVAILABLE', vpcEndpointId: 'vpce-0123456789abcdef0' };
    sfn.on(DescribeExecutionCommand).resolves({
      executionArn: ARN,
      name: NAME,
      status: 'SUCCEEDED',
      startDate: STARTED,
      stopDate: STOPPED,
      output: JSON.stringify(output),
    });

    const response = await get(NAME);

    expect(JSON.parse(response.body)).toStrictEqual({
      executionId: NAME,
      status: 'SUCCEEDED',
      startedAt: STARTED.toISOString(),
      stoppedAt: STOPPED.toISOString(),
      output,
    });
  });

  it('answers a failed execution with its error name and cause', async () => {
    sfn.on(DescribeExecutionCommand).resolves({
      executionArn: ARN,
      name: NAME,
      status: 'FAILED',
      startDate: STARTED,
      stopDate: STOPPED,
      error: 'AttemptsExhaustedError',
      cause: 'gave up after 3 attempts: …',
    });

    const response = await get(NAME);

    expect(JSON.parse(response.body)).toMatchObject({
      status: 'FAILED',
      error: { name: 'AttemptsExhaustedError', cause: 'gave up after 3 attempts: …' },
    });
    expect(JSON.parse(response.body)).not.toHaveProperty('output');
  });
});
