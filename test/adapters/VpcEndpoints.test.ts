import {
  CreateVpcEndpointCommand,
  DeleteVpcEndpointsCommand,
  DescribeVpcEndpointsCommand,
  EC2Client,
  EC2ServiceException,
  type State,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  MALFORMED_RESPONSE,
  toEc2Error,
  VpcEndpointState,
  VpcEndpoints,
} from '../../lambdas/adapters/VpcEndpoints';
import { Ec2Error, ErrorName, InvalidRequestError, RETRYABLE_ERROR_NAMES } from '../../lambdas/errors';

const VPCE = 'vpce-0123456789abcdef0';
const VPCE_2 = 'vpce-0123456789abcdef1';
const VPCE_3 = 'vpce-0123456789abcdef2';
const SERVICE = 'com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0';
const VPC = 'vpc-0123456789abcdef0';

/** A state as EC2 sends it on the wire (camelCase), which the SDK's PascalCase `State` type does not admit. */
const wire = (state: string) => state as State;

/** An EC2 error as the SDK raises it: `name` and `Code` are EC2's code, with the HTTP status. */
function ec2Failure(code: string, status: number, message = `${code} happened`): EC2ServiceException {
  const error = new EC2ServiceException({
    name: code,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status, requestId: 'req-1', attempts: 1 },
    message,
  });
  return Object.assign(error, { Code: code });
}

/** A failure below HTTP: no status, and the `$metadata` the SDK's retry middleware adds anyway. */
function networkFailure(code: string): Error {
  return Object.assign(new Error(`socket ${code}`), {
    code,
    $metadata: { attempts: 3, totalRetryDelay: 300 },
  });
}

function timeoutFailure(): Error {
  const error = new Error('Connection timed out after 1000 ms');
  error.name = 'TimeoutError';
  return error;
}

const ec2 = mockClient(EC2Client);
let endpoints: VpcEndpoints;

beforeEach(() => {
  ec2.reset();
  endpoints = new VpcEndpoints(new EC2Client({ region: 'us-east-1' }));
});

afterEach(() => {
  ec2.reset();
});

const createInput = {
  vpcId: VPC,
  subnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
  securityGroupIds: ['sg-0123456789abcdef0'],
  serviceName: SERVICE,
  clientToken: 'req-42-attempt-1',
  tags: { 'atlas-privatelink:request': 'req-42', Name: 'atlas' },
};

