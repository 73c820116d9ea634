import {
  CreateVpcEndpointCommand,
  type CreateVpcEndpointCommandInput,
  DeleteVpcEndpointsCommand,
  DescribeVpcEndpointsCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConnectionStatus } from '../../../lambdas/atlas/types';
import {
  type AwsEmulator,
  type AwsEmulatorOptions,
  DEMO_SECURITY_GROUP_ID,
  DEMO_SUBNET_IDS,
  DEMO_VPC_ID,
  demoTopology,
  startAwsEmulator,
} from '../../../local/aws-emulator';
import { ec2Client, FakeAtlas, REMOTE_SERVICE_NAME, rejectionOf, SERVICE_NAME } from './clients';

const START = Date.parse('2026-03-01T12:00:00Z');

function createInput(overrides: Partial<CreateVpcEndpointCommandInput> = {}): CreateVpcEndpointCommandInput {
  return {
    VpcEndpointType: 'Interface',
    VpcId: DEMO_VPC_ID,
    ServiceName: SERVICE_NAME,
    SubnetIds: [DEMO_SUBNET_IDS[0], DEMO_SUBNET_IDS[1]],
    SecurityGroupIds: [DEMO_SECURITY_GROUP_ID],
    PrivateDnsEnabled: false,
    ...overrides,
  };
}

