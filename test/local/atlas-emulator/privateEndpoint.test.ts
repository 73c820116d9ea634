import { afterEach, describe, expect, it } from 'vitest';
import {
  availableAwsService,
  fakeClock,
  GROUP,
  type Harness,
  startHarness,
  VPCE,
  VPCE_2,
  v1,
  v2,
} from './fixtures';

let h: Harness;
afterEach(async () => {
  await h?.atlas.close();
});

const statusesOf = async (h: Harness, path: string, reads: number) => {
  const seen: unknown[] = [];
  for (let i = 0; i < reads; i += 1) {
    const response = await h.client.request(path);
    seen.push(
      response.status === 200
        ? ((await response.json()) as { connectionStatus: string }).connectionStatus
        : response.status,
    );
  }
  return seen;
};

describe.each([
  ['v2', v2],
  ['v1.0', v1],
])('AWS private endpoints over %s', (_version, path) => {
  it('registers a vpce id and reads PENDING_ACCEPTANCE, PENDING, then AVAILABLE by default', async () => {
    h = await startHarness();
    const serviceId = await availableAwsService(h.client, path);

    const created = await h.client.request(path(`/AWS/endpointService/${serviceId}/endpoint`), {
      method: 'POST',
      body: { id: VPCE },
    });
    const createdBody = await created.json();
    const reads = await statusesOf(h, path(`/AWS/endpointService/${serviceId}/endpoint/${VPCE}`), 4);
    const service = await (await h.client.request(path(`/AWS/endpointService/${serviceId}`))).json();

    expect(created.status).toBe(200);
    expect(createdBody).toEqual({
      cloudProvider: 'AWS',
      connectionStatus: 'PENDING_ACCEPTANCE',
      deleteRequested: false,
      errorMessage: null,
      interfaceEndpointId: VPCE,
    });
    expect(reads).toEqual(['PENDING_ACCEPTANCE', 'PENDING', 'AVAILABLE', 'AVAILABLE']);
    expect(service).toMatchObject({ interfaceEndpoints: [VPCE] });
  });

  it('refuses to register the same vpce id twice with 409', async () => {
    h = await startHarness();
    const serviceId = await availableAwsService(h.client, path);
    await h.client.request(path(`/AWS/endpointService/${serviceId}/endpoint`), {
      method: 'POST',
      body: { id: VPCE },
    });

    const again = await h.client.request(path(`/AWS/endpointService/${serviceId}/endpoint`), {
      method: 'POST',
      body: { id: VPCE },
    });

    expect(again.status).toBe(409);
    expect(await again.json()).toMatchObject({
      errorCode: 'PRIVATELINK_INTERFACE_ENDPOINT_ALREADY_EXISTS',
      parameters: [VPCE],
      reason: 'Conflict',
    });
  });

  it('deletes an endpoint: 204, then DELETING with deleteRequested for deletingPolls reads, then 404', async () => {
    h = await startHarness();
    const serviceId = await availableAwsService(h.client, path);
    const endpointPath = path(`/AWS/endpointService/${serviceId}/endpoint/${VPCE}`);
    await h.client.request(path(`/AWS/endpointService/${serviceId}/endpoint`), {
      method: 'POST',
      body: { id: VPCE },
    });

    const deleted = await h.client.request(endpointPath, { method: 'DELETE' });
    const first = await (await h.client.request(endpointPath)).json();
    const second = await (await h.client.request(endpointPath)).json();
    const gone = await h.client.request(endpointPath);
    const service = await (await h.client.request(path(`/AWS/endpointService/${serviceId}`))).json();

    expect(deleted.status).toBe(204);
    expect(first).toEqual({
      cloudProvider: 'AWS',
      connectionStatus: 'DELETING',
      deleteRequested: true,
      errorMessage: null,
      interfaceEndpointId: VPCE,
    });
    expect(second).toMatchObject({ connectionStatus: 'DELETING', deleteRequested: true });
    expect(gone.status).toBe(404);
    expect(((await gone.json()) as { errorCode: string }).errorCode).toBe(
      'PRIVATELINK_INTERFACE_ENDPOINT_NOT_FOUND',
    );
    expect(service).toMatchObject({ interfaceEndpoints: [] });
  });
});