describe('VpcEndpoints.create', () => {
  it('sends an Interface endpoint with private DNS off, the client token, the security groups and the tags', async () => {
    // Prepare
    ec2.on(CreateVpcEndpointCommand).resolves({
      VpcEndpoint: { VpcEndpointId: VPCE, State: 'PendingAcceptance', ServiceName: SERVICE, VpcId: VPC },
    });

    // Act
    await endpoints.create(createInput);

    // Assess
    const calls = ec2.commandCalls(CreateVpcEndpointCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toStrictEqual({
      VpcEndpointType: 'Interface',
      VpcId: VPC,
      ServiceName: SERVICE,
      SubnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'],
      SecurityGroupIds: ['sg-0123456789abcdef0'],
      PrivateDnsEnabled: false,
      ClientToken: 'req-42-attempt-1',
      TagSpecifications: [
        {
          ResourceType: 'vpc-endpoint',
          Tags: [
            { Key: 'atlas-privatelink:request', Value: 'req-42' },
            { Key: 'Name', Value: 'atlas' },
          ],
        },
      ],
    });
  });

  it('sends no SecurityGroupIds (nor tags) when none are given', async () => {
    // Prepare
    ec2
      .on(CreateVpcEndpointCommand)
      .resolves({ VpcEndpoint: { VpcEndpointId: VPCE, State: wire('pending') } });

    // Act
    await endpoints.create({ ...createInput, securityGroupIds: [], tags: {} });

    // Assess
    const input = ec2.commandCalls(CreateVpcEndpointCommand)[0]!.args[0].input;
    expect(input).not.toHaveProperty('SecurityGroupIds');
    expect(input).not.toHaveProperty('TagSpecifications');
    expect(input.VpcEndpointType).toBe('Interface');
    expect(input.PrivateDnsEnabled).toBe(false);
  });

  it('returns the endpoint with its state lower-cased, its tags as a record, its security groups and its creation time in ISO 8601', async () => {
    // Prepare
    ec2.on(CreateVpcEndpointCommand).resolves({
      VpcEndpoint: {
        VpcEndpointId: VPCE,
        State: 'PendingAcceptance',
        ServiceName: SERVICE,
        VpcId: VPC,
        Tags: [{ Key: 'Name', Value: 'atlas' }],
        Groups: [{ GroupId: 'sg-0123456789abcdef0', GroupName: 'atlas' }],
        CreationTimestamp: new Date('2026-01-02T03:04:05.000Z'),
      },
    });

    // Act
    const view = await endpoints.create(createInput);

    // Assess
    expect(view).toStrictEqual({
      vpcEndpointId: VPCE,
      state: 'pendingacceptance',
      serviceName: SERVICE,
      vpcId: VPC,
      tags: { Name: 'atlas' },
      securityGroupIds: ['sg-0123456789abcdef0'],
      createdAt: '2026-01-02T03:04:05.000Z',
    });
  });

  it.each([
    ['empty', ''],
    ['longer than 64 characters', 'x'.repeat(65)],
    ['not ASCII', 'réquest'],
  ])('fails without calling EC2 when the client token is %s', async (_what, clientToken) => {
    // Act
    const attempt = endpoints.create({ ...createInput, clientToken });

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(InvalidRequestError);
    expect(ec2.commandCalls(CreateVpcEndpointCommand)).toHaveLength(0);
  });

  it('fails with an Ec2Error when EC2 answers without an endpoint', async () => {
    // Prepare
    ec2.on(CreateVpcEndpointCommand).resolves({});

    // Act & Assess
    await expect(endpoints.create(createInput)).rejects.toMatchObject({
      name: ErrorName.Ec2,
      action: 'CreateVpcEndpoint',
    });
  });
});

describe('EC2 error mapping', () => {
  it.each([
    ['RequestLimitExceeded', 503, ErrorName.Ec2Throttled],
    ['Throttling', 400, ErrorName.Ec2Throttled],
    ['ThrottlingException', 400, ErrorName.Ec2Throttled],
    ['InternalError', 500, ErrorName.Ec2Unavailable],
    ['ServiceUnavailable', 503, ErrorName.Ec2Unavailable],
    ['Unavailable', 503, ErrorName.Ec2Unavailable],
    ['SomethingNew', 502, ErrorName.Ec2Unavailable],
    ['UnauthorizedOperation', 403, ErrorName.Ec2AccessDenied],
    ['AuthFailure', 401, ErrorName.Ec2AccessDenied],
    ['InvalidVpcID.NotFound', 400, ErrorName.Ec2InvalidParameter],
    ['InvalidSubnetID.NotFound', 400, ErrorName.Ec2InvalidParameter],
    ['InvalidSecurityGroupId.NotFound', 400, ErrorName.Ec2InvalidParameter],
    ['InvalidServiceName', 400, ErrorName.Ec2InvalidParameter],
    ['InvalidParameter', 400, ErrorName.Ec2InvalidParameter],
    ['InvalidParameterValue', 400, ErrorName.Ec2InvalidParameter],
    ['InvalidParameterCombination', 400, ErrorName.Ec2InvalidParameter],
    ['IdempotentParameterMismatch', 400, ErrorName.Ec2InvalidParameter],
    ['VpcEndpointLimitExceeded', 400, ErrorName.Ec2InvalidParameter],
    ['DryRunOperation', 412, ErrorName.Ec2],
  ])(
    'turns %s (HTTP %i) from CreateVpcEndpoint into %s with the code, status, action and cause',
    async (code, status, name) => {
      // Prepare
      const failure = ec2Failure(code, status);
      ec2.on(CreateVpcEndpointCommand).rejects(failure);

      // Act
      const error = await endpoints.create(createInput).catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(Ec2Error);
      expect(error).toMatchObject({ name, code, status, action: 'CreateVpcEndpoint', cause: failure });
      expect((error as Error).message).toBe(`EC2 CreateVpcEndpoint failed with ${code}: ${code} happened`);
    },
  );

  it.each([
    ['a connection reset', networkFailure('ECONNRESET'), 'ECONNRESET'],
    ['a refused connection', networkFailure('ECONNREFUSED'), 'ECONNREFUSED'],
    ['a timeout', timeoutFailure(), 'TimeoutError'],
    ['an error without any $metadata', new Error('socket hang up'), 'UnknownError'],
  ])('turns %s into Ec2UnavailableError', async (_what, failure, code) => {
    // Prepare
    ec2.on(DescribeVpcEndpointsCommand).rejects(failure);

    // Act
    const error = await endpoints.findByTag('k', 'v').catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({
      name: ErrorName.Ec2Unavailable,
      code,
      status: undefined,
      action: 'DescribeVpcEndpoints',
      cause: failure,
    });
  });

  it('turns a 2xx answer the SDK could not read into a retried Ec2UnavailableError', async () => {
    // Prepare: what the SDK throws for a body cut off mid-document
    const failure = Object.assign(new Error('@aws-sdk XML parse error: unexpected end of input.'), {
      $metadata: { httpStatusCode: 200 },
    });
    ec2.on(CreateVpcEndpointCommand).rejects(failure);

    // Act
    const error = await endpoints.create(createInput).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ name: ErrorName.Ec2Unavailable, code: MALFORMED_RESPONSE, status: 200 });
    expect(RETRYABLE_ERROR_NAMES).toContain((error as Error).name);
  });

  it('keeps an Ec2Error that is already mapped as it is', () => {
    // Prepare
    const mapped = toEc2Error(ec2Failure('AuthFailure', 401), 'DeleteVpcEndpoints');

    // Act & Assess
    expect(toEc2Error(mapped, 'CreateVpcEndpoint')).toBe(mapped);
  });
});

