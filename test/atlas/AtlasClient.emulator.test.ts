import { afterEach, describe, expect, it } from 'vitest';
import { AtlasClient, type AtlasClientOptions } from '../../lambdas/atlas/AtlasClient';
import type { ApiVersion } from '../../lambdas/atlas/paths';
import type { CloudProvider } from '../../lambdas/atlas/types';
import {
  AtlasAuthError,
  AtlasConflictError,
  AtlasNetworkError,
  AtlasResponseError,
  AtlasServerError,
} from '../../lambdas/errors';
import {
  type AtlasEmulator,
  type AtlasEmulatorOptions,
  DEMO_API_KEY,
  DEMO_GROUP_ID,
  DEMO_SERVICE_ACCOUNT,
  startAtlasEmulator,
} from '../../local/atlas-emulator';

const VPCE_ID = 'vpce-0a1b2c3d4e5f60718';
const AZURE_ID =
  '/subscriptions/cba6d9c6-1d3f-3c11-03cb-c705d895e636/resourceGroups/rg-app/providers/Microsoft.Network/privateEndpoints/pe-atlas';
const GCP_PROJECT_ID = 'p-fdeeb3e43b8e733e5ab627b1';

let atlas: AtlasEmulator | undefined;
const clients: AtlasClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await atlas?.close();
  atlas = undefined;
});

async function given(emulator: AtlasEmulatorOptions = {}, options: Partial<AtlasClientOptions> = {}) {
  atlas = await startAtlasEmulator(emulator);
  const client = new AtlasClient({ credentials: DEMO_API_KEY, baseUrl: atlas.url, ...options });
  clients.push(client);
  return { atlas, client };
}

/** Reads the service until it is AVAILABLE (the emulator's default script: INITIATING, then AVAILABLE). */
async function untilAvailable<P extends CloudProvider>(client: AtlasClient, provider: P, serviceId: string) {
  for (let read = 0; read < 5; read++) {
    const service = await client.getEndpointService(DEMO_GROUP_ID, provider, serviceId);
    if (service.status === 'AVAILABLE') return service;
  }
  throw new Error(`endpoint service ${serviceId} never became AVAILABLE`);
}

describe.each<ApiVersion>(['v2', 'v1.0'])('AtlasClient against the Atlas emulator, API %s', (apiVersion) => {
  it('runs an AWS endpoint service and endpoint through their whole life', async () => {
    const { atlas, client } = await given({ script: { deletingPolls: 1 } }, { apiVersion });

    const created = await client.createEndpointService(DEMO_GROUP_ID, {
      providerName: 'AWS',
      region: 'us-east-1',
    });
    expect(created).toMatchObject({ cloudProvider: 'AWS', status: 'INITIATING', endpointServiceName: null });

    const available = await untilAvailable(client, 'AWS', created.id);
    expect(available.endpointServiceName).toMatch(/^com\.amazonaws\.vpce\.us-east-1\.vpce-svc-[0-9a-f]{17}$/);

    const listed = await client.listEndpointServices(DEMO_GROUP_ID, 'AWS');
    expect(listed.map((s) => s.id)).toEqual([created.id]);

    const endpoint = await client.createEndpoint(DEMO_GROUP_ID, 'AWS', created.id, { id: VPCE_ID });
    expect(endpoint).toMatchObject({ interfaceEndpointId: VPCE_ID, connectionStatus: 'PENDING_ACCEPTANCE' });

    const again = await client.createEndpoint(DEMO_GROUP_ID, 'AWS', created.id, { id: VPCE_ID });
    expect(again.interfaceEndpointId).toBe(VPCE_ID);

    const read = await client.getEndpoint(DEMO_GROUP_ID, 'AWS', created.id, VPCE_ID);
    expect(read.deleteRequested).toBe(false);

    await expect(client.deleteEndpoint(DEMO_GROUP_ID, 'AWS', created.id, VPCE_ID)).resolves.toEqual({
      deleted: true,
    });
    const deleting = await client.getEndpoint(DEMO_GROUP_ID, 'AWS', created.id, VPCE_ID);
    expect(deleting).toMatchObject({ connectionStatus: 'DELETING', deleteRequested: true });
    await expect(client.getEndpoint(DEMO_GROUP_ID, 'AWS', created.id, VPCE_ID)).rejects.toMatchObject({
      name: 'AtlasNotFoundError',
    });
    await expect(client.deleteEndpoint(DEMO_GROUP_ID, 'AWS', created.id, VPCE_ID)).resolves.toEqual({
      deleted: false,
    });

    await expect(client.deleteEndpointService(DEMO_GROUP_ID, 'AWS', created.id)).resolves.toEqual({
      deleted: true,
    });
    expect(atlas.requestLog.every((entry) => entry.path.startsWith(`/api/atlas/${apiVersion}/`))).toBe(true);
  });

  it('refuses a second endpoint service in the same region with AtlasConflictError', async () => {
    const { client } = await given({}, { apiVersion });
    await client.createEndpointService(DEMO_GROUP_ID, { providerName: 'AWS', region: 'us-east-1' });

    const error = await client
      .createEndpointService(DEMO_GROUP_ID, { providerName: 'AWS', region: 'US_EAST_1' })
      .catch((e) => e);

    expect(error).toBeInstanceOf(AtlasConflictError);
    expect(error.errorCode).toBe('PRIVATE_ENDPOINT_SERVICE_ALREADY_EXISTS_FOR_REGION');
  });

  it('registers, reads and deletes an Azure endpoint by its ARM id', async () => {
    const { atlas, client } = await given({}, { apiVersion });
    const service = await client.createEndpointService(DEMO_GROUP_ID, {
      providerName: 'AZURE',
      region: 'eastus2',
    });
    await untilAvailable(client, 'AZURE', service.id);

    await client.createEndpoint(DEMO_GROUP_ID, 'AZURE', service.id, {
      id: AZURE_ID,
      privateEndpointIPAddress: '10.0.0.4',
    });
    const endpoint = await client.getEndpoint(DEMO_GROUP_ID, 'AZURE', service.id, AZURE_ID);
    const deleted = await client.deleteEndpoint(DEMO_GROUP_ID, 'AZURE', service.id, AZURE_ID);

    expect(endpoint).toMatchObject({
      privateEndpointResourceId: AZURE_ID,
      privateEndpointIPAddress: '10.0.0.4',
    });
    expect(deleted).toEqual({ deleted: true });
    expect(atlas.endpoints(DEMO_GROUP_ID)).toMatchObject([{ endpointId: AZURE_ID, deleteRequested: true }]);
  });

  it('registers, reads and deletes a GCP endpoint group', async () => {
    const { client } = await given({}, { apiVersion });
    const service = await client.createEndpointService(DEMO_GROUP_ID, {
      providerName: 'GCP',
      region: 'us-central1',
    });
    await untilAvailable(client, 'GCP', service.id);

    await client.createEndpoint(DEMO_GROUP_ID, 'GCP', service.id, {
      endpointGroupName: 'atlas-group',
      gcpProjectId: GCP_PROJECT_ID,
      endpoints: [{ endpointName: 'atlas-0', ipAddress: '10.128.0.5' }],
    });
    const group = await client.getEndpoint(DEMO_GROUP_ID, 'GCP', service.id, 'atlas-group');

    expect(group).toMatchObject({ endpointGroupName: 'atlas-group', gcpProjectId: GCP_PROJECT_ID });
    await expect(client.deleteEndpoint(DEMO_GROUP_ID, 'GCP', service.id, 'atlas-group')).resolves.toEqual({
      deleted: true,
    });
  });
});

