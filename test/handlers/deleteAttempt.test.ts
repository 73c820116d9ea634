import {
  DeleteVpcEndpointsCommand,
  DescribeVpcEndpointsCommand,
  EC2Client,
  type VpcEndpoint,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PollSchedule } from '../../lambdas/domain/decisions';
import { ManagedTag } from '../../lambdas/domain/request';
import { DeletionTimeoutError } from '../../lambdas/errors';
import { createDeleteAttemptHandler, type DeleteAttemptEvent } from '../../lambdas/handlers/deleteAttempt';
import { type AtlasEmulator, startAtlasEmulator } from '../../local/atlas-emulator';
import {
  availableService,
  closeAtlasClients,
  EXECUTION,
  EXECUTION_ARN,
  endpointRequests,
  GROUP,
  managedTags,
  testRuntime,
  VPC,
  VPCE,
  VPCE_2,
  vpcEndpoint,
} from './fakeRuntime';

const ec2 = mockClient(EC2Client);
let atlas: AtlasEmulator;

beforeAll(async () => {
  // One read of DELETING after a delete, then 404.
  atlas = await startAtlasEmulator({ logError: () => {}, script: { deletingPolls: 1 } });
});
beforeEach(() => {
  atlas.reset();
  ec2.reset();
  ec2.on(DeleteVpcEndpointsCommand).resolves({ Unsuccessful: [] });
});
afterEach(closeAtlasClients);
afterAll(() => atlas.close());

/** When the execution started: endpoints it created are younger. */
const EXECUTION_STARTED = '2026-03-01T10:00:00.000Z';
const SERVICE_NAME = 'com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0';

const event = (
  endpointServiceId: string,
  deletion: DeleteAttemptEvent['deletion'] = { passes: 0 },
): DeleteAttemptEvent => ({
  executionName: EXECUTION,
  executionArn: EXECUTION_ARN,
  groupId: GROUP,
  endpointServiceId,
  vpcEndpointId: VPCE,
  provenance: { startedAt: EXECUTION_STARTED, vpcId: VPC, serviceName: SERVICE_NAME },
  deletion,
});

/** A VPC endpoint with this execution's tags, created at `createdAt`. */
const taggedEndpoint = (id: string, state: string, createdAt: string) => ({
  ...vpcEndpoint(id, state),
  CreationTimestamp: new Date(createdAt),
});

async function registeredWithAtlas(): Promise<string> {
  const { id, client } = await availableService(atlas);
  await client.createEndpoint(GROUP, 'AWS', id, { id: VPCE });
  return id;
}

/** EC2's answers to the execution-tag search, one per pass. */
function tagSearchFinds(...passes: VpcEndpoint[][]) {
  const search = ec2.on(DescribeVpcEndpointsCommand, {
    Filters: [{ Name: `tag:${ManagedTag.execution}`, Values: [EXECUTION_ARN] }],
  });
  for (const found of passes) search.resolvesOnce({ VpcEndpoints: found });
}

const deletedIds = () =>
  ec2.commandCalls(DeleteVpcEndpointsCommand).flatMap((c) => c.args[0].input.VpcEndpointIds);

