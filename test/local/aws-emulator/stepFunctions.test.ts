import {
  DescribeExecutionCommand,
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
import { rejectionOf, sfnClient } from './clients';

const STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:ProvisionPrivateEndpoint';

/** A backend whose runs a test settles by hand. */
class ManualBackend implements StepFunctionsBackend {
  readonly stateMachineArn = STATE_MACHINE_ARN;
  stop?: StepFunctionsBackend['stop'];
  readonly runs: { executionArn: string; name: string; input: unknown }[] = [];
  readonly #settle = new Map<string, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();

  run(execution: { executionArn: string; name: string; input: unknown }): Promise<unknown> {
    this.runs.push(execution);
    return new Promise((resolve, reject) => this.#settle.set(execution.executionArn, { resolve, reject }));
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
});
