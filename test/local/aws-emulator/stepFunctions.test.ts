import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  type SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type AwsEmulator,
  ExecutionStoppedError,
  type StepFunctionsBackend,
  startAwsEmulator,
} from '../../../local/aws-emulator';
import type { StateTransition } from '../../../local/aws-emulator/stepFunctions';
import { rejectionOf, sfnClient } from './clients';

const STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:ProvisionPrivateEndpoint';

/** A backend whose runs a test settles by hand. */
class ManualBackend implements StepFunctionsBackend {
  readonly stateMachineArn = STATE_MACHINE_ARN;
  stop?: StepFunctionsBackend['stop'];
  readonly runs: { executionArn: string; name: string; input: unknown }[] = [];
  readonly #settle = new Map<string, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
  readonly #record = new Map<string, ((event: StateTransition) => void) | undefined>();

  run(execution: {
    executionArn: string;
    name: string;
    input: unknown;
    record?: (event: StateTransition) => void;
  }): Promise<unknown> {
    const { record, ...run } = execution;
    this.runs.push(run);
    this.#record.set(execution.executionArn, record);
    return new Promise((resolve, reject) => this.#settle.set(execution.executionArn, { resolve, reject }));
  }

  /** Reports a state transition of a running execution, as the offline runner does. */
  transition(executionArn: string, event: StateTransition): void {
    const record = this.#record.get(executionArn);
    if (!record) throw new Error(`the backend was given no recorder for ${executionArn}`);
    record(event);
  }

  succeed(executionArn: string, output: unknown): void {
    this.#running(executionArn).resolve(output);
  }

  fail(executionArn: string, error: Error): void {
    this.#running(executionArn).reject(error);
  }

  #running(executionArn: string) {
    const settle = this.#settle.get(executionArn);
    if (!settle) throw new Error(`the backend was never asked to run ${executionArn}`);
    return settle;
  }
}

class EndpointRejectedError extends Error {
  override readonly name = 'EndpointRejectedError';
}

