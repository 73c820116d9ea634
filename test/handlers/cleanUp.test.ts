import { DeleteVpcEndpointsCommand, DescribeVpcEndpointsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PollSchedule } from '../../lambdas/domain/decisions';
import { type CleanUpEvent, createCleanUpHandler } from '../../lambdas/handlers/cleanUp';
import { type AtlasEmulator, startAtlasEmulator } from '../../local/atlas-emulator';
import {
  availableService,
  closeAtlasClients,
  EXECUTION,
  EXECUTION_ARN,
  endpointRequests,
  GROUP,
  testRuntime,
  VPCE,
  vpcEndpoint,
} from './fakeRuntime';

const ec2 = mockClient(EC2Client);
let atlas: AtlasEmulator;

beforeAll(async () => {
  atlas = await startAtlasEmulator({ logError: () => {}, script: { deletingPolls: 1 } });
});
beforeEach(() => {
  atlas.reset();
  ec2.reset();
  ec2.on(DeleteVpcEndpointsCommand).resolves({ Unsuccessful: [] });
});
afterEach(closeAtlasClients);
afterAll(() => atlas.close());

/** A Cause as the Lambda service reports a function's error to Step Functions. */
const lambdaCause = (errorType: string, errorMessage: string) =>
  JSON.stringify({
    errorType,
    errorMessage,
    trace: [`${errorType}: ${errorMessage}`, '    at handler (index.js:1:1)'],
  });

