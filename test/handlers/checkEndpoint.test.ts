import { DescribeVpcEndpointsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { initialPollState, type PollState, Verdict } from '../../lambdas/domain/decisions';
import { AtlasRateLimitedError, ProvisioningTimeoutError } from '../../lambdas/errors';
import { type CheckEndpointEvent, createCheckEndpointHandler } from '../../lambdas/handlers/checkEndpoint';
import { type AtlasEmulator, type AtlasScript, startAtlasEmulator } from '../../local/atlas-emulator';
import {
  availableService,
  closeAtlasClients,
  EXECUTION,
  ec2EndpointNotFound,
  endpointRequests,
  GROUP,
  STARTED_AT,
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
});
afterEach(closeAtlasClients);
afterAll(() => atlas.close());

/** Created and registered two minutes before the runtime's clock, unless said otherwise: old enough to be seen. */
const event = (
  endpointServiceId: string,
  poll: PollState,
  ages: { createdAt?: string; registeredAt?: string } = {},
): CheckEndpointEvent => ({
  executionName: EXECUTION,
  executionStartedAt: STARTED_AT,
  timeoutSeconds: 3600,
  groupId: GROUP,
  endpointServiceId,
  vpcEndpointId: VPCE,
  createdAt: ages.createdAt ?? TWO_MINUTES_AGO,
  registeredAt: ages.registeredAt ?? TWO_MINUTES_AGO,
  poll,
});
/** The test runtime's clock reads T0 + 30 s. */
const TWO_MINUTES_AGO = new Date(T0 + 30_000 - 120_000).toISOString();
const TEN_SECONDS_AGO = new Date(T0 + 30_000 - 10_000).toISOString();

const ec2NotFound = () => ec2.on(DescribeVpcEndpointsCommand).rejects(ec2EndpointNotFound());

/** An endpoint service with the VPC endpoint registered, its Atlas statuses following `script`. */
async function registered(script: AtlasScript = {}): Promise<string> {
  atlas.setScript(script);
  const { id, client } = await availableService(atlas);
  await client.createEndpoint(GROUP, 'AWS', id, { id: VPCE });
  return id;
}

const ec2Says = (state: string) =>
  ec2.on(DescribeVpcEndpointsCommand).resolves({ VpcEndpoints: [vpcEndpoint(VPCE, state)] });