describe('VpcEndpoints.describe', () => {
  it('asks for the one endpoint id and returns it', async () => {
    // Prepare
    ec2.on(DescribeVpcEndpointsCommand).resolves({
      VpcEndpoints: [
        { VpcEndpointId: VPCE, State: wire('available'), ServiceName: SERVICE, VpcId: VPC, Tags: [] },
      ],
    });

    // Act
    const view = await endpoints.describe(VPCE);

    // Assess
    expect(ec2.commandCalls(DescribeVpcEndpointsCommand)[0]!.args[0].input).toStrictEqual({
      VpcEndpointIds: [VPCE],
    });
    expect(view).toStrictEqual({
      vpcEndpointId: VPCE,
      state: 'available',
      serviceName: SERVICE,
      vpcId: VPC,
      tags: {},
      securityGroupIds: [],
    });
  });

  it.each([
    ['pendingAcceptance', VpcEndpointState.PendingAcceptance],
    ['PendingAcceptance', VpcEndpointState.PendingAcceptance],
    ['rejected', VpcEndpointState.Rejected],
    ['Rejected', VpcEndpointState.Rejected],
    ['deleted', VpcEndpointState.Deleted],
    ['Available', VpcEndpointState.Available],
  ])('lower-cases the state %s to %s', async (state, expected) => {
    // Prepare
    ec2
      .on(DescribeVpcEndpointsCommand)
      .resolves({ VpcEndpoints: [{ VpcEndpointId: VPCE, State: wire(state) }] });

    // Act
    const view = await endpoints.describe(VPCE);

    // Assess
    expect(view?.state).toBe(expected);
  });

  it('returns undefined when EC2 answers InvalidVpcEndpointId.NotFound', async () => {
    // Prepare
    ec2.on(DescribeVpcEndpointsCommand).rejects(ec2Failure('InvalidVpcEndpointId.NotFound', 400));

    // Act & Assess
    await expect(endpoints.describe(VPCE)).resolves.toBeUndefined();
  });

  it('returns undefined when EC2 answers with no endpoints', async () => {
    // Prepare
    ec2.on(DescribeVpcEndpointsCommand).resolves({ VpcEndpoints: [] });

    // Act & Assess
    await expect(endpoints.describe(VPCE)).resolves.toBeUndefined();
  });

  it('fails with a typed error on other EC2 errors', async () => {
    // Prepare
    ec2.on(DescribeVpcEndpointsCommand).rejects(ec2Failure('RequestLimitExceeded', 503));

    // Act & Assess
    await expect(endpoints.describe(VPCE)).rejects.toMatchObject({
      name: ErrorName.Ec2Throttled,
      action: 'DescribeVpcEndpoints',
    });
  });
});

