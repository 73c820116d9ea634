import { createHash } from 'node:crypto';
import { CreateVpcEndpointCommand, EC2Client, EC2ServiceException } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { type AttemptRecord, clientTokenFor, ServiceNext, Verdict } from '../../lambdas/domain/decisions';
import { ManagedTag, parseProvisioningRequest } from '../../lambdas/domain/request';
import { Ec2InvalidParameterError, Ec2ThrottledError, InvalidRequestError } from '../../lambdas/errors';
import {
  type CreateVpcEndpointEvent,
  createCreateVpcEndpointHandler,
} from '../../lambdas/handlers/createVpcEndpoint';
import {
  EXECUTION,
  EXECUTION_ARN,
  GROUP,
  MANAGED_BY,
  SUBNET,
  testRuntime,
  VPC,
  VPCE,
  VPCE_2,
  vpcEndpoint,
} from './fakeRuntime';

const SERVICE_ID = '6a0b1c2d3e4f5a6b7c8d9e0f';
const SERVICE_NAME = 'com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0';
const SG = 'sg-0123456789abcdef0';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

const ec2 = mockClient(EC2Client);

beforeEach(() => {
  ec2.reset();
  ec2.on(CreateVpcEndpointCommand).resolves({ VpcEndpoint: vpcEndpoint(VPCE, 'pendingAcceptance') });
});

const request = parseProvisioningRequest({
  groupId: GROUP,
  region: 'us-east-1',
  vpcId: VPC,
  subnetIds: [SUBNET],
  securityGroupIds: [SG],
  tags: { team: 'data' },
});

function event(attempts: AttemptRecord[] = []): CreateVpcEndpointEvent {
  return {
    executionName: EXECUTION,
    executionArn: EXECUTION_ARN,
    request,
    service: {
      endpointServiceId: SERVICE_ID,
      region: 'us-east-1',
      endpointServiceName: SERVICE_NAME,
      status: 'AVAILABLE',
      next: ServiceNext.READY,
      checks: 2,
      waitSeconds: 0,
    },
    history: { attempts, attemptsLeft: true },
  };
}

const failedAttempt: AttemptRecord = {
  attempt: 1,
  vpcEndpointId: VPCE_2,
  outcome: 'REJECTED',
  connectionStatus: 'REJECTED',
  errorMessage: null,
  startedAt: '2026-03-01T10:01:00.000Z',
  endedAt: '2026-03-01T10:03:00.000Z',
};

