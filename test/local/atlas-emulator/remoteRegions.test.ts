/**
 * Cross-region PrivateLink in the Atlas emulator: `supportedRemoteRegions` on an AWS service's creation and
 * the `PATCH …/privateEndpoint/endpointService/{id}` that replaces them, validated as the spec and Atlas do
 * (AWS only, at most 35, regions in Atlas's form, never the service's own), and what the AWS side may use.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { availableAwsService, GROUP, type Harness, startHarness, v1, v2 } from './fixtures';

let h: Harness;
afterEach(async () => {
  await h?.atlas.close();
});

const service = (id: string) => v2(`/endpointService/${id}`);
const read = async (id: string) =>
  (await (await h.client.request(v2(`/AWS/endpointService/${id}`))).json()) as Record<string, unknown>;
const patch = (id: string, body: unknown) => h.client.request(service(id), { method: 'PATCH', body });
const errorCodeOf = async (response: Response) =>
  ((await response.json()) as { errorCode: string }).errorCode;

describe('supportedRemoteRegions on creation', () => {
  it('keeps the regions of a new AWS service and shows them on every read', async () => {
    h = await startHarness();

    const created = await h.client.request(v2('/endpointService'), {
      method: 'POST',
      body: {
        providerName: 'AWS',
        region: 'eu-west-1',
        supportedRemoteRegions: ['US_EAST_1', 'AP_SOUTHEAST_2'],
      },
    });
    const body = (await created.json()) as { id: string };

    expect(created.status).toBe(200);
    expect(body).toMatchObject({
      regionName: 'EU_WEST_1',
      supportedRemoteRegions: ['US_EAST_1', 'AP_SOUTHEAST_2'],
    });
    expect(await read(body.id)).toMatchObject({ supportedRemoteRegions: ['US_EAST_1', 'AP_SOUTHEAST_2'] });
    expect(h.atlas.services(GROUP)[0]?.supportedRemoteRegions).toEqual(['US_EAST_1', 'AP_SOUTHEAST_2']);
  });

  it.each([
    [
      'another provider than AWS',
      { providerName: 'AZURE', region: 'eastus2', supportedRemoteRegions: ['US_EAST_1'] },
      'PROVIDER_UNSUPPORTED',
    ],
    [
      'a region in AWS form',
      { providerName: 'AWS', region: 'eu-west-1', supportedRemoteRegions: ['us-east-1'] },
      'INVALID_ATTRIBUTE',
    ],
    [
      "the service's own region",
      { providerName: 'AWS', region: 'eu-west-1', supportedRemoteRegions: ['EU_WEST_1'] },
      'CROSS_REGION_PRIVATE_LINK_SELF_REGION',
    ],
    [
      '36 regions',
      {
        providerName: 'AWS',
        region: 'eu-west-1',
        supportedRemoteRegions: Array.from({ length: 36 }, (_, i) => `US_EAST_${i}`),
      },
      'INVALID_ATTRIBUTE',
    ],
  ])('refuses %s with 400 %s, creating nothing', async (_what, body, errorCode) => {
    h = await startHarness();

    const response = await h.client.request(v2('/endpointService'), { method: 'POST', body });

    expect(response.status).toBe(400);
    expect(await errorCodeOf(response)).toBe(errorCode);
    expect(h.atlas.services(GROUP)).toEqual([]);
  });
});

describe('PATCH …/endpointService/{id}', () => {
  it('replaces the remote regions, reads INITIATING then AVAILABLE, and lets EC2 use a new region only then', async () => {
    h = await startHarness();
    const id = await availableAwsService(h.client);
    const name = h.atlas.services(GROUP)[0]?.endpointServiceName as string;

    const response = await patch(id, { cloudProvider: 'AWS', supportedRemoteRegions: ['EU_WEST_1'] });
    const answer = (await response.json()) as Record<string, unknown>;
    const usableWhileUpdating = h.atlas.atlasSide.findServiceByName(name)?.remoteRegions;
    const next = await read(id);

    expect(response.status).toBe(200);
    expect(answer).toMatchObject({ id, status: 'INITIATING', supportedRemoteRegions: ['EU_WEST_1'] });
    // A service being updated keeps its AWS name.
    expect(answer.endpointServiceName).toBe(name);
    expect(usableWhileUpdating).toEqual([]);
    expect(next).toMatchObject({ status: 'AVAILABLE', supportedRemoteRegions: ['EU_WEST_1'] });
    expect(h.atlas.atlasSide.findServiceByName(name)?.remoteRegions).toEqual(['eu-west-1']);
    expect(h.atlas.services(GROUP)[0]?.updates).toBe(1);
  });

  it('follows the afterUpdate script, keeping the regions it had usable while a new one is added', async () => {
    h = await startHarness({
      script: { endpointService: { afterUpdate: ['INITIATING', 'INITIATING', 'WAITING_FOR_USER'] } },
    });
    const created = await h.client.request(v2('/endpointService'), {
      method: 'POST',
      body: { providerName: 'AWS', region: 'us-east-1', supportedRemoteRegions: ['EU_WEST_1'] },
    });
    const { id } = (await created.json()) as { id: string };
    await read(id);
    await read(id);
    const name = h.atlas.services(GROUP)[0]?.endpointServiceName as string;

    await patch(id, { cloudProvider: 'AWS', supportedRemoteRegions: ['EU_WEST_1', 'EU_CENTRAL_1'] });
    const usable = h.atlas.atlasSide.findServiceByName(name)?.remoteRegions;
    const statuses = [(await read(id)).status, (await read(id)).status];

    expect(usable).toEqual(['eu-west-1']);
    expect(statuses).toEqual(['INITIATING', 'WAITING_FOR_USER']);
    expect(h.atlas.atlasSide.findServiceByName(name)?.remoteRegions).toEqual(['eu-west-1', 'eu-central-1']);
  });

  it('changes nothing for the list the service already has', async () => {
    h = await startHarness();
    const id = await availableAwsService(h.client);
    await patch(id, { cloudProvider: 'AWS', supportedRemoteRegions: ['EU_WEST_1'] });
    await read(id);

    const again = await patch(id, { cloudProvider: 'AWS', supportedRemoteRegions: ['EU_WEST_1'] });

    expect(await again.json()).toMatchObject({ status: 'AVAILABLE', supportedRemoteRegions: ['EU_WEST_1'] });
    expect(h.atlas.services(GROUP)[0]?.updates).toBe(1);
  });

  it('removes every remote region for an empty list or null', async () => {
    h = await startHarness({ script: { endpointService: { afterUpdate: ['AVAILABLE'] } } });
    const id = await availableAwsService(h.client);
    await patch(id, { cloudProvider: 'AWS', supportedRemoteRegions: ['EU_WEST_1'] });

    const emptied = await patch(id, { cloudProvider: 'AWS', supportedRemoteRegions: [] });
    await patch(id, { cloudProvider: 'AWS', supportedRemoteRegions: ['EU_WEST_1'] });
    const nulled = await patch(id, { cloudProvider: 'AWS', supportedRemoteRegions: null });

    expect(await emptied.json()).toMatchObject({ supportedRemoteRegions: [] });
    expect(await nulled.json()).toMatchObject({ supportedRemoteRegions: [] });
  });

  it.each([
    [
      'cloudProvider AZURE',
      { cloudProvider: 'AZURE', supportedRemoteRegions: ['EU_WEST_1'] },
      'PROVIDER_UNSUPPORTED',
    ],
    ['no cloudProvider', { supportedRemoteRegions: ['EU_WEST_1'] }, 'MISSING_ATTRIBUTE'],
    [
      'a region in AWS form',
      { cloudProvider: 'AWS', supportedRemoteRegions: ['eu-west-1'] },
      'INVALID_ATTRIBUTE',
    ],
    [
      'a list that is not an array',
      { cloudProvider: 'AWS', supportedRemoteRegions: 'EU_WEST_1' },
      'INVALID_ATTRIBUTE',
    ],
    [
      '36 regions',
      { cloudProvider: 'AWS', supportedRemoteRegions: Array.from({ length: 36 }, (_, i) => `EU_WEST_${i}`) },
      'INVALID_ATTRIBUTE',
    ],
    [
      "the service's own region",
      { cloudProvider: 'AWS', supportedRemoteRegions: ['US_EAST_1'] },
      'CROSS_REGION_PRIVATE_LINK_SELF_REGION',
    ],
  ])('refuses %s with 400 %s, changing nothing', async (_what, body, errorCode) => {
    h = await startHarness();
    const id = await availableAwsService(h.client);

    const response = await patch(id, body);

    expect(response.status).toBe(400);
    expect(await errorCodeOf(response)).toBe(errorCode);
    expect(h.atlas.services(GROUP)[0]).toMatchObject({ supportedRemoteRegions: [], updates: 0 });
  });

  it('answers 409 while the service is INITIATING, and 404 for an id it never issued', async () => {
    h = await startHarness();
    const created = await h.client.request(v2('/endpointService'), {
      method: 'POST',
      body: { providerName: 'AWS', region: 'us-east-1' },
    });
    const { id } = (await created.json()) as { id: string };

    const initiating = await patch(id, { cloudProvider: 'AWS', supportedRemoteRegions: ['EU_WEST_1'] });
    const unknown = await patch('0123456789abcdef01234567', {
      cloudProvider: 'AWS',
      supportedRemoteRegions: [],
    });

    expect(initiating.status).toBe(409);
    expect(await errorCodeOf(initiating)).toBe('PRIVATE_ENDPOINT_SERVICE_NOT_READY');
    expect(unknown.status).toBe(404);
  });

  it('is not part of API v1.0', async () => {
    h = await startHarness();
    const id = await availableAwsService(h.client, v1);

    const response = await h.client.request(v1(`/endpointService/${id}`), {
      method: 'PATCH',
      body: { cloudProvider: 'AWS', supportedRemoteRegions: ['EU_WEST_1'] },
    });

    expect(response.status).toBe(404);
  });
});
