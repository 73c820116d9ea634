import { execFileSync } from 'node:child_process';
import { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DescribeSecretCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { DescribeExecutionCommand, StartExecutionCommand, StopExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { eventsClient, secretsClient, sfnClient } from '../local/aws-emulator/clients';
import { expectOneLine, occupiedPort, type Running, runTool, start } from './spawnCli';

// Spawned tools: a few seconds each when the machine is idle, far more when it is not.
vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });

const DEV = 'local/cli/dev.ts';
const FAKE_AWS_CLI_ENV = [
  'AWS_ACCESS_KEY_ID=offline',
  'AWS_SECRET_ACCESS_KEY=offline',
  'AWS_DEFAULT_REGION=us-east-1',
  'AWS_PAGER=',
];

/** The words a shell makes of a command line, quotes and all (bash, as a user's fresh shell would). */
function shellWords(commandLine: string): string[] {
  const out = execFileSync('bash', ['-c', 'eval "set -- $1"; printf "%s\\0" "$@"', '_', commandLine]);
  return out.toString('utf8').split('\0').slice(0, -1);
}

/** The value after `flag` among `words`. */
function flag(words: readonly string[], name: string): string {
  const index = words.indexOf(name);
  if (index < 0 || words[index + 1] === undefined) throw new Error(`no ${name} in ${words.join(' ')}`);
  return words[index + 1] as string;
}

describe('npm run dev', () => {
  let dev: Running;
  let apiUrl: string;
  let awsUrl: string;
  const awsCommands: Record<string, string[]> = {};
  const allAwsCommands: string[][] = [];

  beforeAll(async () => {
    dev = start(DEV, ['--port', '0']);
    await dev.waitFor(/Ask Atlas directly:\n.+\n/);
    apiUrl = (/ {2}API +(http:\/\/\S+)\/endpoints\n/.exec(dev.output()) as RegExpExecArray)[1] as string;
    awsUrl = (/ {2}AWS emulator +(http:\/\/\S+) /.exec(dev.output()) as RegExpExecArray)[1] as string;
    for (const line of dev.output().split('\n')) {
      if (!line.trimStart().startsWith('AWS_ACCESS_KEY_ID=')) continue;
      const words = shellWords(line.trim());
      // The provisioning's commands come first; the deletion's (same verbs, another state machine) after.
      awsCommands[`${words[5]} ${words[6]}`] ??= words;
      if (words.includes('stepfunctions') || words.includes('events')) allAwsCommands.push(words);
    }
  });

  afterAll(async () => {
    await dev?.stop('SIGKILL');
  });

  it('prints AWS CLI commands that carry their fake credentials and region, for a fresh shell', () => {
    expect(Object.keys(awsCommands).sort()).toEqual([
      'events put-events',
      'secretsmanager describe-secret',
      'secretsmanager put-secret-value',
      'stepfunctions list-executions',
      'stepfunctions start-execution',
    ]);
    // Both state machines: the provisioning's start, and the deprovisioning's start and list.
    const machines = allAwsCommands
      .filter((words) => words.includes('--state-machine-arn'))
      .map((words) => flag(words, '--state-machine-arn'));
    expect(new Set(machines).size).toBe(2);
    for (const words of Object.values(awsCommands)) {
      expect(words.slice(0, 5)).toEqual([...FAKE_AWS_CLI_ENV, 'aws']);
      expect(flag(words, '--endpoint-url')).toBe(awsUrl);
    }
  });

  it('follows an execution started through the API, each line marked with its short id, to SUCCEEDED', async () => {
    // Act
    const response = await fetch(`${apiUrl}/endpoints`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'dev-test-api' },
      body: JSON.stringify(JSON.parse(flag(awsCommands['stepfunctions start-execution'] ?? [], '--input'))),
    });

    // Assess
    expect(response.status).toBe(202);
    const { executionId } = (await response.json()) as { executionId: string };
    const id = executionId.slice(0, 12);
    await dev.waitFor(
      new RegExp(`\\[${id}\\] t\\+ +\\d+s {2}SUCCEEDED: VPC endpoint vpce-[0-9a-f]{17} is AVAILABLE`),
    );
    const lines = dev
      .output()
      .split('\n')
      .filter((l) => l.startsWith(`[${id}]`));
    expect(lines[0]).toMatch(/t\+ +0s {2}Request accepted for project [0-9a-f]{24}$/);
    expect(lines.join('\n')).not.toContain('undefined');
  });

  it('prints the error and cause of a failed execution', async () => {
    // Act: as the printed start-execution would, with a request the workflow refuses
    const client = sfnClient(awsUrl);
    const stateMachineArn = flag(awsCommands['stepfunctions start-execution'] ?? [], '--state-machine-arn');
    const { executionArn } = await client.send(
      new StartExecutionCommand({ stateMachineArn, name: 'dev-test-refused', input: '{"groupId":"nope"}' }),
    );
    client.destroy();

    // Assess
    expect(executionArn).toBeDefined();
    await dev.waitFor(/\[dev-test-ref\] t\+ +0s {2}FAILED: InvalidRequestError: .*groupId/);
    expect(dev.output()).toMatch(
      /\[dev-test-ref\] t\+ +0s {2}Request refused: InvalidRequestError: .*groupId/,
    );
  });

  it('prints ABORTED for an execution stopped with StopExecution, which DescribeExecution reports too', async () => {
    // Prepare
    const client = sfnClient(awsUrl);
    const words = awsCommands['stepfunctions start-execution'] ?? [];
    const { executionArn } = await client.send(
      new StartExecutionCommand({
        stateMachineArn: flag(words, '--state-machine-arn'),
        name: 'dev-test-stopped',
        input: flag(words, '--input'),
      }),
    );
    await dev.waitFor(/\[dev-test-sto\] t\+ +\d+s {2}Endpoint service /);

    // Act
    await client.send(new StopExecutionCommand({ executionArn }));

    // Assess
    await dev.waitFor(
      /\[dev-test-sto\] t\+ +\d+s {2}ABORTED: the execution was stopped; no Catch runs, so nothing was cleaned up/,
    );
    const described = await client.send(new DescribeExecutionCommand({ executionArn }));
    client.destroy();
    expect(described.status).toBe('ABORTED');
  });

  it('says what a printed put-events started, and that an event for a bus that does not exist was dropped', async () => {
    // Prepare
    const entries = JSON.parse(flag(awsCommands['events put-events'] ?? [], '--entries'));
    const client = eventsClient(awsUrl);

    // Act
    const onBus = await client.send(new PutEventsCommand({ Entries: entries }));
    const misspelt = await client.send(
      new PutEventsCommand({ Entries: [{ ...entries[0], EventBusName: 'no-such-bus' }] }),
    );
    client.destroy();

    // Assess: EventBridge answers both alike; dev says which one went nowhere
    expect([onBus.FailedEntryCount, misspelt.FailedEntryCount]).toEqual([0, 0]);
    await dev.waitFor(
      /EventBridge: "Atlas Private Endpoint Requested" on bus \S+ started execution \[[^\]]{12}\]/,
    );
    await dev.waitFor(
      /EventBridge: "Atlas Private Endpoint Requested" on bus no-such-bus: no such bus, so the event was dropped/,
    );
  });

  it('accepts the printed put-secret-value: the Atlas key gets a new current version', async () => {
    // Prepare
    const words = awsCommands['secretsmanager put-secret-value'] ?? [];
    const client = secretsClient(awsUrl);

    // Act
    const put = await client.send(
      new PutSecretValueCommand({
        SecretId: flag(words, '--secret-id'),
        SecretString: flag(words, '--secret-string'),
      }),
    );
    const described = await client.send(
      new DescribeSecretCommand({
        SecretId: flag(awsCommands['secretsmanager describe-secret'] ?? [], '--secret-id'),
      }),
    );
    client.destroy();

    // Assess
    expect(JSON.parse(flag(words, '--secret-string'))).toEqual({
      publicKey: expect.any(String),
      privateKey: expect.any(String),
    });
    expect(described.VersionIdsToStages?.[put.VersionId as string]).toEqual(['AWSCURRENT']);
  });

  it('stops on Ctrl-C with exit 0', async () => {
    // Prepare: the four executions above have ended
    await dev.waitFor(/(?:\] t\+ +\d+s {2}(?:SUCCEEDED|FAILED|ABORTED): [^\n]*\n[\s\S]*){4}/);

    // Act
    const code = await dev.stop('SIGINT');

    // Assess
    expect(code).toBe(0);
    expect(dev.output()).toMatch(/Stopping…\n$/);
    expect(dev.stderr()).toBe('');
  });
});

