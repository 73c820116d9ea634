import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { Executions, isExecutionName } from '../../lambdas/adapters/Executions';
import { StateNames } from '../../lambdas/domain/workflowState';
import { InvalidRequestError } from '../../lambdas/errors';

const STATE_MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:AtlasPrivateLink';
const EXECUTION = 'arn:aws:states:us-east-1:123456789012:execution:AtlasPrivateLink:req-42';
const STARTED = new Date('2026-03-01T10:00:00.000Z');
const STOPPED = new Date('2026-03-01T10:05:00.000Z');

const sfn = mockClient(SFNClient);
let executions: Executions;

beforeEach(() => {
  sfn.reset();
  executions = new Executions(new SFNClient({ region: 'us-east-1' }), STATE_MACHINE);
});

const input = {
  groupId: '0123456789abcdef01234567',
  subnetIds: ['subnet-0123456789abcdef0'],
  options: { a: 1, b: 2 },
};

describe('Executions.start', () => {
  it('starts an execution of the state machine with the name and the input as JSON', async () => {
    // Prepare
    sfn.on(StartExecutionCommand).resolves({ executionArn: EXECUTION, startDate: STARTED });

    // Act
    const result = await executions.start('req-42', input);

    // Assess
    expect(sfn.commandCalls(StartExecutionCommand)[0]!.args[0].input).toStrictEqual({
      stateMachineArn: STATE_MACHINE,
      name: 'req-42',
      input: JSON.stringify(input),
    });
    expect(result).toStrictEqual({
      kind: 'started',
      executionArn: EXECUTION,
      startDate: STARTED.toISOString(),
    });
  });

  it('returns the existing execution when the name is taken with the same input (in any key order)', async () => {
    // Prepare
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
    const sameInOtherOrder = {
      options: { b: 2, a: 1 },
      subnetIds: ['subnet-0123456789abcdef0'],
      groupId: input.groupId,
    };
    sfn.on(DescribeExecutionCommand).resolves({
      executionArn: EXECUTION,
      stateMachineArn: STATE_MACHINE,
      name: 'req-42',
      status: 'SUCCEEDED',
      startDate: STARTED,
      input: JSON.stringify(sameInOtherOrder),
    });

    // Act
    const result = await executions.start('req-42', input);

    // Assess
    expect(sfn.commandCalls(DescribeExecutionCommand)[0]!.args[0].input).toStrictEqual({
      executionArn: EXECUTION,
    });
    expect(result).toStrictEqual({
      kind: 'existing',
      executionArn: EXECUTION,
      startDate: STARTED.toISOString(),
      status: 'SUCCEEDED',
    });
  });

  it('reports a conflict when the name is taken with another input', async () => {
    // Prepare
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
    sfn.on(DescribeExecutionCommand).resolves({
      executionArn: EXECUTION,
      status: 'RUNNING',
      startDate: STARTED,
      input: JSON.stringify({ ...input, subnetIds: ['subnet-0123456789abcdef1'] }),
    });

    // Act
    const result = await executions.start('req-42', input);

    // Assess
    expect(result).toStrictEqual({ kind: 'conflict', executionArn: EXECUTION });
  });

  it('reports a conflict when the existing execution does not show its input', async () => {
    // Prepare
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
    sfn
      .on(DescribeExecutionCommand)
      .resolves({ executionArn: EXECUTION, status: 'RUNNING', startDate: STARTED });

    // Act & Assess
    await expect(executions.start('req-42', input)).resolves.toStrictEqual({
      kind: 'conflict',
      executionArn: EXECUTION,
    });
  });

  it('rethrows other SDK errors as they are', async () => {
    // Prepare
    const failure = Object.assign(new Error('slow down'), {
      name: 'ThrottlingException',
      $metadata: { httpStatusCode: 400 },
    });
    sfn.on(StartExecutionCommand).rejects(failure);

    // Act & Assess
    await expect(executions.start('req-42', input)).rejects.toBe(failure);
  });

  it.each(['', 'a b', 'req:42', 'req/42', 'x'.repeat(81), 'tab\there', 'ctl\u0001'])(
    'fails without calling Step Functions when the name is %j',
    async (name) => {
      // Act & Assess
      await expect(executions.start(name, input)).rejects.toBeInstanceOf(InvalidRequestError);
      expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
    },
  );
});