describe('EC2 VPC endpoints', () => {
  let aws: AwsEmulator;
  let ec2: EC2Client;
  let now: number;

  async function start(options: AwsEmulatorOptions = {}): Promise<void> {
    await aws?.close();
    aws = await startAwsEmulator({ clock: () => now, ...options });
    ec2 = ec2Client(aws.url);
  }

  async function create(overrides: Partial<CreateVpcEndpointCommandInput> = {}): Promise<string> {
    const out = await ec2.send(new CreateVpcEndpointCommand(createInput(overrides)));
    return out.VpcEndpoint!.VpcEndpointId!;
  }

  async function stateOf(id: string): Promise<string | undefined> {
    const out = await ec2.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [id] }));
    return out.VpcEndpoints?.[0]?.State;
  }

  beforeEach(async () => {
    now = START;
    await start();
  });

  afterEach(async () => {
    ec2.destroy();
    await aws.close();
  });

  describe('lifecycle', () => {
    it('creates an interface endpoint with a long vpce id that awaits acceptance', async () => {
      const out = await ec2.send(
        new CreateVpcEndpointCommand(createInput({ TagSpecifications: [tags({ Name: 'x' })] })),
      );

      const endpoint = out.VpcEndpoint!;
      expect(endpoint.VpcEndpointId).toMatch(/^vpce-[0-9a-f]{17}$/);
      expect(endpoint).toMatchObject({
        VpcEndpointType: 'Interface',
        VpcId: DEMO_VPC_ID,
        ServiceName: SERVICE_NAME,
        State: 'pendingAcceptance',
        SubnetIds: [DEMO_SUBNET_IDS[0], DEMO_SUBNET_IDS[1]],
        Groups: [{ GroupId: DEMO_SECURITY_GROUP_ID, GroupName: 'default' }],
        PrivateDnsEnabled: false,
        Tags: [{ Key: 'Name', Value: 'x' }],
        OwnerId: '123456789012',
      });
      expect(endpoint.NetworkInterfaceIds).toHaveLength(2);
      expect(endpoint.CreationTimestamp).toEqual(new Date(START));
    });

    it('walks the unlinked states on successive describes and sticks at the last', async () => {
      const id = await create();

      const states = [await stateOf(id), await stateOf(id), await stateOf(id)];

      expect(states).toEqual(['pendingAcceptance', 'available', 'available']);
    });

    it('shows a deleted endpoint as deleting, then deleted, then forgets it after the retention', async () => {
      await start({ clock: () => now, ec2: { deletingDescribes: 1, deletedRetentionMs: 60_000 } });
      const id = await create();

      const deleted = await ec2.send(new DeleteVpcEndpointsCommand({ VpcEndpointIds: [id] }));
      const first = await stateOf(id);
      const second = await stateOf(id);
      now += 60_000;
      const gone = await rejectionOf(stateOf(id));

      expect(deleted.Unsuccessful).toEqual([]);
      expect([first, second]).toEqual(['deleting', 'deleted']);
      expect(gone.name).toBe('InvalidVpcEndpointId.NotFound');
    });

    it('honours deletingDescribes: 0 (deleted at the first describe)', async () => {
      await start({ clock: () => now, ec2: { deletingDescribes: 0 } });
      const id = await create();

      await ec2.send(new DeleteVpcEndpointsCommand({ VpcEndpointIds: [id] }));

      expect(await stateOf(id)).toBe('deleted');
    });

    it('pins a state set through the handle until the endpoint is deleted', async () => {
      const id = await create();

      aws.setVpcEndpointState(id, 'failed');
      const pinned = [await stateOf(id), await stateOf(id)];
      await ec2.send(new DeleteVpcEndpointsCommand({ VpcEndpointIds: [id] }));

      expect(pinned).toEqual(['failed', 'failed']);
      expect(await stateOf(id)).toBe('deleting');
    });
  });

  describe('eventual consistency (visibilityDelaySeconds)', () => {
    it('does not show a new endpoint to describes, lists or deletes until the delay has passed', async () => {
      await start({ ec2: { visibilityDelaySeconds: 10 } });
      const id = await create({ ClientToken: 'token-1' });

      now += 9_000;
      const byId = await rejectionOf(ec2.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [id] })));
      const listed = await ec2.send(new DescribeVpcEndpointsCommand({}));
      const deleted = await ec2.send(new DeleteVpcEndpointsCommand({ VpcEndpointIds: [id] }));
      const replayed = await create({ ClientToken: 'token-1' });
      now += 1_000;

      expect(byId.name).toBe('InvalidVpcEndpointId.NotFound');
      expect(listed.VpcEndpoints ?? []).toHaveLength(0);
      expect(deleted.Unsuccessful?.[0]?.Error?.Code).toBe('InvalidVpcEndpoint.NotFound');
      expect(replayed).toBe(id);
      expect(await stateOf(id)).toBe('pendingAcceptance');
    });
  });

  describe('ClientToken idempotency', () => {
    it('returns the same endpoint for the same token and parameters', async () => {
      const first = await create({ ClientToken: 'token-1' });

      const again = await ec2.send(new CreateVpcEndpointCommand(createInput({ ClientToken: 'token-1' })));

      expect(again.VpcEndpoint?.VpcEndpointId).toBe(first);
      expect(again.ClientToken).toBe('token-1');
      expect(aws.vpcEndpoints).toHaveLength(1);
    });

    it('fails with IdempotentParameterMismatch for the same token and other parameters', async () => {
      await create({ ClientToken: 'token-1' });

      const error = await rejectionOf(create({ ClientToken: 'token-1', SubnetIds: [DEMO_SUBNET_IDS[2]] }));

      expect(error.name).toBe('IdempotentParameterMismatch');
      expect(error.$metadata).toMatchObject({ httpStatusCode: 400 });
    });
  });

  describe('validation', () => {
    it.each<[string, Partial<CreateVpcEndpointCommandInput>]>([
      ['InvalidVpcID.NotFound', { VpcId: 'vpc-0000000000000000f' }],
      ['InvalidSubnetID.NotFound', { SubnetIds: ['subnet-0000000000000000f'] }],
      ['InvalidSecurityGroupID.NotFound', { SecurityGroupIds: ['sg-0000000000000000f'] }],
      ['InvalidServiceName', { ServiceName: 'com.amazonaws.us-east-1.s3' }],
      ['InvalidServiceName', { ServiceName: 'com.amazonaws.vpce.eu-west-1.vpce-svc-0a1b2c3d4e5f60718' }],
      ['DuplicateSubnetsInSameZone', { SubnetIds: [DEMO_SUBNET_IDS[0], DEMO_SUBNET_IDS[0]] }],
      ['MissingParameter', { VpcId: undefined }],
    ])('fails with %s (the SDK error name, exactly) for %j', async (code, overrides) => {
      const error = await rejectionOf(create(overrides));

      expect(error.name).toBe(code);
      expect(error.$metadata).toMatchObject({ httpStatusCode: 400 });
    });

    it('fails with InvalidParameter when the type is left out (EC2 defaults to Gateway)', async () => {
      const error = await rejectionOf(create({ VpcEndpointType: undefined }));

      expect(error.name).toBe('InvalidParameter');
      expect(error.message).toContain("'Gateway'");
    });

    it('fails with InvalidParameter when private DNS is left on (Atlas services have no private DNS name)', async () => {
      const error = await rejectionOf(create({ PrivateDnsEnabled: undefined }));

      expect(error.name).toBe('InvalidParameter');
      expect(error.message).toContain('private DNS');
    });

    it('fails with InvalidParameter for a subnet of another VPC', async () => {
      const demo = demoTopology();
      await start({
        ec2: {
          topology: {
            ...demo,
            vpcs: [...demo.vpcs, { vpcId: 'vpc-0ffffffffffffffff' }],
            subnets: [
              ...demo.subnets,
              {
                subnetId: 'subnet-0ffffffffffffffff',
                vpcId: 'vpc-0ffffffffffffffff',
                availabilityZone: 'us-east-1f',
              },
            ],
          },
        },
      });

      const error = await rejectionOf(create({ SubnetIds: ['subnet-0ffffffffffffffff'] }));

      expect(error.name).toBe('InvalidParameter');
    });

    it('fails with InvalidVpcEndpointId.NotFound when describing an unknown id', async () => {
      const error = await rejectionOf(stateOf('vpce-0123456789abcdef0'));

      expect(error.name).toBe('InvalidVpcEndpointId.NotFound');
    });

    it('fails with InvalidVpcEndpointId.Malformed for an id of the wrong form', async () => {
      const error = await rejectionOf(stateOf('endpoint-1'));

      expect(error.name).toBe('InvalidVpcEndpointId.Malformed');
    });

    it('answers a dry run with DryRunOperation', async () => {
      const error = await rejectionOf(create({ DryRun: true }));

      expect(error.name).toBe('DryRunOperation');
      expect(aws.vpcEndpoints).toHaveLength(0);
    });
  });

  describe('DescribeVpcEndpoints filters and pages', () => {
    it('filters by tag:<key>, tag-key (with wildcards), vpc-id and state', async () => {
      const a = await create({ TagSpecifications: [tags({ 'privatelink:request': 'req-1' })] });
      const b = await create({ TagSpecifications: [tags({ 'privatelink:request': 'req-2', team: 'data' })] });
      await create();

      const byValue = await describeIds([{ Name: 'tag:privatelink:request', Values: ['req-1'] }]);
      const byWildcard = await describeIds([{ Name: 'tag:privatelink:request', Values: ['req-*'] }]);
      const byKey = await describeIds([{ Name: 'tag-key', Values: ['team'] }]);
      const combined = await describeIds([
        { Name: 'vpc-id', Values: [DEMO_VPC_ID] },
        { Name: 'tag-key', Values: ['privatelink:request'] },
        { Name: 'vpc-endpoint-state', Values: ['available'] },
      ]);

      expect(byValue).toEqual([a]);
      expect(byWildcard).toEqual([a, b]);
      expect(byKey).toEqual([b]);
      // a and b were described once already (by the first queries), so they now read available
      expect(combined).toEqual([a, b]);
    });

    it('fails with InvalidParameterValue for a filter it does not know', async () => {
      const error = await rejectionOf(describeIds([{ Name: 'colour', Values: ['red'] }]));

      expect(error.name).toBe('InvalidParameterValue');
    });

    it('pages with MaxResults and NextToken', async () => {
      for (let i = 0; i < 7; i += 1) await create();

      const first = await ec2.send(new DescribeVpcEndpointsCommand({ MaxResults: 5 }));
      const second = await ec2.send(
        new DescribeVpcEndpointsCommand({ MaxResults: 5, NextToken: first.NextToken }),
      );

      expect(first.VpcEndpoints).toHaveLength(5);
      expect(first.NextToken).toBeTruthy();
      expect(second.VpcEndpoints).toHaveLength(2);
      expect(second.NextToken).toBeUndefined();
    });

    async function describeIds(Filters: { Name: string; Values: string[] }[]): Promise<string[]> {
      const out = await ec2.send(new DescribeVpcEndpointsCommand({ Filters }));
      return (out.VpcEndpoints ?? []).map((e) => e.VpcEndpointId!);
    }
  });

  describe('DeleteVpcEndpoints', () => {
    it('reports unknown and already deleted ids in Unsuccessful and deletes the rest', async () => {
      await start({ clock: () => now, ec2: { deletingDescribes: 0 } });
      const live = await create();
      const gone = await create();
      await ec2.send(new DeleteVpcEndpointsCommand({ VpcEndpointIds: [gone] }));
      await stateOf(gone);

      const out = await ec2.send(
        new DeleteVpcEndpointsCommand({ VpcEndpointIds: [live, gone, 'vpce-0123456789abcdef0'] }),
      );

      expect(out.Unsuccessful).toEqual([
        {
          ResourceId: gone,
          Error: {
            Code: 'InvalidVpcEndpoint.NotFound',
            Message: `The VpcEndpoint Id '${gone}' does not exist`,
          },
        },
        {
          ResourceId: 'vpce-0123456789abcdef0',
          Error: {
            Code: 'InvalidVpcEndpoint.NotFound',
            Message: "The VpcEndpoint Id 'vpce-0123456789abcdef0' does not exist",
          },
        },
      ]);
      expect(await stateOf(live)).toBe('deleted');
    });
  });

  describe('linked to Atlas', () => {
    let atlas: FakeAtlas;

    beforeEach(async () => {
      atlas = new FakeAtlas();
      await start({ clock: () => now, atlas });
    });

    it('accepts only service names Atlas issued', async () => {
      const error = await rejectionOf(
        create({ ServiceName: 'com.amazonaws.vpce.us-east-1.vpce-svc-0ffffffffffffffff' }),
      );

      expect(error.name).toBe('InvalidServiceName');
    });

    it('derives the state from the Atlas registration on every describe', async () => {
      const id = await create();

      const unregistered = await stateOf(id);
      atlas.register(id, ConnectionStatus.PENDING_ACCEPTANCE);
      const pendingAcceptance = await stateOf(id);
      atlas.register(id, ConnectionStatus.PENDING);
      const pending = await stateOf(id);
      atlas.register(id, ConnectionStatus.AVAILABLE);
      const available = await stateOf(id);
      atlas.register(id, ConnectionStatus.REJECTED);
      const rejected = await stateOf(id);

      expect([unregistered, pendingAcceptance, pending, available, rejected]).toEqual([
        'pendingAcceptance',
        'pendingAcceptance',
        'pending',
        'available',
        'rejected',
      ]);
    });

    it('reads rejected once Atlas drops a registration it had', async () => {
      const id = await create();
      atlas.register(id, ConnectionStatus.AVAILABLE);
      await stateOf(id);

      atlas.registrations.delete(id);

      expect(await stateOf(id)).toBe('rejected');
    });

    it('lets a deletion win over the Atlas view', async () => {
      const id = await create();
      atlas.register(id, ConnectionStatus.AVAILABLE);

      await ec2.send(new DeleteVpcEndpointsCommand({ VpcEndpointIds: [id] }));

      expect([await stateOf(id), await stateOf(id)]).toEqual(['deleting', 'deleted']);
    });
  });

  describe('cross-region endpoints (ServiceRegion), linked to Atlas', () => {
    let atlas: FakeAtlas;

    beforeEach(async () => {
      atlas = new FakeAtlas();
      await start({ clock: () => now, atlas });
    });

    it("creates one to a service in eu-west-1 that supports the caller's region, with the regional DNS name only", async () => {
      atlas.remoteRegions = ['us-east-1'];

      const out = await ec2.send(
        new CreateVpcEndpointCommand(
          createInput({ ServiceName: REMOTE_SERVICE_NAME, ServiceRegion: 'eu-west-1' }),
        ),
      );

      const endpoint = out.VpcEndpoint!;
      expect(endpoint).toMatchObject({ ServiceName: REMOTE_SERVICE_NAME, ServiceRegion: 'eu-west-1' });
      expect(endpoint.DnsEntries?.map((d) => d.DnsName)).toEqual([
        expect.stringMatching(
          /^vpce-[0-9a-f]{17}-[0-9a-f]{8}\.vpce-svc-0f1e2d3c4b5a69788\.eu-west-1\.vpce\.amazonaws\.com$/,
        ),
      ]);
      const described = await ec2.send(
        new DescribeVpcEndpointsCommand({ VpcEndpointIds: [endpoint.VpcEndpointId!] }),
      );
      expect(described.VpcEndpoints?.[0]?.ServiceRegion).toBe('eu-west-1');
    });

    it('derives its state from the Atlas registration across regions', async () => {
      atlas.remoteRegions = ['us-east-1'];
      const id = await create({ ServiceName: REMOTE_SERVICE_NAME, ServiceRegion: 'eu-west-1' });

      const before = await stateOf(id);
      atlas.register(id, ConnectionStatus.AVAILABLE);

      expect([before, await stateOf(id)]).toEqual(['pendingAcceptance', 'available']);
    });

    it.each([
      ["a service that does not support the caller's region", [], 'eu-west-1'],
      ['a service that supports other regions only', ['ap-southeast-2'], 'eu-west-1'],
      ["a ServiceRegion that is not the service's", ['us-east-1'], 'eu-central-1'],
    ])('refuses %s with InvalidServiceName', async (_what, remoteRegions, serviceRegion) => {
      atlas.remoteRegions = remoteRegions;

      const error = await rejectionOf(
        create({ ServiceName: REMOTE_SERVICE_NAME, ServiceRegion: serviceRegion }),
      );

      expect(error.name).toBe('InvalidServiceName');
      expect(aws.vpcEndpoints).toEqual([]);
    });

    it('refuses a service in another region without ServiceRegion, and a malformed ServiceRegion', async () => {
      atlas.remoteRegions = ['us-east-1'];

      const withoutRegion = await rejectionOf(create({ ServiceName: REMOTE_SERVICE_NAME }));
      const malformed = await rejectionOf(
        create({ ServiceName: REMOTE_SERVICE_NAME, ServiceRegion: 'Europe' }),
      );

      expect(withoutRegion.name).toBe('InvalidServiceName');
      expect(malformed.name).toBe('InvalidParameterValue');
    });

    it('treats a ServiceRegion different from the one a ClientToken was first used with as other parameters', async () => {
      atlas.remoteRegions = ['us-east-1'];
      await create({ ServiceName: REMOTE_SERVICE_NAME, ServiceRegion: 'eu-west-1', ClientToken: 'token-1' });

      const error = await rejectionOf(create({ ServiceName: REMOTE_SERVICE_NAME, ClientToken: 'token-1' }));

      expect(error.name).toBe('IdempotentParameterMismatch');
    });
  });

  describe('faults', () => {
    it('lets the SDK retry through one RequestLimitExceeded', async () => {
      await start({
        clock: () => now,
        ec2: {
          faults: [{ action: 'CreateVpcEndpoint', code: 'RequestLimitExceeded', status: 503, times: 1 }],
        },
      });
      const retrying = ec2Client(aws.url, 3);

      const out = await retrying.send(new CreateVpcEndpointCommand(createInput()));

      expect(out.$metadata.attempts).toBe(2);
      expect(aws.requests.map((r) => [r.action, r.status, r.errorCode ?? null])).toEqual([
        ['CreateVpcEndpoint', 503, 'RequestLimitExceeded'],
        ['CreateVpcEndpoint', 200, null],
      ]);
      retrying.destroy();
    });

    it('surfaces the injected code as the error name when the SDK does not retry', async () => {
      aws.addFault({
        service: 'ec2',
        action: 'DescribeVpcEndpoints',
        code: 'RequestLimitExceeded',
        status: 503,
      });

      const error = await rejectionOf(ec2.send(new DescribeVpcEndpointsCommand({})));

      expect(error.name).toBe('RequestLimitExceeded');
      expect(error.$metadata).toMatchObject({ httpStatusCode: 503 });
    });
  });
});

function tags(pairs: Record<string, string>) {
  return {
    ResourceType: 'vpc-endpoint' as const,
    Tags: Object.entries(pairs).map(([Key, Value]) => ({ Key, Value })),
  };
}