describe('deleteAttempt handler', () => {
  it('deletes the Atlas registration first, the VPC endpoint once Atlas answers 404, and is done when EC2 says deleted', async () => {
    // Prepare
    const serviceId = await registeredWithAtlas();
    tagSearchFinds(
      [vpcEndpoint(VPCE, 'available')],
      [vpcEndpoint(VPCE, 'available')],
      [vpcEndpoint(VPCE, 'available')],
      [vpcEndpoint(VPCE, 'deleted')],
    );
    const handler = createDeleteAttemptHandler(testRuntime(atlas));

    // Act
    const first = await handler(event(serviceId));
    const deletedAfterFirst = deletedIds();
    const second = await handler(event(serviceId, first));
    const deletedAfterSecond = deletedIds();
    const third = await handler(event(serviceId, second));
    const fourth = await handler(event(serviceId, third));

    // Assess
    expect(first).toMatchObject({ passes: 1, done: false, remaining: [VPCE] }); // Atlas DELETE sent
    expect(second).toMatchObject({ passes: 2, done: false, remaining: [VPCE] }); // Atlas DELETING
    expect(deletedAfterFirst).toStrictEqual([]);
    expect(deletedAfterSecond).toStrictEqual([]); // the VPC endpoint stays while Atlas still has it
    expect(third).toMatchObject({ passes: 3, done: false, remaining: [VPCE] }); // Atlas 404: EC2 delete sent
    expect(fourth).toMatchObject({ passes: 4, done: true, remaining: [] });
    expect(fourth.startedAt).toBe(first.startedAt);
    expect(deletedIds()).toStrictEqual([VPCE]);
    expect(endpointRequests(atlas, VPCE, 'DELETE')).toHaveLength(1);
    expect(atlas.endpoints(GROUP)).toStrictEqual([]);
  });

  it('is not done while EC2 is still deleting, even when Atlas no longer knows the endpoint', async () => {
    // Prepare
    const { id } = await availableService(atlas);
    tagSearchFinds([vpcEndpoint(VPCE, 'deleting')]);

    // Act
    const pass = await createDeleteAttemptHandler(testRuntime(atlas))(event(id));

    // Assess
    expect(pass).toMatchObject({ done: false, remaining: [VPCE] });
    expect(deletedIds()).toStrictEqual([]);
  });

  it('never deletes an endpoint that carries another execution tag', async () => {
    // Prepare: the state names an endpoint that EC2 says belongs to another execution.
    const serviceId = await registeredWithAtlas();
    tagSearchFinds([]);
    ec2.on(DescribeVpcEndpointsCommand, { VpcEndpointIds: [VPCE] }).resolves({
      VpcEndpoints: [
        vpcEndpoint(
          VPCE,
          'available',
          managedTags(`${EXECUTION_ARN.replace(EXECUTION, '')}req-another-execution`),
        ),
      ],
    });

    // Act
    const pass = await createDeleteAttemptHandler(testRuntime(atlas))(event(serviceId));

    // Assess
    expect(pass).toMatchObject({ done: true, remaining: [] });
    expect(ec2.commandCalls(DeleteVpcEndpointsCommand)).toHaveLength(0);
    expect(endpointRequests(atlas, VPCE, 'DELETE')).toHaveLength(0);
    expect(atlas.endpoints(GROUP)).toMatchObject([{ endpointId: VPCE, deleteRequested: false }]);
  });

  it("never deletes an endpoint of this execution's name that another deployment manages", async () => {
    // Prepare: the same execution name in another deployment (e.g. the same Idempotency-Key).
    const serviceId = await registeredWithAtlas();
    const foreign = managedTags(EXECUTION_ARN, 'AnotherDeployment');
    tagSearchFinds([vpcEndpoint(VPCE_2, 'available', foreign)]);
    ec2
      .on(DescribeVpcEndpointsCommand, { VpcEndpointIds: [VPCE] })
      .resolves({ VpcEndpoints: [vpcEndpoint(VPCE, 'available', foreign)] });

    // Act
    const pass = await createDeleteAttemptHandler(testRuntime(atlas))(event(serviceId));

    // Assess
    expect(pass).toMatchObject({ done: true, remaining: [] });
    expect(ec2.commandCalls(DeleteVpcEndpointsCommand)).toHaveLength(0);
    expect(endpointRequests(atlas, VPCE, 'DELETE')).toHaveLength(0);
  });

  it('deletes every endpoint of this execution, including one the tag search has not caught up with', async () => {
    // Prepare
    const serviceId = await registeredWithAtlas();
    tagSearchFinds([taggedEndpoint(VPCE_2, 'rejected', '2026-03-01T10:02:00.000Z')]);
    ec2
      .on(DescribeVpcEndpointsCommand, { VpcEndpointIds: [VPCE] })
      .resolves({ VpcEndpoints: [vpcEndpoint(VPCE, 'available')] });

    // Act
    const pass = await createDeleteAttemptHandler(testRuntime(atlas))(event(serviceId));

    // Assess: the unregistered one goes from EC2 at once; the registered one from Atlas first.
    expect(deletedIds()).toStrictEqual([VPCE_2]);
    expect(endpointRequests(atlas, VPCE, 'DELETE')).toHaveLength(1);
    expect(pass.remaining.sort()).toStrictEqual([VPCE, VPCE_2]);
  });

  it.each([
    ['created before the execution started', taggedEndpoint(VPCE_2, 'available', '2026-02-01T00:00:00.000Z')],
    [
      'in another VPC',
      { ...taggedEndpoint(VPCE_2, 'available', '2026-03-01T10:02:00.000Z'), VpcId: 'vpc-0fedcba9876543210' },
    ],
    [
      'to another service',
      {
        ...taggedEndpoint(VPCE_2, 'available', '2026-03-01T10:02:00.000Z'),
        ServiceName: 'com.amazonaws.vpce.us-east-1.vpce-svc-0fedcba9876543210',
      },
    ],
  ])('leaves alone an endpoint carrying planted execution tags but %s', async (_what, planted) => {
    // Prepare
    const serviceId = await registeredWithAtlas();
    tagSearchFinds([planted]);
    ec2
      .on(DescribeVpcEndpointsCommand, { VpcEndpointIds: [VPCE] })
      .resolves({ VpcEndpoints: [vpcEndpoint(VPCE, 'available')] });

    // Act
    const pass = await createDeleteAttemptHandler(testRuntime(atlas))(event(serviceId));

    // Assess
    expect(deletedIds()).toStrictEqual([]);
    expect(endpointRequests(atlas, VPCE_2, 'GET')).toHaveLength(0);
    expect(endpointRequests(atlas, VPCE_2, 'DELETE')).toHaveLength(0);
    expect(pass.remaining).toStrictEqual([VPCE]);
  });

  it('fails with DeletionTimeoutError when the endpoint is not gone within the deletion bound', async () => {
    // Prepare
    const serviceId = await registeredWithAtlas();
    tagSearchFinds([vpcEndpoint(VPCE, 'deleting')]);
    const runtime = testRuntime(atlas);
    const startedAt = runtime.now() - PollSchedule.deletionTimeoutSeconds * 1000 - 1;

    // Act
    const error = await createDeleteAttemptHandler(runtime)(
      event(serviceId, { passes: 180, startedAt }),
    ).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(DeletionTimeoutError);
    expect((error as Error).message).toContain(VPCE);
  });

  it('fails with DeletionTimeoutError naming the reason when EC2 refuses the deletion', async () => {
    // Prepare
    const { id } = await availableService(atlas);
    tagSearchFinds([vpcEndpoint(VPCE, 'available')]);
    ec2.on(DeleteVpcEndpointsCommand).resolves({
      Unsuccessful: [
        { ResourceId: VPCE, Error: { Code: 'UnauthorizedOperation', Message: 'not authorized to delete' } },
      ],
    });

    // Act & Assess
    await expect(createDeleteAttemptHandler(testRuntime(atlas))(event(id))).rejects.toThrow(
      /could not delete vpce-0123456789abcdef0 \(UnauthorizedOperation: not authorized to delete\)/,
    );
  });
});
