import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateVpcEndpointCommand } from '@aws-sdk/client-ec2';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ManagedTag } from '../../lambdas/domain/request';
import { StateNames } from '../../lambdas/domain/workflowState';
import { DEMO_API_KEY, DEMO_GROUP_ID } from '../../local/atlas-emulator';
import {
  type AwsEmulator,
  DEMO_SECURITY_GROUP_ID,
  DEMO_SUBNET_IDS,
  DEMO_VPC_ID,
  startAwsEmulator,
} from '../../local/aws-emulator';
import { ec2Client, SERVICE_NAME, sfnClient } from '../local/aws-emulator/clients';
import { expectOneLine, runTool } from './spawnCli';

// Spawned tools: a few seconds each when the machine is idle, far more when it is not.
vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });

const SWEEP = 'local/cli/sweep.ts';
const STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:AtlasPrivateLink-StateMachine';
const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:atlas-api-key-AbCdEf';
const MANAGED_BY = 'AtlasPrivateLink';
const ENDPOINT_SERVICE_ID = '6b0a1b2c3d4e5f6a7b8c9d0e';

/** No real AWS call may leave this machine, whatever the developer's shell holds. */
const OFFLINE_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  AWS_PROFILE: '',
  AWS_REGION: 'us-east-1',
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_CONFIG_FILE: '/nonexistent/aws-config',
  AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
};

const sweep = (args: string[], env: NodeJS.ProcessEnv = OFFLINE_ENV) => runTool(SWEEP, args, { env });

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('npm run sweep --offline', () => {
  it('crashes a provisioning, sweeps what it left from both sides and exits 0', async () => {
    const { code, stdout } = await sweep(['--offline']);

    expect(code).toBe(0);
    expect(stdout).toMatch(/Execution key-[0-9a-f]{40}: ABORTED; no Catch ran, so no clean-up\./);
    expect(stdout).toContain('Left behind: 1 VPC endpoint(s), 1 Atlas registration(s).');
    const removed = /Removed (vpce-[0-9a-f]{17}) from Atlas and EC2/.exec(stdout)?.[1];
    expect(removed).toBeDefined();
    expect(stdout).toMatch(new RegExp(`${removed}\\s+execution \\S+ ABORTED`));
    expect(stdout).toContain('After the sweep: 0 VPC endpoint(s), 0 Atlas registration(s).');
  });

  it('--dry-run lists the orphan, removes nothing and exits 1', async () => {
    const { code, stdout } = await sweep(['--offline', '--dry-run']);

    expect(code).toBe(1);
    expect(stdout).toMatch(/vpce-[0-9a-f]{17}\s+execution \S+ ABORTED.*would remove/);
    expect(stdout).toContain('After the sweep: 1 VPC endpoint(s), 1 Atlas registration(s).');
  });
});