describe('Executions.describe', () => {
  it('maps a finished execution, parsing its output', async () => {
    // Prepare
    sfn.on(DescribeExecutionCommand).resolves({
      executionArn: EXECUTION,
      stateMachineArn: STATE_MACHINE,
      name: 'req-42',
      status: 'SUCCEEDED',
      startDate: STARTED,
      stopDate: STOPPED,
      input: '{}',
      output: '{"vpcEndpointId":"vpce-0123456789abcdef0","attempts":2}',
    });

    // Act
    const view = await executions.describe('req-42');

    // Assess
    expect(sfn.commandCalls(DescribeExecutionCommand)[0]!.args[0].input).toStrictEqual({
      executionArn: EXECUTION,
    });
    expect(view).toStrictEqual({
      executionArn: EXECUTION,
      name: 'req-42',
      status: 'SUCCEEDED',
      startedAt: STARTED.toISOString(),
      stoppedAt: STOPPED.toISOString(),
      input: {},
      output: { vpcEndpointId: 'vpce-0123456789abcdef0', attempts: 2 },
    });
  });

  it('maps a failed execution with its error and cause', async () => {
    // Prepare
    sfn.on(DescribeExecutionCommand).resolves({
      executionArn: EXECUTION,
      name: 'req-42',
      status: 'FAILED',
      startDate: STARTED,
      stopDate: STOPPED,
      error: 'AttemptsExhaustedError',
      cause: '{"errorMessage":"3 attempts failed"}',
    });

    // Act & Assess
    await expect(executions.describe('req-42')).resolves.toStrictEqual({
      executionArn: EXECUTION,
      name: 'req-42',
      status: 'FAILED',
      startedAt: STARTED.toISOString(),
      stoppedAt: STOPPED.toISOString(),
      error: 'AttemptsExhaustedError',
      cause: '{"errorMessage":"3 attempts failed"}',
    });
  });

  it('maps a running execution without stop time or output', async () => {
    // Prepare
    sfn
      .on(DescribeExecutionCommand)
      .resolves({ executionArn: EXECUTION, name: 'req-42', status: 'RUNNING', startDate: STARTED });

    // Act & Assess
    await expect(executions.describe('req-42')).resolves.toStrictEqual({
      executionArn: EXECUTION,
      name: 'req-42',
      status: 'RUNNING',
      startedAt: STARTED.toISOString(),
    });
  });

  it('returns undefined when the execution does not exist', async () => {
    // Prepare
    sfn.on(DescribeExecutionCommand).rejects(new ExecutionDoesNotExist({ message: 'no', $metadata: {} }));

    // Act & Assess
    await expect(executions.describe('req-42')).resolves.toBeUndefined();
  });

  it.each(['', 'a b', 'req:42', '../x', 'x'.repeat(81)])(
    'returns undefined without calling Step Functions for the invalid name %j',
    async (name) => {
      // Act & Assess
      await expect(executions.describe(name)).resolves.toBeUndefined();
      expect(sfn.commandCalls(DescribeExecutionCommand)).toHaveLength(0);
    },
  );

  it('rethrows other SDK errors as they are', async () => {
    // Prepare
    const failure = Object.assign(new Error('boom'), {
      name: 'InternalServerError',
      $metadata: { httpStatusCode: 500 },
    });
    sfn.on(DescribeExecutionCommand).rejects(failure);

    // Act & Assess
    await expect(executions.describe('req-42')).rejects.toBe(failure);
  });
});

describe('Executions names and ARNs', () => {
  it('derives the execution ARN from the state machine ARN', () => {
    expect(executions.executionArnFor('req-42')).toBe(EXECUTION);
  });

  it('accepts the names Step Functions accepts', () => {
    expect(['req-42', 'A_b.c-9', 'x'.repeat(80), 'ünïcode'].every(isExecutionName)).toBe(true);
  });

  it('fails to construct with something other than a state machine ARN', () => {
    expect(() => new Executions(new SFNClient({}), 'AtlasPrivateLink')).toThrow(InvalidRequestError);
    expect(() => new Executions(new SFNClient({}), 'AtlasPrivateLink')).toThrow(/^stateMachineArn: expected/);
  });
});