describe('Step Functions executions', () => {
  let aws: AwsEmulator;
  let backend: ManualBackend;
  let client: SFNClient;
  let now: number;

  beforeEach(async () => {
    now = Date.parse('2026-03-01T12:00:00Z');
    backend = new ManualBackend();
    aws = await startAwsEmulator({ clock: () => now, stepFunctions: backend });
    client = sfnClient(aws.url);
  });

  afterEach(async () => {
    client.destroy();
    await aws.close();
  });

  it('starts an execution whose ARN is the state machine ARN with :execution: and the name', async () => {
    const out = await client.send(
      new StartExecutionCommand({ stateMachineArn: STATE_MACHINE_ARN, name: 'req-1', input: '{"a":1}' }),
    );

    expect(out.executionArn).toBe(
      'arn:aws:states:us-east-1:123456789012:execution:ProvisionPrivateEndpoint:req-1',
    );
    expect(out.startDate).toEqual(new Date(now));
    expect(backend.runs).toEqual([{ executionArn: out.executionArn, name: 'req-1', input: { a: 1 } }]);
  });

  it('generates a UUID name when none is given', async () => {
    const out = await client.send(new StartExecutionCommand({ stateMachineArn: STATE_MACHINE_ARN }));

    expect(out.executionArn).toMatch(/:execution:ProvisionPrivateEndpoint:[0-9a-f-]{36}$/);
    expect(aws.executions[0]?.input).toBe('{}');
  });

  it('answers the same execution for the same name and input while it runs', async () => {
    const input = { stateMachineArn: STATE_MACHINE_ARN, name: 'req-1', input: '{"a":1}' };
    const first = await client.send(new StartExecutionCommand(input));

    const again = await client.send(new StartExecutionCommand(input));

    expect(again.executionArn).toBe(first.executionArn);
    expect(again.startDate).toEqual(first.startDate);
    expect(aws.executions).toHaveLength(1);
  });

  it('fails with ExecutionAlreadyExists for the same name with other input', async () => {
    await client.send(
      new StartExecutionCommand({ stateMachineArn: STATE_MACHINE_ARN, name: 'req-1', input: '{}' }),
    );

    const error = await rejectionOf(
      client.send(
        new StartExecutionCommand({ stateMachineArn: STATE_MACHINE_ARN, name: 'req-1', input: '{"b":2}' }),
      ),
    );

    expect(error.name).toBe('ExecutionAlreadyExists');
  });

  it('fails with ExecutionAlreadyExists for the same name and input once the execution has stopped', async () => {
    const input = { stateMachineArn: STATE_MACHINE_ARN, name: 'req-1', input: '{}' };
    const { executionArn } = await client.send(new StartExecutionCommand(input));
    backend.succeed(executionArn!, {});
    await aws.waitForExecution(executionArn!);

    const error = await rejectionOf(client.send(new StartExecutionCommand(input)));

    expect(error.name).toBe('ExecutionAlreadyExists');
  });

  it.each([
    ['InvalidName', { name: 'has space' }],
    ['InvalidName', { name: 'x'.repeat(81) }],
    ['InvalidExecutionInput', { input: '{not json' }],
    ['StateMachineDoesNotExist', { stateMachineArn: `${STATE_MACHINE_ARN}Other` }],
    ['InvalidArn', { stateMachineArn: 'not-an-arn' }],
  ] as const)('fails with %s for %j', async (code, overrides) => {
    const error = await rejectionOf(
      client.send(new StartExecutionCommand({ stateMachineArn: STATE_MACHINE_ARN, ...overrides })),
    );

    expect(error.name).toBe(code);
    expect(aws.executions).toHaveLength(0);
  });

  it('describes a running, then succeeded execution with its output', async () => {
    const { executionArn } = await client.send(
      new StartExecutionCommand({ stateMachineArn: STATE_MACHINE_ARN, name: 'req-1', input: '{"a":1}' }),
    );

    const running = await client.send(new DescribeExecutionCommand({ executionArn }));
    now += 5_000;
    backend.succeed(executionArn!, { vpcEndpointId: 'vpce-0123456789abcdef0' });
    await aws.waitForExecution(executionArn!);
    const succeeded = await client.send(new DescribeExecutionCommand({ executionArn }));

    expect(running).toMatchObject({ status: 'RUNNING', name: 'req-1', input: '{"a":1}' });
    expect(running.stopDate).toBeUndefined();
    expect(succeeded).toMatchObject({
      status: 'SUCCEEDED',
      output: '{"vpcEndpointId":"vpce-0123456789abcdef0"}',
      stopDate: new Date(now),
    });
  });

  it('describes a failed execution with the rejection name as error and message as cause', async () => {
    const { executionArn } = await client.send(
      new StartExecutionCommand({ stateMachineArn: STATE_MACHINE_ARN }),
    );

    backend.fail(executionArn!, new EndpointRejectedError('Atlas rejected vpce-0123456789abcdef0'));
    const settled = await aws.waitForExecution(executionArn!);
    const described = await client.send(new DescribeExecutionCommand({ executionArn }));

    expect(settled.status).toBe('FAILED');
    expect(described).toMatchObject({
      status: 'FAILED',
      error: 'EndpointRejectedError',
      cause: 'Atlas rejected vpce-0123456789abcdef0',
    });
  });

  it('describes a stopped execution as ABORTED, with no output, error or cause unless the stop gave them', async () => {
    // Prepare
    const started = await Promise.all(
      ['plain', 'explained'].map((name) =>
        client.send(new StartExecutionCommand({ stateMachineArn: STATE_MACHINE_ARN, name })),
      ),
    );
    const [plain, explained] = started.map((s) => s.executionArn as string) as [string, string];

    // Act
    backend.fail(plain, new ExecutionStoppedError());
    backend.fail(explained, new ExecutionStoppedError({ error: 'Operator', cause: 'stopped by hand' }));
    await Promise.all([plain, explained].map((arn) => aws.waitForExecution(arn)));

    // Assess
    const describedPlain = await client.send(new DescribeExecutionCommand({ executionArn: plain }));
    const describedExplained = await client.send(new DescribeExecutionCommand({ executionArn: explained }));
    expect(describedPlain.status).toBe('ABORTED');
    expect(describedPlain.stopDate).toBeInstanceOf(Date);
    expect(describedPlain).not.toHaveProperty('output');
    expect(describedPlain).not.toHaveProperty('error');
    expect(describedExplained).toMatchObject({
      status: 'ABORTED',
      error: 'Operator',
      cause: 'stopped by hand',
    });
    const aborted = await client.send(
      new ListExecutionsCommand({ stateMachineArn: STATE_MACHINE_ARN, statusFilter: 'ABORTED' }),
    );
    expect(aborted.executions?.map((e) => e.name).sort()).toEqual(['explained', 'plain']);
  });

  it('StopExecution ends a running execution ABORTED at once, with its error and cause, and stops the run', async () => {
    // Prepare
    const stopped: string[] = [];
    backend.stop = ({ name }) => stopped.push(name);
    const { executionArn } = await client.send(
      new StartExecutionCommand({ stateMachineArn: STATE_MACHINE_ARN, name: 'to-stop' }),
    );
    now += 5_000;

    // Act
    const out = await client.send(
      new StopExecutionCommand({ executionArn, error: 'Operator', cause: 'stopped by hand' }),
    );
    backend.succeed(executionArn as string, { late: true });
    await aws.waitForExecution(executionArn as string);

    // Assess
    expect(out.stopDate).toEqual(new Date(now));
    expect(stopped).toEqual(['to-stop']);
    const described = await client.send(new DescribeExecutionCommand({ executionArn }));
    expect(described).toMatchObject({ status: 'ABORTED', error: 'Operator', cause: 'stopped by hand' });
    expect(described.output).toBeUndefined();
    const unknown = await rejectionOf(
      client.send(
        new StopExecutionCommand({
          executionArn: `${STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:nope`,
        }),
      ),
    );
    expect(unknown.name).toBe('ExecutionDoesNotExist');
  });

  it('fails with ExecutionDoesNotExist when describing an unknown execution', async () => {
    const error = await rejectionOf(
      client.send(
        new DescribeExecutionCommand({
          executionArn: 'arn:aws:states:us-east-1:123456789012:execution:ProvisionPrivateEndpoint:nope',
        }),
      ),
    );

    expect(error.name).toBe('ExecutionDoesNotExist');
  });

  it('lists executions newest first, filtered by status', async () => {
    const a = await client.send(new StartExecutionCommand({ stateMachineArn: STATE_MACHINE_ARN, name: 'a' }));
    await client.send(new StartExecutionCommand({ stateMachineArn: STATE_MACHINE_ARN, name: 'b' }));
    backend.succeed(a.executionArn!, {});
    await aws.waitForExecution(a.executionArn!);

    const all = await client.send(new ListExecutionsCommand({ stateMachineArn: STATE_MACHINE_ARN }));
    const running = await client.send(
      new ListExecutionsCommand({ stateMachineArn: STATE_MACHINE_ARN, statusFilter: 'RUNNING' }),
    );

    expect(all.executions?.map((e) => e.name)).toEqual(['b', 'a']);
    expect(running.executions?.map((e) => e.name)).toEqual(['b']);
  });

  it('fails every StartExecution with StateMachineDoesNotExist when no backend is configured', async () => {
    await aws.close();
    aws = await startAwsEmulator();
    client = sfnClient(aws.url);

    const error = await rejectionOf(
      client.send(new StartExecutionCommand({ stateMachineArn: STATE_MACHINE_ARN })),
    );

    expect(error.name).toBe('StateMachineDoesNotExist');
  });

  describe('GetExecutionHistory', () => {
    const start = async (name: string, input = '{"vpcId":"vpc-1"}') =>
      (await client.send(new StartExecutionCommand({ stateMachineArn: STATE_MACHINE_ARN, name, input })))
        .executionArn as string;

    it('records the start, each state entered and exited with its data, and the success', async () => {
      const executionArn = await start('req-1');
      now += 1000;
      backend.transition(executionArn, { kind: 'entered', type: 'Task', name: 'Create', input: { a: 1 } });
      now += 1000;
      backend.transition(executionArn, { kind: 'exited', type: 'Task', name: 'Create', output: { id: 'x' } });
      backend.succeed(executionArn, { done: true });
      await aws.waitForExecution(executionArn);

      const { events, nextToken } = await client.send(new GetExecutionHistoryCommand({ executionArn }));

      expect(nextToken).toBeUndefined();
      expect(events?.map((e) => [e.id, e.previousEventId, e.type])).toEqual([
        [1, 0, 'ExecutionStarted'],
        [2, 1, 'TaskStateEntered'],
        [3, 2, 'TaskStateExited'],
        [4, 3, 'ExecutionSucceeded'],
      ]);
      expect(events?.[0]?.timestamp).toEqual(new Date('2026-03-01T12:00:00Z'));
      expect(events?.[0]?.executionStartedEventDetails?.input).toBe('{"vpcId":"vpc-1"}');
      expect(events?.[1]?.stateEnteredEventDetails).toEqual({
        name: 'Create',
        input: '{"a":1}',
        inputDetails: { truncated: false },
      });
      expect(events?.[2]?.timestamp).toEqual(new Date('2026-03-01T12:00:02Z'));
      expect(events?.[2]?.stateExitedEventDetails).toEqual({
        name: 'Create',
        output: '{"id":"x"}',
        outputDetails: { truncated: false },
      });
      expect(events?.[3]?.executionSucceededEventDetails?.output).toBe('{"done":true}');
    });

    it('ends the history of a failed execution with ExecutionFailed, its error and cause', async () => {
      const executionArn = await start('req-1');
      backend.fail(executionArn, new EndpointRejectedError('rejected twice'));
      await aws.waitForExecution(executionArn);

      const { events } = await client.send(new GetExecutionHistoryCommand({ executionArn }));

      expect(events?.at(-1)?.type).toBe('ExecutionFailed');
      expect(events?.at(-1)?.executionFailedEventDetails).toEqual({
        error: 'EndpointRejectedError',
        cause: 'rejected twice',
      });
    });

    it('records nothing a stopped execution reports after StopExecution', async () => {
      const executionArn = await start('req-1');
      await client.send(new StopExecutionCommand({ executionArn, error: 'Crash', cause: 'test' }));

      backend.transition(executionArn, { kind: 'exited', type: 'Task', name: 'Create', output: {} });
      const { events } = await client.send(new GetExecutionHistoryCommand({ executionArn }));

      expect(events?.map((e) => e.type)).toEqual(['ExecutionStarted', 'ExecutionAborted']);
      expect(events?.[1]?.executionAbortedEventDetails).toEqual({ error: 'Crash', cause: 'test' });
    });

    it('pages with maxResults and nextToken, newest first with reverseOrder', async () => {
      const executionArn = await start('req-1');
      for (const name of ['A', 'B']) {
        backend.transition(executionArn, { kind: 'entered', type: 'Pass', name, input: {} });
        backend.transition(executionArn, { kind: 'exited', type: 'Pass', name, output: {} });
      }

      const first = await client.send(
        new GetExecutionHistoryCommand({ executionArn, maxResults: 2, reverseOrder: true }),
      );
      const second = await client.send(
        new GetExecutionHistoryCommand({
          executionArn,
          maxResults: 2,
          reverseOrder: true,
          nextToken: first.nextToken,
        }),
      );
      const third = await client.send(
        new GetExecutionHistoryCommand({
          executionArn,
          maxResults: 2,
          reverseOrder: true,
          nextToken: second.nextToken,
        }),
      );

      expect([first, second, third].map((page) => page.events?.map((e) => e.id))).toEqual([
        [5, 4],
        [3, 2],
        [1],
      ]);
      expect(second.events?.map((e) => e.type)).toEqual(['PassStateEntered', 'PassStateExited'].reverse());
      expect(third.nextToken).toBeUndefined();
    });

    it('leaves out inputs and outputs with includeExecutionData: false', async () => {
      const executionArn = await start('req-1');
      backend.transition(executionArn, { kind: 'exited', type: 'Task', name: 'Create', output: { id: 'x' } });

      const { events } = await client.send(
        new GetExecutionHistoryCommand({ executionArn, includeExecutionData: false }),
      );

      expect(events?.[0]?.executionStartedEventDetails?.input).toBeUndefined();
      expect(events?.[1]?.stateExitedEventDetails).toEqual({ name: 'Create' });
    });

    it.each([
      [
        'ExecutionDoesNotExist',
        { executionArn: `${STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:none` },
      ],
      ['InvalidArn', { executionArn: STATE_MACHINE_ARN }],
      ['InvalidToken', { nextToken: 'not-a-token' }],
      ['ValidationException', { maxResults: 1001 }],
    ] as const)('fails with %s for %j', async (code, overrides) => {
      const executionArn = await start('req-1');

      const error = await rejectionOf(
        client.send(new GetExecutionHistoryCommand({ executionArn, ...overrides })),
      );

      expect(error.name).toBe(code);
    });
  });
});
