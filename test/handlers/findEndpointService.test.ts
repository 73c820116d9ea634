import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AtlasClient } from '../../lambdas/atlas/AtlasClient';
import type { CloudProvider } from '../../lambdas/atlas/types';
import { ServiceNext } from '../../lambdas/domain/decisions';
import { parseProvisioningRequest } from '../../lambdas/domain/request';
import {
  EndpointServiceFailedError,
  InvalidRequestError,
  ProvisioningTimeoutError,
} from '../../lambdas/errors';
import {
  createFindEndpointServiceHandler,
  type FindEndpointServiceEvent,
} from '../../lambdas/handlers/findEndpointService';
import { type AtlasEmulator, DEMO_API_KEY, startAtlasEmulator } from '../../local/atlas-emulator';
import {
  closeAtlasClients,
  EXECUTION,
  GROUP,
  newAtlasClient,
  STARTED_AT,
  SUBNET,
  T0,
  testRuntime,
  track,
  VPC,
} from './fakeRuntime';

const SERVICE_NAME = /^com\.amazonaws\.vpce\.us-east-1\.vpce-svc-[0-9a-f]{17}$/;

let atlas: AtlasEmulator;

beforeAll(async () => {
  atlas = await startAtlasEmulator({ logError: () => {} });
});
beforeEach(() => atlas.reset());
afterEach(closeAtlasClients);
afterAll(() => atlas.close());

const byRegion = parseProvisioningRequest({
  groupId: GROUP,
  region: 'us-east-1',
  vpcId: VPC,
  subnetIds: [SUBNET],
});
const byId = (endpointServiceId: string) =>
  parseProvisioningRequest({ groupId: GROUP, endpointServiceId, vpcId: VPC, subnetIds: [SUBNET] });

function event(
  request: FindEndpointServiceEvent['request'],
  service: FindEndpointServiceEvent['service'] = { checks: 0 },
): FindEndpointServiceEvent {
  return { executionName: EXECUTION, executionStartedAt: STARTED_AT, request, service };
}

/** Creates the project's us-east-1 service as another caller would (outside the handler). */
async function existingService(region = 'us-east-1'): Promise<string> {
  const other = track(newAtlasClient(atlas));
  return (await other.createEndpointService(GROUP, { providerName: 'AWS', region })).id;
}

const posts = () => atlas.requestLog.filter((entry) => entry.method === 'POST' && entry.status !== 401);