describe('checkEndpoint handler', () => {
  it('reads EC2 and Atlas on the first check and stays PENDING while both are pending', async () => {
    // Prepare
    const serviceId = await registered();
    ec2Says('pendingAcceptance');
    const runtime = testRuntime(atlas);

    // Act
    const poll = await createCheckEndpointHandler(runtime)(
      event(
        serviceId,
        initialPollState(() => 0),
      ),
    );

    // Assess
    expect(poll).toMatchObject({
      checks: 1,
      verdict: Verdict.PENDING,
      ec2State: 'pendingacceptance',
      connectionStatus: 'PENDING_ACCEPTANCE',
      atlasReadAt: runtime.now(),
    });
    expect(ec2.commandCalls(DescribeVpcEndpointsCommand)[0]!.args[0].input).toStrictEqual({
      VpcEndpointIds: [VPCE],
    });
    expect(endpointRequests(atlas, VPCE, 'GET')).toHaveLength(1);
  });

  it('does not read Atlas when EC2 is unchanged and Atlas was read less than the interval ago', async () => {
    // Prepare
    const serviceId = await registered();
    ec2Says('pendingAcceptance');
    const runtime = testRuntime(atlas);
    const previous: PollState = {
      ...initialPollState(() => 0),
      checks: 4,
      ec2State: 'pendingacceptance',
      connectionStatus: 'PENDING',
      atlasReadAt: runtime.now() - 20_000,
      checkedAt: runtime.now() - 10_000,
    };
    const logged = atlas.requestLog.length;

    // Act
    const poll = await createCheckEndpointHandler(runtime)(event(serviceId, previous));

    // Assess
    expect(poll).toMatchObject({ checks: 5, verdict: Verdict.PENDING, connectionStatus: 'PENDING' });
    expect(poll.atlasReadAt).toBe(previous.atlasReadAt);
    expect(runtime.atlasRequests()).toBe(0);
    expect(atlas.requestLog).toHaveLength(logged);
  });

  it("takes Atlas's answer to the registration as the first read: the first check reads only EC2", async () => {
    // Prepare
    const serviceId = await registered();
    ec2Says('pendingAcceptance');
    const runtime = testRuntime(atlas);
    const registeredAt = runtime.now() - 5_000;
    const logged = atlas.requestLog.length;

    // Act
    const poll = await createCheckEndpointHandler(runtime)({
      ...event(
        serviceId,
        initialPollState(() => 0),
      ),
      registration: {
        registeredAt: new Date(registeredAt).toISOString(),
        connectionStatus: 'PENDING_ACCEPTANCE',
        errorMessage: null,
      },
    });

    // Assess
    expect(poll).toMatchObject({
      checks: 1,
      verdict: Verdict.PENDING,
      connectionStatus: 'PENDING_ACCEPTANCE',
      atlasReadAt: registeredAt,
    });
    expect(atlas.requestLog).toHaveLength(logged);
  });

  it('puts off a read that only watches for an errorMessage when Atlas answers 429, and checks again an interval later', async () => {
    // Prepare
    const serviceId = await registered();
    atlas.setScript({ faults: [{ method: 'GET', path: `/endpoint/${VPCE}`, status: 429, retryAfter: 1 }] });
    ec2Says('pendingAcceptance');
    const runtime = testRuntime(atlas);
    const previous: PollState = {
      ...initialPollState(() => 0),
      checks: 9,
      ec2State: 'pendingacceptance',
      connectionStatus: 'PENDING_ACCEPTANCE',
      atlasReadAt: runtime.now() - 61_000,
    };

    // Act
    const poll = await createCheckEndpointHandler(runtime)(event(serviceId, previous));

    // Assess
    expect(poll).toMatchObject({
      checks: 10,
      verdict: Verdict.PENDING,
      connectionStatus: 'PENDING_ACCEPTANCE',
      atlasReadAt: runtime.now(),
    });
    const reads = endpointRequests(atlas, VPCE, 'GET');
    expect(reads.length).toBeGreaterThan(0);
    expect(reads.every((r) => r.status === 429)).toBe(true);
  });

  it('fails with AtlasRateLimitedError (for the Retry) when a read that decides the verdict meets a 429', async () => {
    // Prepare: EC2 says available, so Atlas must confirm.
    const serviceId = await registered();
    atlas.setScript({ faults: [{ method: 'GET', path: `/endpoint/${VPCE}`, status: 429, retryAfter: 1 }] });
    ec2Says('available');
    const runtime = testRuntime(atlas);
    const previous: PollState = {
      ...initialPollState(() => 0),
      checks: 9,
      ec2State: 'pendingacceptance',
      connectionStatus: 'PENDING_ACCEPTANCE',
      atlasReadAt: runtime.now() - 10_000,
    };

    // Act
    const failure = createCheckEndpointHandler(runtime)(event(serviceId, previous));

    // Assess
    await expect(failure).rejects.toBeInstanceOf(AtlasRateLimitedError);
  });

  it('reads Atlas again once EC2 says available, and is AVAILABLE when Atlas agrees', async () => {
    // Prepare
    const serviceId = await registered({ attempts: [{ statuses: ['AVAILABLE'] }] });
    ec2Says('available');
    const runtime = testRuntime(atlas);
    const previous: PollState = {
      ...initialPollState(() => 0),
      checks: 4,
      ec2State: 'pendingacceptance',
      connectionStatus: 'PENDING',
      atlasReadAt: runtime.now() - 5_000,
    };

    // Act
    const poll = await createCheckEndpointHandler(runtime)(event(serviceId, previous));

    // Assess
    expect(poll).toMatchObject({
      verdict: Verdict.AVAILABLE,
      outcome: 'AVAILABLE',
      connectionStatus: 'AVAILABLE',
    });
  });

  it('remediates with ENDPOINT_GONE when Atlas answers 404 for the endpoint', async () => {
    // Prepare: the service exists, the endpoint was never registered with it.
    const { id } = await availableService(atlas);
    ec2Says('pendingAcceptance');

    // Act
    const poll = await createCheckEndpointHandler(testRuntime(atlas))(
      event(
        id,
        initialPollState(() => 0),
      ),
    );

    // Assess
    expect(poll).toMatchObject({
      verdict: Verdict.REMEDIATE,
      outcome: 'ENDPOINT_GONE',
      connectionStatus: 'NOT_FOUND',
    });
  });

  it("remediates with ERROR_MESSAGE when Atlas reports an errorMessage, keeping Atlas's words", async () => {
    // Prepare
    const message =
      'Failed to accept interface endpoint vpce-0123456789abcdef0. Cannot modify VPC Endpoint at this time because there is an idempotent operation going on';
    const serviceId = await registered({
      attempts: [{ statuses: [{ connectionStatus: 'PENDING', errorMessage: message }] }],
    });
    ec2Says('pendingAcceptance');

    // Act
    const poll = await createCheckEndpointHandler(testRuntime(atlas))(
      event(
        serviceId,
        initialPollState(() => 0),
      ),
    );

    // Assess
    expect(poll).toMatchObject({
      verdict: Verdict.REMEDIATE,
      outcome: 'ERROR_MESSAGE',
      connectionStatus: 'PENDING',
      errorMessage: message,
    });
  });

  it('remediates with REJECTED when Atlas rejected the connection', async () => {
    const serviceId = await registered({ attempts: [{ statuses: ['REJECTED'] }] });
    ec2Says('rejected');

    const poll = await createCheckEndpointHandler(testRuntime(atlas))(
      event(
        serviceId,
        initialPollState(() => 0),
      ),
    );

    expect(poll).toMatchObject({ verdict: Verdict.REMEDIATE, outcome: 'REJECTED' });
  });

  it('remediates with ENDPOINT_GONE when EC2 no longer knows the VPC endpoint', async () => {
    // Prepare
    const serviceId = await registered();
    ec2NotFound();

    // Act
    const poll = await createCheckEndpointHandler(testRuntime(atlas))(
      event(
        serviceId,
        initialPollState(() => 0),
      ),
    );

    // Assess
    expect(poll).toMatchObject({ verdict: Verdict.REMEDIATE, outcome: 'ENDPOINT_GONE', ec2State: 'missing' });
  });

  it('keeps waiting when EC2 does not show a VPC endpoint created less than a minute ago', async () => {
    // Prepare: EC2 is eventually consistent; a new endpoint may not be visible to its reads yet
    const serviceId = await registered();
    ec2NotFound();

    // Act
    const poll = await createCheckEndpointHandler(testRuntime(atlas))(
      event(
        serviceId,
        initialPollState(() => 0),
        { createdAt: TEN_SECONDS_AGO },
      ),
    );

    // Assess
    expect(poll).toMatchObject({ verdict: Verdict.PENDING, ec2State: 'missing' });
    expect(poll.reason).toMatch(/not .*yet/);
  });

  it('keeps waiting, and reads Atlas again next time, when Atlas does not show a fresh registration', async () => {
    // Prepare: the service exists; Atlas does not show the registration made ten seconds ago yet
    const { id } = await availableService(atlas);
    ec2Says('pendingAcceptance');
    const runtime = testRuntime(atlas);
    const check = createCheckEndpointHandler(runtime);

    // Act
    const first = await check(
      event(
        id,
        initialPollState(() => 0),
        { registeredAt: TEN_SECONDS_AGO },
      ),
    );
    runtime.setNow(T0 + 38_000);
    const atlasReadsBefore = endpointRequests(atlas, VPCE, 'GET').length;
    const second = await check(event(id, first, { registeredAt: TEN_SECONDS_AGO }));

    // Assess
    expect(first).toMatchObject({ verdict: Verdict.PENDING, connectionStatus: 'NOT_FOUND' });
    expect(endpointRequests(atlas, VPCE, 'GET').length).toBe(atlasReadsBefore + 1);
    expect(second.verdict).toBe(Verdict.PENDING);
  });

  it('fails with ProvisioningTimeoutError when still pending at the request timeout', async () => {
    // Prepare
    const serviceId = await registered();
    ec2Says('pendingAcceptance');
    const runtime = testRuntime(atlas);
    runtime.setNow(T0 + 3600 * 1000 - 1000);

    // Act & Assess
    await expect(
      createCheckEndpointHandler(runtime)(
        event(
          serviceId,
          initialPollState(() => 0),
        ),
      ),
    ).rejects.toBeInstanceOf(ProvisioningTimeoutError);
  });
});