describe('cleanUp handler', () => {
  it('makes no EC2 or Atlas call when the request never passed validation, and reports why', async () => {
    // Prepare: what "Request rejected" hands on after "Validate request" failed.
    const runtime = testRuntime(atlas);
    const event: CleanUpEvent = {
      executionName: EXECUTION,
      executionArn: EXECUTION_ARN,
      state: {
        failure: {
          Error: 'InvalidRequestError',
          Cause: lambdaCause(
            'InvalidRequestError',
            'vpcId: expected "vpc-" followed by 8 or 17 hexadecimal characters',
          ),
        },
        cleanup: { passes: 0 },
      },
    };

    // Act
    const state = await createCleanUpHandler(runtime)(event);

    // Assess
    expect(ec2.calls()).toHaveLength(0);
    expect(runtime.atlasRequests()).toBe(0);
    expect(atlas.requestLog).toHaveLength(0);
    expect(state).toStrictEqual({
      passes: 1,
      startedAt: runtime.now(),
      done: true,
      outcome: {
        status: 'FAILED',
        executionName: EXECUTION,
        error: 'InvalidRequestError',
        cause: 'vpcId: expected "vpc-" followed by 8 or 17 hexadecimal characters',
        groupId: null,
        endpointServiceId: null,
        attempts: [],
        cleanup: { complete: true, vpcEndpointIds: [], remaining: [] },
      },
    });
  });

  it('makes no Atlas call when the endpoint service was never found, only the EC2 tag search', async () => {
    // Prepare
    ec2.on(DescribeVpcEndpointsCommand).resolves({ VpcEndpoints: [] });
    const runtime = testRuntime(atlas);

    // Act
    const state = await createCleanUpHandler(runtime)({
      executionName: EXECUTION,
      executionArn: EXECUTION_ARN,
      state: {
        request: { groupId: GROUP },
        failure: {
          Error: 'AtlasAuthError',
          Cause: lambdaCause('AtlasAuthError', 'Atlas answered 401: Unauthorized'),
        },
        cleanup: { passes: 0 },
      },
    });

    // Assess
    expect(runtime.atlasRequests()).toBe(0);
    expect(ec2.commandCalls(DeleteVpcEndpointsCommand)).toHaveLength(0);
    expect(state).toMatchObject({
      done: true,
      outcome: { error: 'AtlasAuthError', cause: 'Atlas answered 401: Unauthorized', groupId: GROUP },
    });
  });

  it('removes what the execution created on both sides, passing until both are gone', async () => {
    // Prepare
    const { id, client } = await availableService(atlas);
    await client.createEndpoint(GROUP, 'AWS', id, { id: VPCE });
    ec2
      .on(DescribeVpcEndpointsCommand)
      .resolvesOnce({ VpcEndpoints: [vpcEndpoint(VPCE, 'available')] })
      .resolvesOnce({ VpcEndpoints: [vpcEndpoint(VPCE, 'available')] })
      .resolvesOnce({ VpcEndpoints: [vpcEndpoint(VPCE, 'available')] })
      .resolves({ VpcEndpoints: [vpcEndpoint(VPCE, 'deleted')] });
    const failed = {
      request: { groupId: GROUP },
      service: { endpointServiceId: id },
      attempt: { vpcEndpointId: VPCE },
      failure: {
        Error: 'ProvisioningTimeoutError',
        Cause: lambdaCause('ProvisioningTimeoutError', 'still pending'),
      },
    };
    const handler = createCleanUpHandler(testRuntime(atlas));

    // Act
    const first = await handler({
      executionName: EXECUTION,
      executionArn: EXECUTION_ARN,
      state: { ...failed, cleanup: { passes: 0 } },
    });
    const second = await handler({
      executionName: EXECUTION,
      executionArn: EXECUTION_ARN,
      state: { ...failed, cleanup: first },
    });
    const third = await handler({
      executionName: EXECUTION,
      executionArn: EXECUTION_ARN,
      state: { ...failed, cleanup: second },
    });
    const deletedBeforeAtlasWasGone = ec2.commandCalls(DeleteVpcEndpointsCommand).length;
    const fourth = await handler({
      executionName: EXECUTION,
      executionArn: EXECUTION_ARN,
      state: { ...failed, cleanup: third },
    });

    // Assess: Atlas DELETE, Atlas DELETING, Atlas 404 and the EC2 delete, EC2 deleted.
    expect(first).toMatchObject({ passes: 1, done: false });
    expect(first.outcome.cause).toBe(`still pending (clean-up incomplete: ${VPCE} may remain)`);
    expect(second.done).toBe(false);
    expect(third.done).toBe(false);
    expect(deletedBeforeAtlasWasGone).toBe(1);
    expect(fourth).toMatchObject({
      passes: 4,
      done: true,
      outcome: {
        error: 'ProvisioningTimeoutError',
        cause: 'still pending',
        endpointServiceId: id,
        cleanup: { complete: true, vpcEndpointIds: [VPCE], remaining: [] },
      },
    });
    expect(ec2.commandCalls(DeleteVpcEndpointsCommand)).toHaveLength(1);
    expect(endpointRequests(atlas, VPCE, 'DELETE')).toHaveLength(1);
  });

  it('finishes after its own timeout, saying which endpoints may remain', async () => {
    // Prepare
    const { id } = await availableService(atlas);
    ec2.on(DescribeVpcEndpointsCommand).resolves({ VpcEndpoints: [vpcEndpoint(VPCE, 'deleting')] });
    const runtime = testRuntime(atlas);
    const startedAt = runtime.now() - PollSchedule.cleanUpTimeoutSeconds * 1000 - 1;

    // Act
    const state = await createCleanUpHandler(runtime)({
      executionName: EXECUTION,
      executionArn: EXECUTION_ARN,
      state: {
        request: { groupId: GROUP },
        service: { endpointServiceId: id },
        attempt: { vpcEndpointId: VPCE },
        failure: { Error: 'States.Timeout', Cause: 'The task timed out' },
        cleanup: { passes: 180, startedAt },
      },
    });

    // Assess
    expect(state).toMatchObject({
      done: true,
      outcome: {
        error: 'States.Timeout',
        cause: `The task timed out (clean-up incomplete: ${VPCE} may remain)`,
        cleanup: { complete: false, remaining: [VPCE] },
      },
    });
  });
});