describe('AWS private endpoints', () => {
  it('plays attempts in order per service, the last attempt repeating', async () => {
    h = await startHarness({
      script: {
        deletingPolls: 0,
        attempts: [
          {
            statuses: [
              'PENDING_ACCEPTANCE',
              { connectionStatus: 'REJECTED', errorMessage: 'Failed to accept' },
            ],
          },
          { statuses: ['AVAILABLE'] },
        ],
      },
    });
    const serviceId = await availableAwsService(h.client);
    const register = (id: string) =>
      h.client.request(v2(`/AWS/endpointService/${serviceId}/endpoint`), { method: 'POST', body: { id } });
    const read = async (id: string) =>
      (await h.client.request(v2(`/AWS/endpointService/${serviceId}/endpoint/${id}`))).json();
    const remove = async (id: string) => {
      await h.client.request(v2(`/AWS/endpointService/${serviceId}/endpoint/${id}`), { method: 'DELETE' });
      await h.client.request(v2(`/AWS/endpointService/${serviceId}/endpoint/${id}`));
    };

    await register(VPCE);
    const firstReads = [await read(VPCE), await read(VPCE), await read(VPCE)];
    await remove(VPCE);
    await register(VPCE_2);
    const secondRead = await read(VPCE_2);
    await remove(VPCE_2);
    await register(VPCE);
    const thirdRead = await read(VPCE);

    expect(firstReads).toEqual([
      expect.objectContaining({ connectionStatus: 'PENDING_ACCEPTANCE', errorMessage: null }),
      expect.objectContaining({ connectionStatus: 'REJECTED', errorMessage: 'Failed to accept' }),
      expect.objectContaining({ connectionStatus: 'REJECTED', errorMessage: 'Failed to accept' }),
    ]);
    expect(secondRead).toMatchObject({ connectionStatus: 'AVAILABLE' });
    expect(thirdRead).toMatchObject({ connectionStatus: 'AVAILABLE' });
    expect(h.atlas.endpoints(GROUP)).toEqual([expect.objectContaining({ endpointId: VPCE, attempt: 2 })]);
  });

  it('follows a timeline relative to the registration by a fake clock', async () => {
    const clock = fakeClock();
    h = await startHarness({
      clock,
      script: {
        attempts: [
          {
            timeline: [
              { atSeconds: 0, connectionStatus: 'PENDING_ACCEPTANCE' },
              { atSeconds: 30, connectionStatus: 'PENDING' },
              { atSeconds: 120, connectionStatus: 'AVAILABLE' },
            ],
          },
        ],
      },
    });
    const serviceId = await availableAwsService(h.client);
    clock.advance(1_000_000);
    await h.client.request(v2(`/AWS/endpointService/${serviceId}/endpoint`), {
      method: 'POST',
      body: { id: VPCE },
    });
    const endpointPath = v2(`/AWS/endpointService/${serviceId}/endpoint/${VPCE}`);

    const seen: unknown[] = [];
    for (const step of [0, 29_999, 1, 89_999, 1]) {
      clock.advance(step);
      seen.push(
        ((await (await h.client.request(endpointPath)).json()) as { connectionStatus: string })
          .connectionStatus,
      );
    }

    expect(seen).toEqual(['PENDING_ACCEPTANCE', 'PENDING_ACCEPTANCE', 'PENDING', 'PENDING', 'AVAILABLE']);
  });

  it('refuses registrations while the service is not yet available', async () => {
    h = await startHarness();
    const created = await h.client.request(v2('/endpointService'), {
      method: 'POST',
      body: { providerName: 'AWS', region: 'us-east-1' },
    });
    const { id } = (await created.json()) as { id: string };

    const early = await h.client.request(v2(`/AWS/endpointService/${id}/endpoint`), {
      method: 'POST',
      body: { id: VPCE },
    });

    expect(early.status).toBe(409);
    expect(((await early.json()) as { errorCode: string }).errorCode).toBe(
      'PRIVATELINK_CANNOT_ACCEPT_ENDPOINTS',
    );
  });

  it('refuses to delete a service that still has endpoints', async () => {
    h = await startHarness();
    const serviceId = await availableAwsService(h.client);
    await h.client.request(v2(`/AWS/endpointService/${serviceId}/endpoint`), {
      method: 'POST',
      body: { id: VPCE },
    });

    const refused = await h.client.request(v2(`/AWS/endpointService/${serviceId}`), { method: 'DELETE' });

    expect(refused.status).toBe(409);
    expect(((await refused.json()) as { errorCode: string }).errorCode).toBe(
      'CANNOT_DELETE_PRIVATELINK_WITH_ENDPOINTS',
    );
  });

  it('fails with 400 when the body id is not a vpce id, and with PATH_PARAM_PARSE_ERROR for a malformed path id', async () => {
    h = await startHarness();
    const serviceId = await availableAwsService(h.client);

    const badBody = await h.client.request(v2(`/AWS/endpointService/${serviceId}/endpoint`), {
      method: 'POST',
      body: { id: 'vpce-123' },
    });
    const badPath = await h.client.request(v2(`/AWS/endpointService/${serviceId}/endpoint/vpce-nothex`));

    expect(badBody.status).toBe(400);
    expect(await badBody.json()).toMatchObject({ errorCode: 'INVALID_ATTRIBUTE', parameters: ['id'] });
    expect(badPath.status).toBe(400);
    expect(await badPath.json()).toMatchObject({
      errorCode: 'PATH_PARAM_PARSE_ERROR',
      parameters: ['endpointId'],
    });
  });

  it('lets the AWS side find the service by name and peek at a registration without advancing it', async () => {
    h = await startHarness();
    const serviceId = await availableAwsService(h.client);
    const [service] = h.atlas.services(GROUP);
    await h.client.request(v2(`/AWS/endpointService/${serviceId}/endpoint`), {
      method: 'POST',
      body: { id: VPCE },
    });

    const found = h.atlas.atlasSide.findServiceByName(service!.endpointServiceName!);
    const peeks = [
      h.atlas.atlasSide.peekInterfaceEndpoint(VPCE),
      h.atlas.atlasSide.peekInterfaceEndpoint(VPCE),
    ];
    const reads = await statusesOf(h, v2(`/AWS/endpointService/${serviceId}/endpoint/${VPCE}`), 2);
    const afterReads = h.atlas.atlasSide.peekInterfaceEndpoint(VPCE);
    await h.client.request(v2(`/AWS/endpointService/${serviceId}/endpoint/${VPCE}`), { method: 'DELETE' });

    expect(found).toEqual({
      groupId: GROUP,
      endpointServiceId: serviceId,
      region: 'us-east-1',
      remoteRegions: [],
    });
    expect(
      h.atlas.atlasSide.findServiceByName('com.amazonaws.vpce.us-east-1.vpce-svc-00000000000000000'),
    ).toBeUndefined();
    expect(peeks).toEqual([
      { connectionStatus: 'PENDING_ACCEPTANCE', deleteRequested: false },
      { connectionStatus: 'PENDING_ACCEPTANCE', deleteRequested: false },
    ]);
    expect(reads).toEqual(['PENDING_ACCEPTANCE', 'PENDING']);
    expect(afterReads).toEqual({ connectionStatus: 'PENDING', deleteRequested: false });
    expect(h.atlas.atlasSide.peekInterfaceEndpoint(VPCE)).toEqual({
      connectionStatus: 'DELETING',
      deleteRequested: true,
    });
    expect(h.atlas.atlasSide.peekInterfaceEndpoint(VPCE_2)).toBeUndefined();
  });
});

