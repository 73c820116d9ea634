import { DescribeVpcEndpointsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManagedTag } from '../../lambdas/domain/request';
import {
  AtlasConflictError,
  EndpointNotOwnedError,
  EndpointNotVisibleError,
  InvalidRequestError,
} from '../../lambdas/errors';
import {
  createRegisterEndpointHandler,
  type RegisterEndpointEvent,
} from '../../lambdas/handlers/registerEndpoint';
import { type AtlasEmulator, startAtlasEmulator } from '../../local/atlas-emulator';
import {
  availableService,
  closeAtlasClients,
  EXECUTION,
  EXECUTION_ARN,
  ec2EndpointNotFound,
  GROUP,
  managedTags,
  SERVICE_NAME,
  T0,
  testRuntime,
  VPCE,
  vpcEndpoint,
} from './fakeRuntime';

const ec2 = mockClient(EC2Client);
let atlas: AtlasEmulator;

beforeAll(async () => {
  atlas = await startAtlasEmulator({ logError: () => {} });
});
beforeEach(() => {
  atlas.reset();
  ec2.reset();
  // This execution's endpoint, as EC2 describes it: this account, the service, this execution's tags.
  ec2.on(DescribeVpcEndpointsCommand).resolves({ VpcEndpoints: [vpcEndpoint(VPCE, 'pendingAcceptance')] });
});
afterEach(closeAtlasClients);
afterAll(() => atlas.close());

const event = (endpointServiceId: string): RegisterEndpointEvent => ({
  executionName: EXECUTION,
  executionArn: EXECUTION_ARN,
  groupId: GROUP,
  endpointServiceId,
  endpointServiceName: SERVICE_NAME,
  vpcEndpointId: VPCE,
});

const registrations = () =>
  atlas.requestLog.filter((e) => e.method === 'POST' && e.path.endsWith('/endpoint'));

describe('registerEndpoint handler', () => {
  it('registers the VPC endpoint with the Atlas endpoint service', async () => {
    // Prepare
    const { id } = await availableService(atlas);
    const runtime = testRuntime(atlas);
    runtime.setNow(T0 + 42_000);

    // Act
    const registration = await createRegisterEndpointHandler(runtime)(event(id));

    // Assess
    expect(registration).toStrictEqual({
      registeredAt: new Date(T0 + 42_000).toISOString(),
      connectionStatus: 'PENDING_ACCEPTANCE',
      errorMessage: null,
    });
    expect(atlas.endpoints(GROUP)).toMatchObject([{ endpointServiceId: id, endpointId: VPCE }]);
    expect(ec2.commandCalls(DescribeVpcEndpointsCommand)[0]?.args[0].input).toStrictEqual({
      VpcEndpointIds: [VPCE],
    });
  });

  it('counts a 409 for the same endpoint id as registered (a retried task)', async () => {
    // Prepare
    const { id } = await availableService(atlas);
    const handler = createRegisterEndpointHandler(testRuntime(atlas));
    await handler(event(id));

    // Act
    const again = await handler(event(id));

    // Assess
    expect(again.connectionStatus).toBe('PENDING_ACCEPTANCE');
    expect(registrations().map((e) => e.status)).toContain(409);
    expect(atlas.endpoints(GROUP)).toHaveLength(1);
  });

  it('fails with AtlasConflictError when the same id is still being deleted in Atlas', async () => {
    // Prepare
    const { id, client } = await availableService(atlas);
    await client.createEndpoint(GROUP, 'AWS', id, { id: VPCE });
    await client.deleteEndpoint(GROUP, 'AWS', id, VPCE);

    // Act & Assess
    await expect(createRegisterEndpointHandler(testRuntime(atlas))(event(id))).rejects.toBeInstanceOf(
      AtlasConflictError,
    );
  });
});

