import { afterEach, describe, expect, it } from 'vitest';
import { fakeClock, GROUP, type Harness, startHarness, v1, v2 } from './fixtures';

let h: Harness;
afterEach(async () => {
  await h?.atlas.close();
});

describe.each([
  ['v2', v2, 'application/vnd.atlas.2023-01-01+json'],
  ['v1.0', v1, 'application/json'],
])('endpoint services over %s', (_version, path, mediaType) => {
  it('creates an AWS service that reads INITIATING with no name, then AVAILABLE with a vpce-svc name', async () => {
    h = await startHarness();

    const created = await h.client.request(path('/endpointService'), {
      method: 'POST',
      body: { providerName: 'AWS', region: 'us-east-1' },
    });
    const service = (await created.json()) as Record<string, unknown>;
    const first = await (await h.client.request(path(`/AWS/endpointService/${service.id}`))).json();
    const second = await (await h.client.request(path(`/AWS/endpointService/${service.id}`))).json();

    expect(created.status).toBe(200);
    expect(created.headers.get('content-type')).toBe(mediaType);
    expect(service).toEqual({
      cloudProvider: 'AWS',
      endpointServiceName: null,
      errorMessage: null,
      id: expect.stringMatching(/^[a-f0-9]{24}$/),
      interfaceEndpoints: [],
      regionName: 'US_EAST_1',
      status: 'INITIATING',
      supportedRemoteRegions: [],
    });
    expect(first).toMatchObject({ status: 'INITIATING', endpointServiceName: null });
    expect(second).toMatchObject({
      status: 'AVAILABLE',
      endpointServiceName: expect.stringMatching(/^com\.amazonaws\.vpce\.us-east-1\.vpce-svc-[0-9a-f]{17}$/),
    });
  });

  it('accepts the region in Atlas form and refuses a second service for the same provider and region', async () => {
    h = await startHarness();

    const first = await h.client.request(path('/endpointService'), {
      method: 'POST',
      body: { providerName: 'AWS', region: 'EU_WEST_1' },
    });
    const second = await h.client.request(path('/endpointService'), {
      method: 'POST',
      body: { providerName: 'AWS', region: 'eu-west-1' },
    });

    expect(((await first.json()) as { regionName: string }).regionName).toBe('EU_WEST_1');
    expect(second.status).toBe(409);
    expect(second.headers.get('content-type')).toBe('application/json');
    expect(await second.json()).toEqual({
      detail: 'A private endpoint service already exists for AWS region EU_WEST_1.',
      error: 409,
      errorCode: 'PRIVATE_ENDPOINT_SERVICE_ALREADY_EXISTS_FOR_REGION',
      parameters: ['AWS', 'EU_WEST_1'],
      reason: 'Conflict',
    });
  });

  it('lists the services of one provider as a bare array', async () => {
    h = await startHarness();
    await h.client.request(path('/endpointService'), {
      method: 'POST',
      body: { providerName: 'AWS', region: 'us-east-1' },
    });
    await h.client.request(path('/endpointService'), {
      method: 'POST',
      body: { providerName: 'AWS', region: 'us-west-2' },
    });
    await h.client.request(path('/endpointService'), {
      method: 'POST',
      body: { providerName: 'AZURE', region: 'eastus2' },
    });

    const aws = await h.client.request(path('/AWS/endpointService'));
    const azure = await h.client.request(path('/AZURE/endpointService'));
    const gcp = await h.client.request(path('/GCP/endpointService'));

    const awsList = (await aws.json()) as { regionName: string }[];
    expect(aws.status).toBe(200);
    expect(awsList.map((s) => s.regionName).sort()).toEqual(['US_EAST_1', 'US_WEST_2']);
    expect(await azure.json()).toEqual([
      expect.objectContaining({ cloudProvider: 'AZURE', regionName: 'EASTUS2' }),
    ]);
    expect(await gcp.json()).toEqual([]);
  });

  it('deletes a service: 204, DELETING for deletingPolls reads, then 404', async () => {
    h = await startHarness({ script: { deletingPolls: 1 } });
    const created = await h.client.request(path('/endpointService'), {
      method: 'POST',
      body: { providerName: 'AWS', region: 'us-east-1' },
    });
    const { id } = (await created.json()) as { id: string };

    const deleted = await h.client.request(path(`/AWS/endpointService/${id}`), { method: 'DELETE' });
    const deleting = await h.client.request(path(`/AWS/endpointService/${id}`));
    const gone = await h.client.request(path(`/AWS/endpointService/${id}`));

    expect(deleted.status).toBe(204);
    expect(await deleted.text()).toBe('');
    expect(((await deleting.json()) as { status: string }).status).toBe('DELETING');
    expect(gone.status).toBe(404);
    expect(await gone.json()).toMatchObject({ errorCode: 'PRIVATE_ENDPOINT_SERVICE_NOT_FOUND', error: 404 });
  });
});