describe('npm run dev, answering its options', () => {
  let busy: Awaited<ReturnType<typeof occupiedPort>>;
  let busyPort: number;

  beforeAll(async () => {
    busy = await occupiedPort();
    busyPort = busy.port;
  });

  afterAll(async () => {
    await busy.release();
  });

  it('--help names the npm script, its options and exit codes', async () => {
    const { code, stdout } = await runTool(DEV, ['--help']);

    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: npm run dev -- \[options\]/);
    for (const option of ['--port N', '--scenario NAME', '--scenario-file PATH'])
      expect(stdout).toContain(option);
    expect(stdout).toMatch(/Exit status:\n {2}0 .+\n {2}2 .+\n {2}3 .+\n {2}4 /);
  });

  it.each([
    [
      ['--port', '-1'],
      'npm run dev: --port: expected a port number from 0 to 65535 (0 picks a free one), got "-1" (see npm run dev -- --help)',
    ],
    [
      ['--port', ''],
      'npm run dev: --port: expected a port number from 0 to 65535 (0 picks a free one), got "" (see npm run dev -- --help)',
    ],
    [
      ['--port', '65536'],
      'npm run dev: --port: expected a port number from 0 to 65535 (0 picks a free one), got "65536" (see npm run dev -- --help)',
    ],
    [
      ['3000'],
      'npm run dev: unexpected argument "3000": options start with --, and npm passes them on only after a lone -- (see npm run dev -- --help)',
    ],
  ])('exits 2 for %j with one line', async (args, message) => {
    const { code, stdout, stderr } = await runTool(DEV, args);

    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(expectOneLine(stderr, 'npm run dev')).toBe(message);
  });

  it('exits 3 with one line when the port is in use', async () => {
    const { code, stderr } = await runTool(DEV, ['--port', String(busyPort)]);

    expect(code).toBe(3);
    expect(expectOneLine(stderr, 'npm run dev')).toBe(
      `npm run dev: port ${busyPort} is in use on 127.0.0.1: stop what holds it, or choose another with --port (0 picks a free one)`,
    );
  });
});