describe('npm run sweep, when AWS or Atlas is out of reach', () => {
  let aws: AwsEmulator;

  beforeAll(async () => {
    // An orphan as a crash leaves it: a tagged VPC endpoint of a FAILED execution, old enough to sweep,
    // that the execution's history shows its "Create VPC endpoint" state produced.
    let endpointMade: (vpcEndpointId: string) => void = () => {};
    const made = new Promise<string>((resolve) => {
      endpointMade = resolve;
    });
    aws = await startAwsEmulator({
      clock: () => Date.now() - 3 * 60 * 60 * 1000,
      secrets: { 'atlas-api-key': JSON.stringify(DEMO_API_KEY) },
      stepFunctions: {
        stateMachineArn: STATE_MACHINE_ARN,
        run: async ({ record }) => {
          const vpcEndpointId = await made;
          record?.({
            kind: 'exited',
            type: 'Task',
            name: StateNames.createVpcEndpoint,
            output: {
              request: { vpcId: DEMO_VPC_ID, groupId: DEMO_GROUP_ID },
              service: { endpointServiceName: SERVICE_NAME, endpointServiceId: ENDPOINT_SERVICE_ID },
              attempt: { number: 1, vpcEndpointId },
            },
          });
          throw Object.assign(new Error('crashed'), { name: 'AtlasNetworkError' });
        },
      },
    });
    const sfn = sfnClient(aws.url);
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: STATE_MACHINE_ARN, name: 'crashed-execution' }),
    );
    const ec2 = ec2Client(aws.url);
    const endpoint = await ec2.send(
      new CreateVpcEndpointCommand({
        VpcEndpointType: 'Interface',
        VpcId: DEMO_VPC_ID,
        ServiceName: SERVICE_NAME,
        SubnetIds: [DEMO_SUBNET_IDS[0]],
        SecurityGroupIds: [DEMO_SECURITY_GROUP_ID],
        PrivateDnsEnabled: false,
        TagSpecifications: [
          {
            ResourceType: 'vpc-endpoint',
            Tags: [
              { Key: ManagedTag.managedBy, Value: MANAGED_BY },
              { Key: ManagedTag.execution, Value: executionArn as string },
              { Key: ManagedTag.groupId, Value: DEMO_GROUP_ID },
              { Key: ManagedTag.endpointServiceId, Value: ENDPOINT_SERVICE_ID },
            ],
          },
        ],
      }),
    );
    endpointMade(endpoint.VpcEndpoint?.VpcEndpointId as string);
    await aws.waitForExecution(executionArn as string);
    sfn.destroy();
    ec2.destroy();
  });

  afterAll(async () => {
    await aws?.close();
  });

  it('exits 3 naming the call when AWS does not answer', async () => {
    const port = await closedPort();

    const { code, stdout, stderr } = await sweep(
      ['--state-machine-arn', STATE_MACHINE_ARN, '--secret-arn', SECRET_ARN, '--managed-by', MANAGED_BY],
      {
        ...OFFLINE_ENV,
        AWS_ACCESS_KEY_ID: 'x',
        AWS_SECRET_ACCESS_KEY: 'x',
        AWS_ENDPOINT_URL: `http://127.0.0.1:${port}`,
      },
    );

    expect(code).toBe(3);
    expect(stdout).toMatch(/^Sweeping VPC endpoints tagged atlas-privatelink:managed-by=AtlasPrivateLink/);
    expect(expectOneLine(stderr, 'npm run sweep')).toMatch(
      /^npm run sweep: could not finish: Ec2UnavailableError: EC2 DescribeVpcEndpoints failed with ECONNREFUSED/,
    );
  });

  it('exits 3 saying how to give credentials when there are none', async () => {
    const {
      AWS_ACCESS_KEY_ID: _id,
      AWS_SECRET_ACCESS_KEY: _key,
      AWS_SESSION_TOKEN: _token,
      ...env
    } = OFFLINE_ENV;

    const { code, stderr } = await sweep(
      ['--state-machine-arn', STATE_MACHINE_ARN, '--secret-arn', SECRET_ARN, '--managed-by', MANAGED_BY],
      {
        ...env,
        HOME: mkdtempSync(join(tmpdir(), 'no-aws-home-')),
      },
    );

    expect(code).toBe(3);
    expect(expectOneLine(stderr, 'npm run sweep')).toBe(
      'npm run sweep: no AWS credentials found: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run aws sso login',
    );
  });

  it('exits 3, after listing the orphan, when Atlas does not answer', async () => {
    const port = await closedPort();

    const { code, stdout, stderr } = await sweep(
      [
        '--state-machine-arn',
        STATE_MACHINE_ARN,
        '--secret-arn',
        aws.secretArn('atlas-api-key') as string,
        '--grace-seconds',
        '0',
        '--managed-by',
        MANAGED_BY,
      ],
      {
        ...OFFLINE_ENV,
        AWS_ACCESS_KEY_ID: 'x',
        AWS_SECRET_ACCESS_KEY: 'x',
        AWS_ENDPOINT_URL: aws.url,
        ATLAS_BASE_URL: `http://127.0.0.1:${port}`,
        ATLAS_RETRY_DEADLINE_MS: '100',
      },
    );

    expect(code).toBe(3);
    expect(expectOneLine(stderr, 'npm run sweep')).toMatch(
      /^npm run sweep: Atlas could not be reached, or refused every call: AtlasNetworkError: /,
    );
    expect(stdout).toBe(
      'Sweeping VPC endpoints tagged atlas-privatelink:managed-by=AtlasPrivateLink (grace 0 s)\n',
    );
  });
});

describe('npm run sweep, answering its options', () => {
  it('--help names the npm script, its options and all five exit codes', async () => {
    const { code, stdout } = await sweep(['--help']);

    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: npm run sweep -- \[options\]/);
    for (const option of [
      '--state-machine-arn ARN',
      '--secret-arn ARN',
      '--managed-by VALUE',
      '--grace-seconds N',
      '--dry-run',
      '--region REGION',
      '--offline',
    ]) {
      expect(stdout).toContain(option);
    }
    expect(stdout).toMatch(/Exit status:\n {2}0 .+\n {2}1 [\s\S]+\n {2}2 .+\n {2}3 [\s\S]+\n {2}4 /);
  });

  it.each([
    [
      ['--secret-arn', SECRET_ARN],
      'npm run sweep: --state-machine-arn is required (the stack output StateMachineArn) (see npm run sweep -- --help)',
    ],
    [
      ['--state-machine-arn', STATE_MACHINE_ARN],
      'npm run sweep: --secret-arn is required (the stack output AtlasSecretArn) (see npm run sweep -- --help)',
    ],
    [
      ['--state-machine-arn', STATE_MACHINE_ARN, '--secret-arn', SECRET_ARN],
      'npm run sweep: --managed-by is required (the stack output ManagedBy) (see npm run sweep -- --help)',
    ],
    [
      ['--offline', '--grace-seconds', 'soon'],
      'npm run sweep: --grace-seconds: expected a whole number of seconds ≥ 0, got "soon" (see npm run sweep -- --help)',
    ],
    [
      ['--state-machine-arn', 'AtlasPrivateLink', '--secret-arn', SECRET_ARN],
      /^npm run sweep: --state-machine-arn: expected arn:aws:states:<region>:<account>:stateMachine:<name> .*, got "AtlasPrivateLink" \(see/,
    ],
    [['--bogus'], 'npm run sweep: unknown option --bogus (see npm run sweep -- --help)'],
  ])('exits 2 for %j with one line, calling nothing', async (args, message) => {
    const { code, stdout, stderr } = await sweep(args);

    expect(code).toBe(2);
    expect(stdout).toBe('');
    const line = expectOneLine(stderr, 'npm run sweep');
    if (typeof message === 'string') expect(line).toBe(message);
    else expect(line).toMatch(message);
  });
});