describe('Azure and GCP private endpoints', () => {
  const azureId =
    '/subscriptions/cba6d9c6-1d3f-3c11-03cb-c705d895e636/resourceGroups/my-rg/providers/Microsoft.Network/privateEndpoints/my-pe';

  it('registers an Azure endpoint and reads it by its URL-encoded ARM id, then deletes it', async () => {
    h = await startHarness({ script: { endpointService: { statuses: ['AVAILABLE'] }, deletingPolls: 0 } });
    const created = await h.client.request(v2('/endpointService'), {
      method: 'POST',
      body: { providerName: 'AZURE', region: 'eastus2' },
    });
    const { id } = (await created.json()) as { id: string };
    await h.client.request(v2(`/AZURE/endpointService/${id}`));
    const encoded = encodeURIComponent(azureId);

    const registered = await h.client.request(v2(`/AZURE/endpointService/${id}/endpoint`), {
      method: 'POST',
      body: { id: azureId, privateEndpointIPAddress: '10.0.0.4' },
    });
    const read = await h.client.request(v2(`/AZURE/endpointService/${id}/endpoint/${encoded}`));
    const deleted = await h.client.request(v2(`/AZURE/endpointService/${id}/endpoint/${encoded}`), {
      method: 'DELETE',
    });
    const gone = await h.client.request(v2(`/AZURE/endpointService/${id}/endpoint/${encoded}`));

    expect(encoded).toContain('%2F');
    expect(registered.status).toBe(200);
    expect(await read.json()).toMatchObject({
      cloudProvider: 'AZURE',
      privateEndpointResourceId: azureId,
      privateEndpointIPAddress: '10.0.0.4',
      status: 'INITIATING',
      deleteRequested: false,
    });
    expect(deleted.status).toBe(204);
    expect(gone.status).toBe(404);
  });

  it('registers a GCP endpoint group and reads it by name', async () => {
    h = await startHarness({
      script: { endpointService: { statuses: ['AVAILABLE'] }, attempts: [{ statuses: ['AVAILABLE'] }] },
    });
    const created = await h.client.request(v2('/endpointService'), {
      method: 'POST',
      body: { providerName: 'GCP', region: 'us-central1' },
    });
    const { id } = (await created.json()) as { id: string };
    await h.client.request(v2(`/GCP/endpointService/${id}`));

    const registered = await h.client.request(v2(`/GCP/endpointService/${id}/endpoint`), {
      method: 'POST',
      body: {
        endpointGroupName: 'group-1',
        gcpProjectId: 'p-fdeeb3e43b8e733e5ab627b1',
        endpoints: [{ endpointName: 'ep-1', ipAddress: '10.1.0.5' }],
      },
    });
    const read = await h.client.request(v2(`/GCP/endpointService/${id}/endpoint/group-1`));

    expect(registered.status).toBe(200);
    expect(await read.json()).toEqual({
      cloudProvider: 'GCP',
      deleteRequested: false,
      endpointGroupName: 'group-1',
      endpoints: [{ endpointName: 'ep-1', ipAddress: '10.1.0.5', status: 'AVAILABLE' }],
      errorMessage: null,
      gcpProjectId: 'p-fdeeb3e43b8e733e5ab627b1',
      status: 'AVAILABLE',
    });
  });
});
