import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AtlasCredentialsStore } from '../../lambdas/adapters/AtlasCredentialsStore';
import { ec2Client, secretsClient, sfnClient } from '../../lambdas/adapters/clients';
import { Executions } from '../../lambdas/adapters/Executions';
import { VpcEndpoints } from '../../lambdas/adapters/VpcEndpoints';
import { ErrorName } from '../../lambdas/errors';

// These tests speak the real wire protocols to a loopback server, through the process's real clients,
// configured only by the environment the offline runner sets.

interface Seen {
  /** Which loopback server the call reached: the global endpoint's or the per-service one. */
  readonly server: 'global' | 'service';
  readonly target: string;
  readonly body: string;
}

const VPCE = 'vpce-0123456789abcdef0';
const STATE_MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:AtlasPrivateLink';
const seen: Seen[] = [];
const servers: Server[] = [];

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function ec2Answer(body: string): { status: number; type: string; body: string } {
  const params = new URLSearchParams(body);
  if (params.get('VpcEndpointId.1') === 'vpce-00000000000000000') {
    return {
      status: 400,
      type: 'text/xml',
      body: '<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>InvalidVpcEndpointId.NotFound</Code><Message>The Vpc Endpoint Id does not exist</Message></Error></Errors><RequestID>r-1</RequestID></Response>',
    };
  }
  if (params.get('VpcEndpointId.1') === 'vpce-11111111111111111') {
    return {
      status: 400,
      type: 'text/xml',
      body: '<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You are not authorized to perform this operation.</Message></Error></Errors><RequestID>r-2</RequestID></Response>',
    };
  }
  return {
    status: 200,
    type: 'text/xml',
    body: `<?xml version="1.0" encoding="UTF-8"?>
<DescribeVpcEndpointsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">
  <requestId>r-0</requestId>
  <vpcEndpointSet>
    <item>
      <vpcEndpointId>${VPCE}</vpcEndpointId>
      <vpcEndpointType>Interface</vpcEndpointType>
      <vpcId>vpc-0123456789abcdef0</vpcId>
      <serviceName>com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0</serviceName>
      <state>pendingAcceptance</state>
      <creationTimestamp>2026-01-02T03:04:05.000Z</creationTimestamp>
      <groupSet><item><groupId>sg-0123456789abcdef0</groupId><groupName>atlas</groupName></item></groupSet>
      <tagSet><item><key>Name</key><value>atlas</value></item></tagSet>
    </item>
  </vpcEndpointSet>
</DescribeVpcEndpointsResponse>`,
  };
}

async function listen(name: Seen['server']): Promise<string> {
  const server = createServer(async (req, res) => {
    const body = await readBody(req);
    const target = String(req.headers['x-amz-target'] ?? new URLSearchParams(body).get('Action'));
    seen.push({ server: name, target, body });
    let answer: { status: number; type: string; body: string };
    if (target === 'secretsmanager.GetSecretValue') {
      answer = {
        status: 200,
        type: 'application/x-amz-json-1.1',
        body: JSON.stringify({
          Name: 'atlas',
          SecretString: JSON.stringify({ publicKey: 'pub', privateKey: 'priv' }),
        }),
      };
    } else if (target === 'AWSStepFunctions.DescribeExecution') {
      answer = {
        status: 400,
        type: 'application/x-amz-json-1.0',
        body: JSON.stringify({ __type: 'ExecutionDoesNotExist', message: 'Execution Does Not Exist' }),
      };
    } else {
      answer = ec2Answer(body);
    }
    res.writeHead(answer.status, { 'content-type': answer.type }).end(answer.body);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  const globalUrl = await listen('global');
  const serviceUrl = await listen('service');
  vi.stubEnv('AWS_REGION', 'us-east-1');
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDEXAMPLE');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY');
  vi.stubEnv('AWS_SESSION_TOKEN', '');
  vi.stubEnv('AWS_PROFILE', '');
  vi.stubEnv('AWS_MAX_ATTEMPTS', '1');
  vi.stubEnv('AWS_IGNORE_CONFIGURED_ENDPOINT_URLS', '');
  vi.stubEnv('AWS_ENDPOINT_URL', globalUrl);
  vi.stubEnv('AWS_ENDPOINT_URL_EC2', serviceUrl);
  vi.stubEnv('AWS_ENDPOINT_URL_SFN', serviceUrl);
  vi.stubEnv('AWS_ENDPOINT_URL_SECRETS_MANAGER', '');
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
});

describe('clients', () => {
  it('builds each client once per process', () => {
    expect(ec2Client()).toBe(ec2Client());
    expect(secretsClient()).toBe(secretsClient());
    expect(sfnClient()).toBe(sfnClient());
  });

  it('sends EC2 calls to AWS_ENDPOINT_URL_EC2 rather than AWS_ENDPOINT_URL, and the camelCase wire state comes out lower-cased', async () => {
    // Act
    const view = await new VpcEndpoints(ec2Client()).describe(VPCE);

    // Assess
    expect(seen.filter((s) => s.target === 'DescribeVpcEndpoints').map((s) => s.server)).toStrictEqual([
      'service',
    ]);
    expect(view).toStrictEqual({
      vpcEndpointId: VPCE,
      state: 'pendingacceptance',
      serviceName: 'com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0',
      vpcId: 'vpc-0123456789abcdef0',
      tags: { Name: 'atlas' },
      securityGroupIds: ['sg-0123456789abcdef0'],
      createdAt: '2026-01-02T03:04:05.000Z',
    });
  });

  it('reads a real EC2 InvalidVpcEndpointId.NotFound error as "not found"', async () => {
    await expect(new VpcEndpoints(ec2Client()).describe('vpce-00000000000000000')).resolves.toBeUndefined();
  });

  it('maps a real EC2 error response to a typed error with the case-exact code and status', async () => {
    await expect(new VpcEndpoints(ec2Client()).describe('vpce-11111111111111111')).rejects.toMatchObject({
      name: ErrorName.Ec2AccessDenied,
      code: 'UnauthorizedOperation',
      status: 400,
      action: 'DescribeVpcEndpoints',
    });
  });

  it('sends Secrets Manager calls to the global AWS_ENDPOINT_URL when no per-service one is set', async () => {
    // Act
    const credentials = await new AtlasCredentialsStore(secretsClient()).get('atlas');

    // Assess
    expect(credentials).toStrictEqual({ publicKey: 'pub', privateKey: 'priv' });
    expect(
      seen.filter((s) => s.target === 'secretsmanager.GetSecretValue').map((s) => s.server),
    ).toStrictEqual(['global']);
  });

  it('sends Step Functions calls to AWS_ENDPOINT_URL_SFN, and reads ExecutionDoesNotExist as undefined', async () => {
    // Act
    const view = await new Executions(sfnClient(), STATE_MACHINE).describe('req-42');

    // Assess
    expect(view).toBeUndefined();
    const call = seen.find((s) => s.target === 'AWSStepFunctions.DescribeExecution');
    expect(call?.server).toBe('service');
    expect(JSON.parse(call!.body)).toStrictEqual({
      executionArn: 'arn:aws:states:us-east-1:123456789012:execution:AtlasPrivateLink:req-42',
    });
  });
});
