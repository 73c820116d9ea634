import { afterEach, describe, expect, it } from 'vitest';
import { AtlasScriptError, CLUSTERS_MEDIA_TYPE, validateAtlasScript } from '../../../local/atlas-emulator';
import type { AtlasScript } from '../../../local/atlas-emulator/script';
import { availableAwsService, GROUP, type Harness, startHarness, VPCE, VPCE_2, v2 } from './fixtures';

const CLUSTERS = `/api/atlas/v2/groups/${GROUP}/clusters`;
const accept2024 = { Accept: CLUSTERS_MEDIA_TYPE };

let harness: Harness | undefined;

afterEach(async () => {
  await harness?.atlas.close();
  harness = undefined;
});

async function given(script: AtlasScript): Promise<Harness> {
  harness = await startHarness({ script });
  return harness;
}

type Page = {
  results: {
    name: string;
    clusterType: string;
    replicationSpecs: { regionConfigs: { regionName: string }[] }[];
    connectionStrings: { privateEndpoint: { type: string; endpoints: { endpointId: string }[] }[] };
  }[];
  totalCount?: number;
  links: { rel: string; href: string }[];
};

async function listClusters(h: Harness, query = ''): Promise<Page> {
  const response = await h.client.request(`${CLUSTERS}${query}`, { headers: accept2024 });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe(CLUSTERS_MEDIA_TYPE);
  return (await response.json()) as Page;
}

/** Registers `vpce` with the region's service and reads it until AVAILABLE (the default script: 3 reads). */
async function availableEndpoint(h: Harness, serviceId: string, vpce: string): Promise<void> {
  await h.client.request(v2(`/AWS/endpointService/${serviceId}/endpoint`), {
    method: 'POST',
    body: { id: vpce },
  });
  for (let read = 0; read < 5; read += 1) {
    const response = await h.client.request(v2(`/AWS/endpointService/${serviceId}/endpoint/${vpce}`));
    if (((await response.json()) as { connectionStatus: string }).connectionStatus === 'AVAILABLE') return;
  }
  throw new Error(`${vpce} never became AVAILABLE`);
}

const endpointIdsOf = (page: Page, cluster: string) =>
  page.results
    .find((c) => c.name === cluster)
    ?.connectionStrings.privateEndpoint.flatMap((p) => p.endpoints.map((e) => e.endpointId)) ?? [];