describe('AtlasClient Digest authentication against the emulator', () => {
  it('spends 2 requests on the first call and 1 on each of the next 100', async () => {
    const { atlas, client } = await given();

    await client.listEndpointServices(DEMO_GROUP_ID, 'AWS');
    expect(atlas.requestLog.map((entry) => [entry.status, entry.auth])).toEqual([
      [401, 'challenge'],
      [200, 'ok'],
    ]);

    for (let i = 0; i < 100; i++) await client.listEndpointServices(DEMO_GROUP_ID, 'AWS');

    expect(atlas.requestLog).toHaveLength(102);
    expect(atlas.requestLog.slice(2).every((entry) => entry.status === 200)).toBe(true);
  });

  it('fails with AtlasAuthError after exactly 2 requests when the key is wrong', async () => {
    const { atlas, client } = await given(
      {},
      { credentials: { publicKey: DEMO_API_KEY.publicKey, privateKey: 'not-the-private-key' } },
    );

    const error = await client.listEndpointServices(DEMO_GROUP_ID, 'AWS').catch((e) => e);

    expect(error).toBeInstanceOf(AtlasAuthError);
    expect(error.status).toBe(401);
    expect(error.message).not.toContain('not-the-private-key');
    expect(atlas.requestLog).toHaveLength(2);
  });

  it('serves 50 concurrent calls', async () => {
    const { client } = await given();
    const service = await client.createEndpointService(DEMO_GROUP_ID, {
      providerName: 'AWS',
      region: 'eu-west-1',
    });

    const reads = await Promise.all(
      Array.from({ length: 50 }, () => client.getEndpointService(DEMO_GROUP_ID, 'AWS', service.id)),
    );

    expect(reads.map((s) => s.id)).toEqual(Array(50).fill(service.id));
  });
});