describe('findEndpointService handler', () => {
  it('reads the service named in the request: WAIT while INITIATING, then READY once AVAILABLE', async () => {
    // Prepare
    const id = await existingService();
    const handler = createFindEndpointServiceHandler(testRuntime(atlas));

    // Act
    const first = await handler(event(byId(id)));
    const second = await handler(event(byId(id), first));

    // Assess
    expect(first).toStrictEqual({
      endpointServiceId: id,
      region: 'us-east-1',
      endpointServiceName: null,
      status: 'INITIATING',
      next: ServiceNext.WAIT,
      checks: 1,
      waitSeconds: 5,
    });
    expect(second).toMatchObject({
      endpointServiceId: id,
      status: 'AVAILABLE',
      next: ServiceNext.READY,
      checks: 2,
    });
    expect(second.endpointServiceName).toMatch(SERVICE_NAME);
  });

  it('finds the existing service of the region without creating one', async () => {
    // Prepare
    const id = await existingService();
    const postsBefore = posts().length;
    const handler = createFindEndpointServiceHandler(testRuntime(atlas));

    // Act
    const state = await handler(event(byRegion));

    // Assess
    expect(state.endpointServiceId).toBe(id);
    expect(posts()).toHaveLength(postsBefore);
    expect(atlas.services(GROUP)).toHaveLength(1);
  });

  it('ignores a service of another region', async () => {
    // Prepare
    const other = await existingService('eu-west-1');
    const handler = createFindEndpointServiceHandler(testRuntime(atlas));

    // Act
    const state = await handler(event(byRegion));

    // Assess
    expect(state.endpointServiceId).not.toBe(other);
    expect(
      atlas
        .services(GROUP)
        .map((s) => s.regionName)
        .sort(),
    ).toStrictEqual(['EU_WEST_1', 'US_EAST_1']);
  });

  it('creates the service when the region has none, then follows it by id until AVAILABLE', async () => {
    // Prepare
    const handler = createFindEndpointServiceHandler(testRuntime(atlas));

    // Act
    const created = await handler(event(byRegion));
    const stillInitiating = await handler(event(byRegion, created));
    const followed = await handler(event(byRegion, stillInitiating));

    // Assess
    expect(created).toMatchObject({
      status: 'INITIATING',
      next: ServiceNext.WAIT,
      endpointServiceName: null,
    });
    expect(atlas.services(GROUP)).toMatchObject([{ id: created.endpointServiceId, regionName: 'US_EAST_1' }]);
    expect(stillInitiating).toMatchObject({ next: ServiceNext.WAIT, checks: 2, waitSeconds: 10 });
    expect(followed).toMatchObject({ endpointServiceId: created.endpointServiceId, next: ServiceNext.READY });
    expect(posts()).toHaveLength(1);
  });

  it('adopts the service another caller created between its list and its create (409)', async () => {
    // Prepare: the other caller creates the service right after this handler listed none.
    let raced = false;
    class RacedAtlasClient extends AtlasClient {
      override async listEndpointServices<P extends CloudProvider>(groupId: string, provider: P) {
        const listed = await super.listEndpointServices(groupId, provider);
        if (!raced) {
          raced = true;
          await existingService();
        }
        return listed;
      }
    }
    const client = track(new RacedAtlasClient({ credentials: DEMO_API_KEY, baseUrl: atlas.url }));
    const handler = createFindEndpointServiceHandler(testRuntime(atlas, client));

    // Act
    const state = await handler(event(byRegion));

    // Assess
    const [theirs] = atlas.services(GROUP);
    expect(atlas.services(GROUP)).toHaveLength(1);
    expect(state.endpointServiceId).toBe(theirs?.id);
    expect(posts().map((entry) => entry.status)).toStrictEqual([200, 409]);
  });

  it('fails with EndpointServiceFailedError carrying Atlas errorMessage when the service FAILED', async () => {
    // Prepare
    atlas.setScript({
      endpointService: {
        statuses: [{ status: 'FAILED', errorMessage: 'No capacity for PrivateLink in us-east-1' }],
      },
    });
    const id = await existingService();
    const handler = createFindEndpointServiceHandler(testRuntime(atlas));

    // Act
    const error = await handler(event(byId(id))).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(EndpointServiceFailedError);
    expect((error as Error).message).toContain('No capacity for PrivateLink in us-east-1');
  });

  it('fails with ProvisioningTimeoutError when the service is not ready within the request timeout', async () => {
    // Prepare
    const id = await existingService();
    const runtime = testRuntime(atlas);
    runtime.setNow(T0 + byId(id).timeoutSeconds * 1000 - 1000);
    const handler = createFindEndpointServiceHandler(runtime);

    // Act & Assess
    await expect(handler(event(byId(id)))).rejects.toBeInstanceOf(ProvisioningTimeoutError);
  });

  it('refuses a named service in another region than the deployment’s, before any Atlas write', async () => {
    // Prepare
    const other = await existingService('eu-west-1');
    const postsBefore = posts().length;
    const handler = createFindEndpointServiceHandler(testRuntime(atlas));

    // Act
    const error = await handler(event(byId(other))).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as InvalidRequestError).violations).toMatchObject([{ field: 'endpointServiceId' }]);
    expect((error as Error).message).toContain('eu-west-1');
    expect((error as Error).message).toContain('us-east-1');
    expect(posts()).toHaveLength(postsBefore);
  });

  it('refuses a project outside the allow-list when invoked directly, calling Atlas not at all', async () => {
    // Prepare
    const before = atlas.requestLog.length;
    const runtime = {
      ...testRuntime(atlas),
      requestContext: () => ({
        deploymentRegion: 'us-east-1',
        allowedVpcIds: '*' as const,
        allowedGroupIds: ['aaaaaaaaaaaaaaaaaaaaaaaa'],
      }),
    };

    // Act
    const error = await createFindEndpointServiceHandler(runtime)(event(byRegion)).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as InvalidRequestError).violations).toMatchObject([{ field: 'groupId' }]);
    expect(atlas.requestLog.length).toBe(before);
    expect(atlas.services(GROUP)).toEqual([]);
  });

  it('finds or creates the region’s service again when the one it read before is gone', async () => {
    // Prepare: the workflow read a service before; Atlas has since removed it
    const handler = createFindEndpointServiceHandler(testRuntime(atlas));
    const before = await handler(event(byRegion));
    const client = track(newAtlasClient(atlas));
    await client.deleteEndpointService(GROUP, 'AWS', before.endpointServiceId);
    // Atlas shows it DELETING for a few reads, then answers 404.
    while (atlas.services(GROUP).length > 0) {
      await client.getEndpointService(GROUP, 'AWS', before.endpointServiceId).catch(() => undefined);
    }

    // Act
    const after = await handler(event(byRegion, before));

    // Assess
    expect(after.endpointServiceId).not.toBe(before.endpointServiceId);
    expect(after).toMatchObject({ region: 'us-east-1', next: ServiceNext.WAIT, status: 'INITIATING' });
    expect(atlas.services(GROUP)).toHaveLength(1);
  });

  it('waits while the service it read before is being deleted', async () => {
    // Prepare
    const handler = createFindEndpointServiceHandler(testRuntime(atlas));
    const before = await handler(event(byRegion));
    await track(newAtlasClient(atlas)).deleteEndpointService(GROUP, 'AWS', before.endpointServiceId);

    // Act
    const after = await handler(event(byRegion, before));

    // Assess
    expect(after).toMatchObject({
      endpointServiceId: before.endpointServiceId,
      status: 'DELETING',
      next: ServiceNext.WAIT,
    });
  });

  it('lets an AtlasNotFoundError through when the named service does not exist', async () => {
    const handler = createFindEndpointServiceHandler(testRuntime(atlas));

    await expect(handler(event(byId('0123456789abcdef01234567')))).rejects.toMatchObject({
      name: 'AtlasNotFoundError',
    });
  });
});