describe('VpcEndpoints.findByTag', () => {
  it('filters on the tag and follows NextToken across pages', async () => {
    // Prepare
    ec2
      .on(DescribeVpcEndpointsCommand)
      .resolvesOnce({ VpcEndpoints: [{ VpcEndpointId: VPCE, State: wire('deleted') }], NextToken: 'page-2' })
      .resolvesOnce({ VpcEndpoints: [{ VpcEndpointId: VPCE_2, State: wire('pendingAcceptance') }] });

    // Act
    const views = await endpoints.findByTag('atlas-privatelink:request', 'req-42');

    // Assess
    const inputs = ec2.commandCalls(DescribeVpcEndpointsCommand).map((c) => c.args[0].input);
    expect(inputs).toStrictEqual([
      { Filters: [{ Name: 'tag:atlas-privatelink:request', Values: ['req-42'] }] },
      { Filters: [{ Name: 'tag:atlas-privatelink:request', Values: ['req-42'] }], NextToken: 'page-2' },
    ]);
    expect(views.map((v) => [v.vpcEndpointId, v.state])).toStrictEqual([
      [VPCE, 'deleted'],
      [VPCE_2, 'pendingacceptance'],
    ]);
  });

  it('returns an empty list when nothing carries the tag', async () => {
    // Prepare
    ec2.on(DescribeVpcEndpointsCommand).resolves({ VpcEndpoints: [] });

    // Act & Assess
    await expect(endpoints.findByTag('k', 'v')).resolves.toStrictEqual([]);
  });
});

describe('VpcEndpoints.delete', () => {
  it('makes no call for no ids', async () => {
    // Act
    const result = await endpoints.delete([]);

    // Assess
    expect(result).toStrictEqual({ deleted: [], notFound: [], failed: [] });
    expect(ec2.commandCalls(DeleteVpcEndpointsCommand)).toHaveLength(0);
  });

  it('sorts the ids into deleted, not found and failed from Unsuccessful', async () => {
    // Prepare
    ec2.on(DeleteVpcEndpointsCommand).resolves({
      Unsuccessful: [
        { ResourceId: VPCE_2, Error: { Code: 'InvalidVpcEndpointId.NotFound', Message: 'gone' } },
        { ResourceId: VPCE_3, Error: { Code: 'InvalidVpcEndpoint.State', Message: 'busy' } },
      ],
    });

    // Act
    const result = await endpoints.delete([VPCE, VPCE_2, VPCE_3]);

    // Assess
    expect(ec2.commandCalls(DeleteVpcEndpointsCommand)[0]!.args[0].input).toStrictEqual({
      VpcEndpointIds: [VPCE, VPCE_2, VPCE_3],
    });
    expect(result).toStrictEqual({
      deleted: [VPCE],
      notFound: [VPCE_2],
      failed: [{ id: VPCE_3, code: 'InvalidVpcEndpoint.State', message: 'busy' }],
    });
  });

  it('counts the id as not found when the whole call for one id fails with InvalidVpcEndpointId.NotFound', async () => {
    // Prepare
    ec2.on(DeleteVpcEndpointsCommand).rejects(ec2Failure('InvalidVpcEndpointId.NotFound', 400));

    // Act & Assess
    await expect(endpoints.delete([VPCE])).resolves.toStrictEqual({
      deleted: [],
      notFound: [VPCE],
      failed: [],
    });
  });

  it('asks id by id when a whole call for several ids fails with InvalidVpcEndpointId.NotFound', async () => {
    // Prepare
    ec2
      .on(DeleteVpcEndpointsCommand)
      .rejectsOnce(ec2Failure('InvalidVpcEndpointId.NotFound', 400))
      .resolvesOnce({ Unsuccessful: [] })
      .rejectsOnce(ec2Failure('InvalidVpcEndpointId.NotFound', 400));

    // Act
    const result = await endpoints.delete([VPCE, VPCE_2]);

    // Assess
    expect(
      ec2.commandCalls(DeleteVpcEndpointsCommand).map((c) => c.args[0].input.VpcEndpointIds),
    ).toStrictEqual([[VPCE, VPCE_2], [VPCE], [VPCE_2]]);
    expect(result).toStrictEqual({ deleted: [VPCE], notFound: [VPCE_2], failed: [] });
  });

  it('fails with a typed error when the call itself fails', async () => {
    // Prepare
    ec2.on(DeleteVpcEndpointsCommand).rejects(ec2Failure('UnauthorizedOperation', 403));

    // Act & Assess
    await expect(endpoints.delete([VPCE])).rejects.toMatchObject({
      name: ErrorName.Ec2AccessDenied,
      code: 'UnauthorizedOperation',
      action: 'DeleteVpcEndpoints',
    });
  });

  it('sends each id once', async () => {
    // Prepare
    ec2.on(DeleteVpcEndpointsCommand).resolves({});

    // Act
    const result = await endpoints.delete([VPCE, VPCE]);

    // Assess
    expect(ec2.commandCalls(DeleteVpcEndpointsCommand)[0]!.args[0].input.VpcEndpointIds).toStrictEqual([
      VPCE,
    ]);
    expect(result.deleted).toStrictEqual([VPCE]);
  });
});