describe('endpoint services', () => {
  it('answers 404 for a service id it never issued, or asked under another provider', async () => {
    h = await startHarness();
    const created = await h.client.request(v2('/endpointService'), {
      method: 'POST',
      body: { providerName: 'AWS', region: 'us-east-1' },
    });
    const { id } = (await created.json()) as { id: string };

    const unknown = await h.client.request(v2('/AWS/endpointService/0123456789abcdef01234567'));
    const otherProvider = await h.client.request(v2(`/AZURE/endpointService/${id}`));

    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { errorCode: string }).errorCode).toBe(
      'PRIVATE_ENDPOINT_SERVICE_NOT_FOUND',
    );
    expect(otherProvider.status).toBe(404);
  });

  it('follows a scripted status sequence, the last status repeating', async () => {
    h = await startHarness({
      script: {
        endpointService: {
          statuses: ['INITIATING', 'WAITING_FOR_USER', { status: 'FAILED', errorMessage: 'no capacity' }],
        },
      },
    });
    const { id } = (await (
      await h.client.request(v2('/endpointService'), {
        method: 'POST',
        body: { providerName: 'AWS', region: 'us-east-1' },
      })
    ).json()) as { id: string };

    const reads: unknown[] = [];
    for (let i = 0; i < 4; i += 1)
      reads.push(await (await h.client.request(v2(`/AWS/endpointService/${id}`))).json());

    expect(reads.map((r) => (r as { status: string }).status)).toEqual([
      'INITIATING',
      'WAITING_FOR_USER',
      'FAILED',
      'FAILED',
    ]);
    expect(reads[3]).toMatchObject({ errorMessage: 'no capacity', endpointServiceName: null });
  });

  it('follows a service timeline by the emulator clock', async () => {
    const clock = fakeClock();
    h = await startHarness({
      clock,
      script: {
        endpointService: {
          timeline: [
            { atSeconds: 0, status: 'INITIATING' },
            { atSeconds: 90, status: 'AVAILABLE' },
          ],
        },
      },
    });
    const { id } = (await (
      await h.client.request(v2('/endpointService'), {
        method: 'POST',
        body: { providerName: 'AWS', region: 'us-east-1' },
      })
    ).json()) as { id: string };

    const early = await (await h.client.request(v2(`/AWS/endpointService/${id}`))).json();
    clock.advance(90_000);
    const later = await (await h.client.request(v2(`/AWS/endpointService/${id}`))).json();

    expect(early).toMatchObject({ status: 'INITIATING' });
    expect(later).toMatchObject({ status: 'AVAILABLE' });
  });

  it('creates Azure and GCP services with their provider-specific fields', async () => {
    h = await startHarness({ script: { endpointService: { statuses: ['AVAILABLE'] } } });
    const azure = (await (
      await h.client.request(v2('/endpointService'), {
        method: 'POST',
        body: { providerName: 'AZURE', region: 'eastus2' },
      })
    ).json()) as { id: string };
    const gcp = (await (
      await h.client.request(v2('/endpointService'), {
        method: 'POST',
        body: { providerName: 'GCP', region: 'us-central1' },
      })
    ).json()) as { id: string };

    const azureRead = await (await h.client.request(v2(`/AZURE/endpointService/${azure.id}`))).json();
    const gcpRead = await (await h.client.request(v2(`/GCP/endpointService/${gcp.id}`))).json();

    expect(azureRead).toMatchObject({
      cloudProvider: 'AZURE',
      privateEndpoints: [],
      privateLinkServiceName: expect.stringMatching(/^pls_[0-9a-f]{24}$/),
      status: 'AVAILABLE',
    });
    expect(gcpRead).toMatchObject({
      cloudProvider: 'GCP',
      endpointGroupNames: [],
      serviceAttachmentNames: expect.arrayContaining([expect.stringContaining('/serviceAttachments/')]),
    });
  });

  it('fails with 400 on a bad provider, a bad region, or a missing attribute', async () => {
    h = await startHarness();

    const badProvider = await h.client.request(v2('/endpointService'), {
      method: 'POST',
      body: { providerName: 'ORACLE', region: 'us-east-1' },
    });
    const badRegion = await h.client.request(v2('/endpointService'), {
      method: 'POST',
      body: { providerName: 'AWS', region: 'mars-north-1x' },
    });
    const missing = await h.client.request(v2('/endpointService'), {
      method: 'POST',
      body: { providerName: 'AWS' },
    });

    expect([badProvider.status, badRegion.status, missing.status]).toEqual([400, 400, 400]);
    expect(((await badProvider.json()) as { errorCode: string }).errorCode).toBe('VALIDATION_ERROR');
    expect(((await badRegion.json()) as { errorCode: string }).errorCode).toBe('INVALID_REGION');
    expect(await missing.json()).toMatchObject({ errorCode: 'MISSING_ATTRIBUTE', parameters: ['region'] });
  });

  it('keeps services per project', async () => {
    h = await startHarness();
    const other = '0123456789abcdef01234567';
    await h.client.request(v2('/endpointService'), {
      method: 'POST',
      body: { providerName: 'AWS', region: 'us-east-1' },
    });
    const otherProject = await h.client.request(
      `/api/atlas/v2/groups/${other}/privateEndpoint/endpointService`,
      {
        method: 'POST',
        body: { providerName: 'AWS', region: 'us-east-1' },
      },
    );

    expect(otherProject.status).toBe(200);
    expect(h.atlas.services(GROUP)).toHaveLength(1);
    expect(h.atlas.services(other)).toHaveLength(1);
    expect(h.atlas.services()).toHaveLength(2);
  });

  it('answers 404 GROUP_NOT_FOUND for a project outside the projects option', async () => {
    h = await startHarness({ projects: [GROUP] });

    const known = await h.client.request(v2('/AWS/endpointService'));
    const unknown = await h.client.request(
      '/api/atlas/v2/groups/0123456789abcdef01234567/privateEndpoint/AWS/endpointService',
    );

    expect(known.status).toBe(200);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { errorCode: string }).errorCode).toBe('GROUP_NOT_FOUND');
  });
});
