import { DescribeExecutionCommand, ExecutionDoesNotExist, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { deprovisioningNameFor } from '../../../lambdas/domain/deprovisioning';
import { createGetProvisioningHandler } from '../../../lambdas/handlers/api/getProvisioning';
import { GROUP } from '../fakeRuntime';
import { apiEvent, apiRuntime, CALLER, DEPROVISIONING_STATE_MACHINE, STATE_MACHINE } from './apiEvent';

const sfn = mockClient(SFNClient);
const NAME = 'key-0123456789abcdef0123456789abcdef01234567';
const ARN = `${STATE_MACHINE.replace(':stateMachine:', ':execution:')}:${NAME}`;
const STARTED = new Date('2026-03-01T10:00:00.000Z');
const STOPPED = new Date('2026-03-01T10:04:00.000Z');
const VPCE = 'vpce-0123456789abcdef0';
/** The input of a provisioning this test's caller started. */
const OWN_INPUT = JSON.stringify({ groupId: GROUP, region: 'us-east-1', requestedBy: CALLER });

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
      input: JSON.stringify({ groupId: GROUP, region: 'us-east-1', requestedBy: CALLER }),
    });

    const response = await get(NAME);

    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toStrictEqual({
      executionId: NAME,
      status: 'RUNNING',
      lifecycleStatus: 'PROVISIONING',
      groupId: GROUP,
      region: 'us-east-1',
      vpcEndpointId: null,
      startedAt: STARTED.toISOString(),
      stoppedAt: null,
      deprovisioning: null,
    });
    // A running provisioning has no deprovisioning to look for.
    expect(sfn.commandCalls(DescribeExecutionCommand)).toHaveLength(1);
  });

  it('answers a succeeded execution with its output as JSON, AVAILABLE while nothing deletes it', async () => {
    const output = {
      status: 'AVAILABLE',
      vpcEndpointId: VPCE,
      groupId: GROUP,
      connectionStrings: [],
      clustersNotCovered: [],
    };
    sfn.on(DescribeExecutionCommand).rejects(new ExecutionDoesNotExist({ message: 'none', $metadata: {} }));
    sfn.on(DescribeExecutionCommand, { executionArn: ARN }).resolves({
      executionArn: ARN,
      name: NAME,
      status: 'SUCCEEDED',
      startDate: STARTED,
      stopDate: STOPPED,
      input: OWN_INPUT,
      output: JSON.stringify(output),
    });

    const response = await get(NAME);

    expect(JSON.parse(response.body)).toStrictEqual({
      executionId: NAME,
      status: 'SUCCEEDED',
      lifecycleStatus: 'AVAILABLE',
      groupId: GROUP,
      region: 'us-east-1',
      vpcEndpointId: VPCE,
      startedAt: STARTED.toISOString(),
      stoppedAt: STOPPED.toISOString(),
      connectionStrings: [],
      clustersNotCovered: [],
      output,
      deprovisioning: null,
    });
  });

  it('shows the deprovisioning and DELETED once one succeeded', async () => {
    const deprovisioningName = deprovisioningNameFor(NAME, apiRuntime().hash);
    const deprovisioningArn = `${DEPROVISIONING_STATE_MACHINE.replace(':stateMachine:', ':execution:')}:${deprovisioningName}`;
    sfn.on(DescribeExecutionCommand, { executionArn: ARN }).resolves({
      executionArn: ARN,
      name: NAME,
      status: 'SUCCEEDED',
      startDate: STARTED,
      stopDate: STOPPED,
      input: OWN_INPUT,
      output: JSON.stringify({ status: 'AVAILABLE', vpcEndpointId: VPCE, groupId: GROUP }),
    });
    sfn.on(DescribeExecutionCommand, { executionArn: deprovisioningArn }).resolves({
      executionArn: deprovisioningArn,
      name: deprovisioningName,
      status: 'SUCCEEDED',
      startDate: STOPPED,
      stopDate: STOPPED,
      output: JSON.stringify({ status: 'DELETED', vpcEndpointId: VPCE }),
    });

    const body = JSON.parse((await get(NAME)).body);

    expect(body).toMatchObject({
      status: 'SUCCEEDED',
      lifecycleStatus: 'DELETED',
      deprovisioning: {
        deprovisioningId: deprovisioningName,
        status: 'SUCCEEDED',
        output: { status: 'DELETED', vpcEndpointId: VPCE },
      },
    });
  });

  it('answers a failed execution with its error name and cause', async () => {
    sfn.on(DescribeExecutionCommand).resolves({
      executionArn: ARN,
      name: NAME,
      status: 'FAILED',
      startDate: STARTED,
      stopDate: STOPPED,
      input: OWN_INPUT,
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