describe('the clusters of the Atlas emulator', () => {
  it('answers a project without clusters with an empty page in the paging envelope', async () => {
    const h = await given({});

    const page = await listClusters(h);

    expect(page).toStrictEqual({
      links: [{ href: expect.stringContaining(`${CLUSTERS}?pageNum=1&itemsPerPage=100`), rel: 'self' }],
      results: [],
      totalCount: 0,
    });
  });

  it('pages the list with itemsPerPage and pageNum, linking previous and next pages', async () => {
    const names = ['c0', 'c1', 'c2', 'c3', 'c4'];
    const h = await given({ clusters: names.map((name) => ({ name, regions: ['US_EAST_1'] })) });

    const first = await listClusters(h, '?itemsPerPage=2');
    const middle = await listClusters(h, '?itemsPerPage=2&pageNum=2');
    const last = await listClusters(h, '?itemsPerPage=2&pageNum=3&includeCount=false');

    expect(first.results.map((c) => c.name)).toEqual(['c0', 'c1']);
    expect(first.totalCount).toBe(5);
    expect(first.links.map((l) => l.rel)).toEqual(['self', 'next']);
    expect(middle.results.map((c) => c.name)).toEqual(['c2', 'c3']);
    expect(middle.links.map((l) => l.rel)).toEqual(['previous', 'self', 'next']);
    expect(last.results.map((c) => c.name)).toEqual(['c4']);
    expect(last.links.map((l) => l.rel)).toEqual(['previous', 'self']);
    expect(last).not.toHaveProperty('totalCount');
  });

  it('refuses an itemsPerPage above 500 with 400 naming it', async () => {
    const h = await given({});

    const response = await h.client.request(`${CLUSTERS}?itemsPerPage=501`, { headers: accept2024 });

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      errorCode: 'INVALID_QUERY_PARAMETER',
      parameters: ['itemsPerPage'],
    });
  });

  it('serves clusters only in the 2024-08-05 schema: an older Accept gets 406', async () => {
    const h = await given({ clusters: [{ name: 'Cluster0', regions: ['US_EAST_1'] }] });

    const response = await h.client.request(CLUSTERS, {
      headers: { Accept: 'application/vnd.atlas.2023-01-01+json' },
    });

    expect(response.status).toBe(406);
    expect(((await response.json()) as { detail: string }).detail).toContain(CLUSTERS_MEDIA_TYPE);
  });

  it('describes a cluster by its regions and type, and answers an unknown name with 404', async () => {
    const h = await given({
      clusters: [{ name: 'Shards', regions: ['US_EAST_1', 'EU_WEST_1'], type: 'SHARDED' }],
    });

    const response = await h.client.request(`${CLUSTERS}/Shards`, { headers: accept2024 });
    const unknown = await h.client.request(`${CLUSTERS}/Nope`, { headers: accept2024 });

    const cluster = (await response.json()) as Page['results'][number];
    expect(cluster.clusterType).toBe('SHARDED');
    expect(cluster.replicationSpecs).toHaveLength(2);
    expect(cluster.replicationSpecs[0]?.regionConfigs.map((r) => r.regionName)).toEqual([
      'US_EAST_1',
      'EU_WEST_1',
    ]);
    expect(cluster.connectionStrings.privateEndpoint).toEqual([]);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ errorCode: 'CLUSTER_NOT_FOUND' });
  });

  it('lists an AVAILABLE endpoint in a single-region cluster only after stringsAfterReads reads', async () => {
    const h = await given({ clusters: [{ name: 'Cluster0', regions: ['US_EAST_1'], stringsAfterReads: 2 }] });
    const serviceId = await availableAwsService(h.client);

    const beforeAvailable = await listClusters(h);
    await availableEndpoint(h, serviceId, VPCE);
    const reads = [await listClusters(h), await listClusters(h), await listClusters(h)];

    expect(endpointIdsOf(beforeAvailable, 'Cluster0')).toEqual([]);
    expect(reads.map((page) => endpointIdsOf(page, 'Cluster0'))).toEqual([[], [], [VPCE]]);
    const entry = reads[2]?.results[0]?.connectionStrings.privateEndpoint[0] as Record<string, unknown>;
    expect(entry).toMatchObject({
      type: 'MONGOD',
      connectionString: expect.stringMatching(/^mongodb:\/\/cluster0-pl-0-us-east-1\./),
      srvConnectionString: expect.stringMatching(/^mongodb\+srv:\/\/cluster0-pl-0\./),
      endpoints: [{ endpointId: VPCE, providerName: 'AWS', region: 'US_EAST_1' }],
    });
  });

  it('gives a multi-region cluster no strings while a region has no AVAILABLE endpoint', async () => {
    const h = await given({ clusters: [{ name: 'Global', regions: ['US_EAST_1', 'EU_WEST_1'] }] });
    const serviceId = await availableAwsService(h.client);
    await availableEndpoint(h, serviceId, VPCE);

    const page = await listClusters(h);

    expect(endpointIdsOf(page, 'Global')).toEqual([]);
  });

  it('gives a multi-region cluster strings through one endpoint per region once each region has one', async () => {
    const h = await given({ clusters: [{ name: 'Global', regions: ['US_EAST_1', 'EU_WEST_1'] }] });
    const east = await availableAwsService(h.client);
    await availableEndpoint(h, east, VPCE);
    const created = await h.client.request(v2('/endpointService'), {
      method: 'POST',
      body: { providerName: 'AWS', region: 'eu-west-1' },
    });
    const west = ((await created.json()) as { id: string }).id;
    await h.client.request(v2(`/AWS/endpointService/${west}`));
    await h.client.request(v2(`/AWS/endpointService/${west}`));
    await availableEndpoint(h, west, VPCE_2);

    const page = await listClusters(h);

    expect(endpointIdsOf(page, 'Global')).toEqual([VPCE, VPCE_2]);
  });

  it('drops an endpoint from the strings once its deletion is requested', async () => {
    const h = await given({ clusters: [{ name: 'Cluster0', regions: ['US_EAST_1'], type: 'SHARDED' }] });
    const serviceId = await availableAwsService(h.client);
    await availableEndpoint(h, serviceId, VPCE);
    const before = await listClusters(h);

    await h.client.request(v2(`/AWS/endpointService/${serviceId}/endpoint/${VPCE}`), { method: 'DELETE' });
    const after = await listClusters(h);

    expect(before.results[0]?.connectionStrings.privateEndpoint[0]).toMatchObject({
      type: 'MONGOS',
      srvShardOptimizedConnectionString: expect.stringMatching(/^mongodb\+srv:\/\/cluster0-pl-0-lb\./),
    });
    expect(endpointIdsOf(after, 'Cluster0')).toEqual([]);
  });
});

describe('the clusters part of a script', () => {
  it.each([
    [{ clusters: [{ name: 'c', regions: [] }] }, 'script.clusters[0].regions'],
    [{ clusters: [{ name: 'c', regions: ['us-east-1'] }] }, 'script.clusters[0].regions[0]'],
    [{ clusters: [{ name: '-bad', regions: ['US_EAST_1'] }] }, 'script.clusters[0].name'],
    [
      {
        clusters: [
          { name: 'c', regions: ['US_EAST_1'] },
          { name: 'c', regions: ['US_EAST_1'] },
        ],
      },
      'script.clusters[1].name',
    ],
    [{ clusters: [{ name: 'c', regions: ['US_EAST_1'], type: 'GEOSHARDED' }] }, 'script.clusters[0].type'],
    [{ clusters: [{ name: 'c', regions: ['US_EAST_1'], stringsAfterReads: -1 }] }, 'stringsAfterReads'],
    [{ clusters: [{ name: 'c', regions: ['US_EAST_1'], size: 'M10' }] }, 'unknown field "size"'],
  ])('refuses %j, naming %s', (script, named) => {
    expect(() => validateAtlasScript(script)).toThrow(AtlasScriptError);
    expect(() => validateAtlasScript(script)).toThrow(named);
  });
});