describe('AtlasClient retries against the emulator', () => {
  it('waits the Retry-After of a 429, then succeeds', async () => {
    const { atlas, client } = await given({
      script: { faults: [{ method: 'GET', path: '/endpointService', status: 429, retryAfter: 1, times: 1 }] },
    });

    const started = Date.now();
    const services = await client.listEndpointServices(DEMO_GROUP_ID, 'AWS');

    expect(services).toEqual([]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(990);
    expect(atlas.requestLog.map((entry) => entry.status)).toEqual([429, 401, 200]);
  });

  it('retries a GET answered 500', async () => {
    const { atlas, client } = await given(
      { script: { faults: [{ method: 'GET', status: 500, times: 2 }] } },
      { sleep: async () => undefined },
    );

    await expect(client.listEndpointServices(DEMO_GROUP_ID, 'AWS')).resolves.toEqual([]);
    expect(atlas.requestLog.map((entry) => entry.status)).toEqual([500, 500, 401, 200]);
  });

  it('does not re-send a create answered 500', async () => {
    const { atlas, client } = await given({
      script: { faults: [{ method: 'POST', status: 500, times: 1 }] },
    });

    await expect(
      client.createEndpointService(DEMO_GROUP_ID, { providerName: 'AWS', region: 'us-east-1' }),
    ).rejects.toBeInstanceOf(AtlasServerError);
    expect(atlas.requestLog).toHaveLength(1);
  });

  it('retries a GET whose connection was reset', async () => {
    const { atlas, client } = await given(
      { script: { faults: [{ method: 'GET', reset: true, times: 1 }] } },
      { sleep: async () => undefined },
    );

    await expect(client.listEndpointServices(DEMO_GROUP_ID, 'AWS')).resolves.toEqual([]);
    expect(atlas.requestLog.map((entry) => entry.status)).toEqual([0, 401, 200]);
  });

  it('fails with AtlasNetworkError when Atlas answers too slowly', async () => {
    const { client } = await given(
      { script: { faults: [{ method: 'GET', delayMs: 2_000, times: -1 }] } },
      { headersTimeoutMs: 200, retry: { maxAttempts: 2 }, sleep: async () => undefined },
    );

    const error = await client.listEndpointServices(DEMO_GROUP_ID, 'AWS').catch((e) => e);

    expect(error).toBeInstanceOf(AtlasNetworkError);
    expect(error.code).toBe('UND_ERR_HEADERS_TIMEOUT');
  });

  it('fails with AtlasResponseError on a malformed 2xx body', async () => {
    const { client } = await given({ script: { faults: [{ method: 'GET', body: 'malformed', times: 1 }] } });

    await expect(client.listEndpointServices(DEMO_GROUP_ID, 'AWS')).rejects.toBeInstanceOf(
      AtlasResponseError,
    );
  });
});

describe('AtlasClient service accounts against the emulator', () => {
  it('reuses one token across calls and replaces it when it nears expiry', async () => {
    let clock = Date.parse('2026-03-01T00:00:00Z');
    const now = () => clock;
    const { atlas, client } = await given(
      { clock: now, tokenTtlSeconds: 120 },
      { credentials: DEMO_SERVICE_ACCOUNT, now },
    );
    const tokenRequests = () => atlas.requestLog.filter((entry) => entry.path === '/api/oauth/token');

    for (let i = 0; i < 3; i++) await client.listEndpointServices(DEMO_GROUP_ID, 'AWS');
    expect(tokenRequests()).toHaveLength(1);

    clock += 100_000; // within the 12 s margin of a 120 s token
    await client.listEndpointServices(DEMO_GROUP_ID, 'AWS');
    clock += 100_000;
    await client.listEndpointServices(DEMO_GROUP_ID, 'AWS');

    expect(tokenRequests()).toHaveLength(2);
    expect(
      atlas.requestLog.filter((entry) => entry.path !== '/api/oauth/token').map((e) => e.status),
    ).toEqual(Array(5).fill(200));
  });

  it('fetches a new token when Atlas refuses one its clock says has expired', async () => {
    let emulatorClock = Date.now();
    const { atlas, client } = await given(
      { clock: () => emulatorClock, tokenTtlSeconds: 3600 },
      {
        credentials: DEMO_SERVICE_ACCOUNT,
      },
    );
    await client.listEndpointServices(DEMO_GROUP_ID, 'AWS');

    emulatorClock += 3_601_000;
    await client.listEndpointServices(DEMO_GROUP_ID, 'AWS');

    expect(
      atlas.requestLog.map(
        (entry) => `${entry.path === '/api/oauth/token' ? 'token' : 'api'} ${entry.status}`,
      ),
    ).toEqual(['token 200', 'api 200', 'api 401', 'token 200', 'api 200']);
  });

  it('fails with AtlasAuthError when the client secret is wrong', async () => {
    const { atlas, client } = await given(
      {},
      { credentials: { clientId: DEMO_SERVICE_ACCOUNT.clientId, clientSecret: 'mdb_sa_sk_wrong' } },
    );

    const error = await client.listEndpointServices(DEMO_GROUP_ID, 'AWS').catch((e) => e);

    expect(error).toBeInstanceOf(AtlasAuthError);
    expect(error.message).not.toContain('mdb_sa_sk_wrong');
    expect(atlas.requestLog).toHaveLength(1);
  });
});