describe('registerEndpoint invoked directly with an endpoint this execution did not create', () => {
  const otherTags = (key: string, value: string | undefined) =>
    managedTags()
      .filter((t) => t.Key !== key)
      .concat(value === undefined ? [] : [{ Key: key, Value: value }]);

  it.each([
    {
      name: "another account's endpoint",
      endpoint: { ...vpcEndpoint(VPCE, 'available'), OwnerId: '210987654321' },
      reason: /belongs to account 210987654321, not 123456789012/,
    },
    {
      name: 'an endpoint to another service',
      endpoint: {
        ...vpcEndpoint(VPCE, 'available'),
        ServiceName: 'com.amazonaws.vpce.us-east-1.vpce-svc-0fedcba9876543210',
      },
      reason: /connects to com\.amazonaws\.vpce\.us-east-1\.vpce-svc-0fedcba9876543210, not to/,
    },
    {
      name: 'an untagged endpoint',
      endpoint: vpcEndpoint(VPCE, 'available', []),
      reason: /managed-by tag is not this deployment's/,
    },
    {
      name: "another deployment's endpoint",
      endpoint: vpcEndpoint(VPCE, 'available', otherTags(ManagedTag.managedBy, 'SomeoneElse')),
      reason: /managed-by tag is not this deployment's/,
    },
    {
      name: "another execution's endpoint",
      endpoint: vpcEndpoint(VPCE, 'available', otherTags(ManagedTag.execution, 'req-another-execution')),
      reason: /execution tag is not this execution's/,
    },
    {
      name: 'an endpoint without the execution tag',
      endpoint: vpcEndpoint(VPCE, 'available', otherTags(ManagedTag.execution, undefined)),
      reason: /execution tag is not this execution's/,
    },
  ])(
    'refuses $name with EndpointNotOwnedError, and Atlas receives no registration',
    async ({ endpoint, reason }) => {
      // Prepare
      const { id } = await availableService(atlas);
      ec2.on(DescribeVpcEndpointsCommand).resolves({ VpcEndpoints: [endpoint] });

      // Act
      const registering = createRegisterEndpointHandler(testRuntime(atlas))(event(id));

      // Assess
      await expect(registering).rejects.toBeInstanceOf(EndpointNotOwnedError);
      await expect(registering).rejects.toThrow(reason);
      expect(registrations()).toEqual([]);
      expect(atlas.endpoints(GROUP)).toEqual([]);
    },
  );

  it('refuses every endpoint when the function does not know its account', async () => {
    const { id } = await availableService(atlas);
    const runtime = { ...testRuntime(atlas), accountId: () => undefined };

    await expect(createRegisterEndpointHandler(runtime)(event(id))).rejects.toThrow(
      /does not know its account/,
    );
    expect(registrations()).toEqual([]);
  });

  it('refuses a project outside the allow-list before reading EC2 or calling Atlas', async () => {
    const { id } = await availableService(atlas);
    const before = atlas.requestLog.length;
    const runtime = {
      ...testRuntime(atlas),
      requestContext: () => ({ allowedVpcIds: '*' as const, allowedGroupIds: ['aaaaaaaaaaaaaaaaaaaaaaaa'] }),
    };

    const registering = createRegisterEndpointHandler(runtime)(event(id));

    await expect(registering).rejects.toBeInstanceOf(InvalidRequestError);
    await expect(registering).rejects.toThrow(/groupId: .*allowedGroupIds/);
    expect(ec2.commandCalls(DescribeVpcEndpointsCommand)).toEqual([]);
    expect(atlas.requestLog.length).toBe(before);
  });
});

describe('registerEndpoint right after the create, when EC2 does not describe the endpoint yet', () => {
  it('fails with EndpointNotVisibleError, a name the state machine retries, registering nothing', async () => {
    // Prepare: EC2's eventual consistency, as it answers a describe by id of an endpoint it cannot see yet
    const { id } = await availableService(atlas);
    ec2.on(DescribeVpcEndpointsCommand).rejects(ec2EndpointNotFound());

    // Act
    const registering = createRegisterEndpointHandler(testRuntime(atlas))(event(id));

    // Assess
    await expect(registering).rejects.toBeInstanceOf(EndpointNotVisibleError);
    expect(registrations()).toEqual([]);
  });
});