describe('findEndpointService handler, cross-region (the deployment in us-east-1)', () => {
  const crossRegion = (fields: Record<string, unknown>) =>
    parseProvisioningRequest(
      { groupId: GROUP, vpcId: VPC, subnetIds: [SUBNET], crossRegion: true, ...fields },
      { deploymentRegion: 'us-east-1' },
    );
  const inEurope = crossRegion({ region: 'eu-west-1' });
  const patches = () => atlas.requestLog.filter((entry) => entry.method === 'PATCH' && entry.status !== 401);

  /** An AVAILABLE service in `region`, made by another caller, supporting `remoteRegions`. */
  async function upService(region: string, remoteRegions: string[] = []): Promise<string> {
    const other = track(newAtlasClient(atlas));
    const { id } = await other.createEndpointService(GROUP, {
      providerName: 'AWS',
      region,
      ...(remoteRegions.length > 0 ? { supportedRemoteRegions: remoteRegions } : {}),
    });
    while ((await other.getEndpointService(GROUP, 'AWS', id)).status !== 'AVAILABLE');
    return id;
  }

  it("creates the region's service supporting the deployment's region from the start, with no PATCH", async () => {
    const handler = createFindEndpointServiceHandler(testRuntime(atlas));

    const created = await handler(event(inEurope));
    const initiating = await handler(event(inEurope, created));
    const ready = await handler(event(inEurope, initiating));

    expect(atlas.services(GROUP)).toMatchObject([
      { regionName: 'EU_WEST_1', supportedRemoteRegions: ['US_EAST_1'] },
    ]);
    expect(created).toMatchObject({
      region: 'eu-west-1',
      next: ServiceNext.WAIT,
      remoteRegion: { region: 'us-east-1', status: 'ADDING' },
    });
    expect(ready).toMatchObject({
      next: ServiceNext.READY,
      remoteRegion: { region: 'us-east-1', status: 'SUPPORTED' },
    });
    expect(ready.endpointServiceName).toMatch(/^com\.amazonaws\.vpce\.eu-west-1\.vpce-svc-/);
    expect(patches()).toHaveLength(0);
  });

  it("adds the deployment's region to an existing service, keeping its other regions, and is READY only on a later read", async () => {
    const id = await upService('eu-west-1', ['AP_SOUTHEAST_2']);
    const handler = createFindEndpointServiceHandler(testRuntime(atlas));

    const updated = await handler(event(inEurope));
    const updating = await handler(event(inEurope, updated));

    expect(updated).toMatchObject({
      endpointServiceId: id,
      next: ServiceNext.WAIT,
      waitSeconds: 5,
      remoteRegion: { region: 'us-east-1', status: 'ADDING' },
    });
    expect(patches()).toHaveLength(1);
    expect(atlas.services(GROUP)[0]?.supportedRemoteRegions).toEqual(['AP_SOUTHEAST_2', 'US_EAST_1']);
    // The emulator's default afterUpdate: INITIATING in the PATCH's answer, AVAILABLE on the next read.
    expect(updating).toMatchObject({ status: 'AVAILABLE', next: ServiceNext.READY });
    expect(patches()).toHaveLength(1);
  });

  it('sends no PATCH when the service supports the region already', async () => {
    const id = await upService('eu-west-1', ['US_EAST_1']);
    const handler = createFindEndpointServiceHandler(testRuntime(atlas));

    const state = await handler(event(inEurope));

    expect(state).toMatchObject({ endpointServiceId: id, next: ServiceNext.READY });
    expect(patches()).toHaveLength(0);
  });

  it('leaves a service that is not up for a later read, then adds the region', async () => {
    await existingService('eu-west-1');
    const handler = createFindEndpointServiceHandler(testRuntime(atlas));

    const initiating = await handler(event(inEurope));
    const patchesWhileInitiating = patches().length;
    const updated = await handler(event(inEurope, initiating));

    expect(initiating).toMatchObject({
      status: 'INITIATING',
      next: ServiceNext.WAIT,
      remoteRegion: { status: 'MISSING' },
    });
    expect(patchesWhileInitiating).toBe(0);
    expect(updated).toMatchObject({ next: ServiceNext.WAIT, remoteRegion: { status: 'ADDING' } });
    expect(patches()).toHaveLength(1);
  });

  it('refuses to add the region to a service that supports 35 already, sending no PATCH', async () => {
    const others = ['EU', 'AP', 'SA', 'CA', 'ME'].flatMap((area) =>
      Array.from({ length: 7 }, (_, i) => `${area}_NORTH_${i + 1}`),
    );
    await upService('eu-west-1', others);
    const handler = createFindEndpointServiceHandler(testRuntime(atlas));

    const error = await handler(event(inEurope)).catch((e: unknown) => e);

    expect(others).toHaveLength(35);
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as InvalidRequestError).message).toMatch(/crossRegion: .*35 remote regions.*us-east-1/);
    expect(patches()).toHaveLength(0);
    expect(atlas.services(GROUP)[0]?.supportedRemoteRegions).toEqual(others);
  });

  it('accepts a named service in another region with crossRegion, and adds the region to it', async () => {
    const id = await upService('eu-west-1');
    const handler = createFindEndpointServiceHandler(testRuntime(atlas));

    const state = await handler(event(crossRegion({ endpointServiceId: id })));

    expect(state).toMatchObject({ endpointServiceId: id, region: 'eu-west-1', next: ServiceNext.WAIT });
    expect(atlas.services(GROUP)[0]?.supportedRemoteRegions).toEqual(['US_EAST_1']);
  });

  it('refuses a named service in another partition even with crossRegion, before any Atlas write', async () => {
    const id = await upService('us-gov-west-1');
    const writesBefore = atlas.requestLog.filter((e) => e.method !== 'GET').length;
    const handler = createFindEndpointServiceHandler(testRuntime(atlas));

    const error = await handler(event(crossRegion({ endpointServiceId: id }))).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as Error).message).toContain('partition');
    expect(atlas.requestLog.filter((e) => e.method !== 'GET')).toHaveLength(writesBefore);
  });

  it('treats crossRegion for the deployment’s own region as an ordinary request', async () => {
    const handler = createFindEndpointServiceHandler(testRuntime(atlas));

    const state = await handler(event(crossRegion({ region: 'us-east-1' })));

    expect(state).not.toHaveProperty('remoteRegion');
    expect(atlas.services(GROUP)[0]?.supportedRemoteRegions).toEqual([]);
  });
});