describe('Executions.createdVpcEndpoints', () => {
  const VPC = 'vpc-0123456789abcdef0';
  const SERVICE_NAME = 'com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0';
  const exited = (id: number, name: string, state: unknown): HistoryEvent => ({
    id,
    previousEventId: id - 1,
    timestamp: STARTED,
    type: 'TaskStateExited',
    stateExitedEventDetails: { name, output: JSON.stringify(state) },
  });
  const created = (id: number, vpcEndpointId: string) =>
    exited(id, StateNames.createVpcEndpoint, {
      request: { vpcId: VPC, groupId: input.groupId },
      service: { endpointServiceName: SERVICE_NAME, endpointServiceId: '6b0a0000000000000000abcd' },
      attempt: { number: 1, vpcEndpointId },
    });

  it('reads every page of the history and returns what each exit of the create state produced', async () => {
    // Prepare: two attempts' endpoints, on two pages; other states' exits carry endpoint-like ids too.
    sfn
      .on(GetExecutionHistoryCommand, { executionArn: EXECUTION, nextToken: undefined })
      .resolves({
        events: [
          created(3, 'vpce-0000000000000000a'),
          exited(4, 'Register with Atlas', { attempt: { vpcEndpointId: 'vpce-0000000000000000f' } }),
        ],
        nextToken: 'page-2',
      })
      .on(GetExecutionHistoryCommand, { executionArn: EXECUTION, nextToken: 'page-2' })
      .resolves({
        events: [
          { id: 9, previousEventId: 8, timestamp: STARTED, type: 'TaskStateEntered' },
          created(10, 'vpce-0000000000000000b'),
        ],
      });

    // Act
    const endpoints = await executions.createdVpcEndpoints(EXECUTION);

    // Assess
    expect(endpoints?.map((e) => e.vpcEndpointId)).toStrictEqual([
      'vpce-0000000000000000a',
      'vpce-0000000000000000b',
    ]);
    expect(endpoints?.[0]).toStrictEqual({
      vpcEndpointId: 'vpce-0000000000000000a',
      vpcId: VPC,
      serviceName: SERVICE_NAME,
      groupId: input.groupId,
      endpointServiceId: '6b0a0000000000000000abcd',
    });
    expect(sfn.commandCalls(GetExecutionHistoryCommand)[0]!.args[0].input).toMatchObject({
      executionArn: EXECUTION,
      includeExecutionData: true,
      maxResults: 1000,
    });
  });

  it('answers undefined for an execution Step Functions does not know', async () => {
    // Prepare
    sfn.on(GetExecutionHistoryCommand).rejects(new ExecutionDoesNotExist({ message: 'no', $metadata: {} }));

    // Act
    const endpoints = await executions.createdVpcEndpoints(EXECUTION);

    // Assess
    expect(endpoints).toBeUndefined();
  });

  it('makes no call for an execution of another state machine, nor for a bare name', async () => {
    // Act
    const other = await executions.createdVpcEndpoints(
      'arn:aws:states:us-east-1:123456789012:execution:AtlasPrivateLinkOld:req-42',
    );
    const described = await executions.describeArn('req-42');

    // Assess
    expect(other).toBeUndefined();
    expect(described).toBeUndefined();
    expect(sfn.calls()).toHaveLength(0);
  });

  it('reads the name of an execution of this state machine from its ARN', () => {
    expect(executions.nameOf(EXECUTION)).toBe('req-42');
    expect(executions.nameOf(`${EXECUTION}:extra`)).toBeUndefined();
    expect(
      executions.nameOf('arn:aws:states:us-east-1:123456789012:execution:AtlasPrivateLinkX:req-42'),
    ).toBeUndefined();
  });

  it('ignores an exit whose output is not JSON or records no endpoint id', async () => {
    // Prepare
    sfn.on(GetExecutionHistoryCommand).resolves({
      events: [
        {
          id: 2,
          previousEventId: 1,
          timestamp: STARTED,
          type: 'TaskStateExited',
          stateExitedEventDetails: { name: StateNames.createVpcEndpoint, output: '{not json' },
        },
        exited(3, StateNames.createVpcEndpoint, { attempt: { vpcEndpointId: 'not-an-id' } }),
      ],
    });

    // Act
    const endpoints = await executions.createdVpcEndpoints(EXECUTION);

    // Assess
    expect(endpoints).toStrictEqual([]);
  });
});