describe('createVpcEndpoint handler', () => {
  it('creates an Interface endpoint with private DNS off, a ClientToken and the managed tags', async () => {
    // Prepare
    const runtime = testRuntime();

    // Act
    await createCreateVpcEndpointHandler(runtime)(event());

    // Assess
    const calls = ec2.commandCalls(CreateVpcEndpointCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toStrictEqual({
      VpcEndpointType: 'Interface',
      VpcId: VPC,
      ServiceName: SERVICE_NAME,
      SubnetIds: [SUBNET],
      SecurityGroupIds: [SG],
      PrivateDnsEnabled: false,
      ClientToken: clientTokenFor(MANAGED_BY, EXECUTION, 1, sha256),
      TagSpecifications: [
        {
          ResourceType: 'vpc-endpoint',
          Tags: [
            { Key: 'Name', Value: `atlas-privatelink-${GROUP}` },
            { Key: 'team', Value: 'data' },
            { Key: ManagedTag.managedBy, Value: MANAGED_BY },
            { Key: ManagedTag.groupId, Value: GROUP },
            { Key: ManagedTag.endpointServiceId, Value: SERVICE_ID },
            { Key: ManagedTag.execution, Value: EXECUTION_ARN },
            { Key: ManagedTag.attempt, Value: '1' },
          ],
        },
      ],
    });
  });

  it('tags the endpoint with the caller the request records, in characters every tagging service accepts', async () => {
    // Prepare: a role name may hold a comma, which AWS's common tag character set does not.
    const requestedBy = 'arn:aws:sts::123456789012:assumed-role/Team,A';
    const withCaller = { ...event(), request: { ...request, requestedBy } };

    // Act
    await createCreateVpcEndpointHandler(testRuntime())(withCaller);

    // Assess
    const tags = ec2.commandCalls(CreateVpcEndpointCommand)[0]!.args[0].input.TagSpecifications?.[0]?.Tags;
    expect(tags).toContainEqual({
      Key: ManagedTag.requestedBy,
      Value: 'arn:aws:sts::123456789012:assumed-role/Team_A',
    });
  });

  it('puts no requested-by tag on the endpoint of an execution started on the state machine itself', async () => {
    await createCreateVpcEndpointHandler(testRuntime())(event());

    const tags = ec2.commandCalls(CreateVpcEndpointCommand)[0]!.args[0].input.TagSpecifications?.[0]?.Tags;
    expect(tags?.map((t) => t.Key)).not.toContain(ManagedTag.requestedBy);
  });

  it('starts the attempt: its number, endpoint id, token and a fresh poll state', async () => {
    // Prepare
    const runtime = testRuntime();

    // Act
    const attempt = await createCreateVpcEndpointHandler(runtime)(event());

    // Assess
    expect(attempt).toStrictEqual({
      number: 1,
      vpcEndpointId: VPCE,
      clientToken: clientTokenFor(MANAGED_BY, EXECUTION, 1, sha256),
      startedAt: new Date(runtime.now()).toISOString(),
      poll: expect.objectContaining({ checks: 0, verdict: Verdict.PENDING, atlasReadAt: null }),
    });
  });

  it('sends the same ClientToken when the attempt is retried, and a new one for the next attempt', async () => {
    // Prepare
    const handler = createCreateVpcEndpointHandler(testRuntime());

    // Act
    const first = await handler(event());
    const retried = await handler(event());
    const next = await handler(event([failedAttempt]));

    // Assess
    const tokens = ec2.commandCalls(CreateVpcEndpointCommand).map((c) => c.args[0].input.ClientToken);
    expect(tokens[0]).toBe(tokens[1]);
    expect(tokens[2]).not.toBe(tokens[0]);
    expect([first.number, retried.number, next.number]).toStrictEqual([1, 1, 2]);
    const tags = ec2.commandCalls(CreateVpcEndpointCommand)[2]!.args[0].input.TagSpecifications?.[0]?.Tags;
    expect(tags).toContainEqual({ Key: ManagedTag.attempt, Value: '2' });
  });

  it('sends a valid ClientToken for the longest execution name', async () => {
    const handler = createCreateVpcEndpointHandler(testRuntime());

    await handler({ ...event(), executionName: 'x'.repeat(80) });

    const token = ec2.commandCalls(CreateVpcEndpointCommand)[0]!.args[0].input.ClientToken ?? '';
    expect(token.length).toBeLessThanOrEqual(64);
  });

  it("sends ServiceRegion for a service in another region than the function's (cross-region), and only then", async () => {
    const handler = createCreateVpcEndpointHandler(testRuntime());
    const remoteName = 'com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0';

    await handler(event());
    await handler({
      ...event(),
      service: { ...event().service, region: 'eu-west-1', endpointServiceName: remoteName },
    });

    const [local, remote] = ec2.commandCalls(CreateVpcEndpointCommand).map((c) => c.args[0].input);
    expect(local).not.toHaveProperty('ServiceRegion');
    expect(remote).toMatchObject({ ServiceName: remoteName, ServiceRegion: 'eu-west-1' });
  });

  it('sends no SecurityGroupIds when the request names none (EC2 uses the default group)', async () => {
    const handler = createCreateVpcEndpointHandler(testRuntime());

    await handler({ ...event(), request: { ...request, securityGroupIds: [] } });

    expect(ec2.commandCalls(CreateVpcEndpointCommand)[0]!.args[0].input).not.toHaveProperty(
      'SecurityGroupIds',
    );
  });

  it.each([
    ['InvalidSubnetID.NotFound', 400, Ec2InvalidParameterError],
    ['RequestLimitExceeded', 503, Ec2ThrottledError],
  ])('fails with the error the state machine matches on when EC2 answers %s', async (code, status, type) => {
    // Prepare
    ec2.on(CreateVpcEndpointCommand).rejects(
      Object.assign(
        new EC2ServiceException({
          name: code,
          $fault: status >= 500 ? 'server' : 'client',
          $metadata: { httpStatusCode: status },
          message: `${code} happened`,
        }),
        { Code: code },
      ),
    );

    // Act & Assess
    await expect(createCreateVpcEndpointHandler(testRuntime())(event())).rejects.toBeInstanceOf(type);
  });
});

describe('createVpcEndpoint invoked directly, outside the deployment allow-lists', () => {
  const narrowed = (allowedVpcIds: readonly string[] | '*', allowedGroupIds: readonly string[] | '*') => ({
    ...testRuntime(),
    requestContext: () => ({ deploymentRegion: 'us-east-1', allowedVpcIds, allowedGroupIds }),
  });

  it.each([
    ['a VPC', narrowed(['vpc-0fedcba9876543210'], '*'), /^vpcId: .*allowedVpcIds/],
    ['a project', narrowed('*', ['aaaaaaaaaaaaaaaaaaaaaaaa']), /^groupId: .*allowedGroupIds/],
  ])(
    'refuses %s it does not list with InvalidRequestError, creating nothing',
    async (_what, runtime, message) => {
      const creating = createCreateVpcEndpointHandler(runtime)(event());

      await expect(creating).rejects.toBeInstanceOf(InvalidRequestError);
      await expect(creating).rejects.toThrow(message);
      expect(ec2.commandCalls(CreateVpcEndpointCommand)).toEqual([]);
    },
  );
});
