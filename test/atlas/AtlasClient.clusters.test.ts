/**
 * `AtlasClient.listClusters`: every page of `GET /groups/{groupId}/clusters` in the 2024-08-05 schema,
 * against a loopback server where the wire is the point and against the Atlas emulator end to end.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AtlasClient, type AtlasClientOptions } from '../../lambdas/atlas/AtlasClient';
import {
  AtlasNotFoundError,
  AtlasResponseError,
  AtlasServerError,
  InvalidRequestError,
} from '../../lambdas/errors';
import {
  type AtlasEmulator,
  DEMO_API_KEY,
  DEMO_GROUP_ID,
  startAtlasEmulator,
} from '../../local/atlas-emulator';
import {
  apiError,
  GROUP_ID,
  type LoopbackServer,
  type ReceivedRequest,
  type Route,
  sendJson,
  startLoopbackServer,
} from './loopbackServer';

const API_KEY = { publicKey: 'pubkeyab', privateKey: '00000000-1111-2222-3333-444444444444' };
const MEDIA_TYPE = 'application/vnd.atlas.2024-08-05+json';

let server: LoopbackServer | undefined;
let atlas: AtlasEmulator | undefined;
const clients: AtlasClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await server?.close();
  await atlas?.close();
  server = undefined;
  atlas = undefined;
});

async function given(route: Route, options: Partial<AtlasClientOptions> = {}) {
  server = await startLoopbackServer(route);
  const client = new AtlasClient({
    credentials: API_KEY,
    baseUrl: server.url,
    sleep: async () => {},
    ...options,
  });
  clients.push(client);
  return { client, server };
}

const cluster = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  clusterType: 'REPLICASET',
  stateName: 'IDLE',
  replicationSpecs: [{ regionConfigs: [{ providerName: 'AWS', regionName: 'US_EAST_1' }] }],
  connectionStrings: { privateEndpoint: [] },
  ...extra,
});

const query = (request: ReceivedRequest) => new URL(request.url, 'http://x').searchParams;

describe('AtlasClient.listClusters', () => {
  it('reads every page, asking for 500 at a time in the 2024-08-05 media type', async () => {
    const pages = [
      { results: [cluster('a'), cluster('b')], totalCount: 3, links: [{ rel: 'next', href: 'x' }] },
      { results: [cluster('c')], totalCount: 3, links: [] },
    ];
    const { client, server } = await given((request, response) =>
      sendJson(response, 200, pages[Number(query(request).get('pageNum')) - 1], {
        'content-type': MEDIA_TYPE,
      }),
    );

    const clusters = await client.listClusters(GROUP_ID);

    expect(clusters.map((c) => c.name)).toEqual(['a', 'b', 'c']);
    expect(server.requests.map((r) => new URL(r.url, 'http://x').pathname)).toEqual([
      `/api/atlas/v2/groups/${GROUP_ID}/clusters`,
      `/api/atlas/v2/groups/${GROUP_ID}/clusters`,
    ]);
    expect(server.requests.map((r) => query(r).get('pageNum'))).toEqual(['1', '2']);
    expect(server.requests.every((r) => query(r).get('itemsPerPage') === '500')).toBe(true);
    expect(server.requests.every((r) => r.headers.accept === MEDIA_TYPE)).toBe(true);
  });

  it('reads the clusters in v2 even when the client speaks v1.0 for private endpoints', async () => {
    const { client, server } = await given((_request, response) => sendJson(response, 200, { results: [] }), {
      apiVersion: 'v1.0',
    });

    await client.listClusters(GROUP_ID);

    expect(server.requests[0]?.url).toMatch(new RegExp(`^/api/atlas/v2/groups/${GROUP_ID}/clusters\\?`));
    expect(server.requests[0]?.headers.accept).toBe(MEDIA_TYPE);
  });

  it('stops at a short page when Atlas leaves out totalCount and links', async () => {
    const { client, server } = await given((_request, response) =>
      sendJson(response, 200, { results: [cluster('a')] }),
    );

    const clusters = await client.listClusters(GROUP_ID, { itemsPerPage: 2 });

    expect(clusters.map((c) => c.name)).toEqual(['a']);
    expect(server.requests).toHaveLength(1);
  });

  it('counts a cluster once when the list shifts between pages', async () => {
    const pages = [
      { results: [cluster('a'), cluster('b')], totalCount: 3 },
      { results: [cluster('b'), cluster('c')], totalCount: 3 },
    ];
    const { client } = await given((request, response) =>
      sendJson(response, 200, pages[Number(query(request).get('pageNum')) - 1] ?? { results: [] }),
    );

    const clusters = await client.listClusters(GROUP_ID, { itemsPerPage: 2 });

    expect(clusters.map((c) => c.name)).toEqual(['a', 'b', 'c']);
  });

  it.each([
    ['a body without results', { clusters: [] }, 'a page of clusters'],
    ['a cluster without a name', { results: [{ clusterType: 'REPLICASET' }] }, 'without a string name'],
    [
      'a privateEndpoint that is not an array',
      { results: [cluster('a', { connectionStrings: { privateEndpoint: 'mongodb://x' } })] },
      'privateEndpoint is not an array',
    ],
    [
      'a connection string that is not a string',
      { results: [cluster('a', { connectionStrings: { privateEndpoint: [{ srvConnectionString: 7 }] } })] },
      'srvConnectionString that is not a string',
    ],
    ['a negative totalCount', { results: [], totalCount: -1 }, 'totalCount'],
  ])('fails with AtlasResponseError on %s', async (_title, body, message) => {
    const { client } = await given((_request, response) => sendJson(response, 200, body));

    const failure = client.listClusters(GROUP_ID);

    await expect(failure).rejects.toBeInstanceOf(AtlasResponseError);
    await expect(failure).rejects.toThrow(message);
  });

  it('fails with AtlasNotFoundError for an unknown project, naming the path without its query', async () => {
    const { client } = await given((_request, response) =>
      sendJson(response, 404, apiError(404, 'GROUP_NOT_FOUND')),
    );

    const failure = client.listClusters(GROUP_ID);

    await expect(failure).rejects.toBeInstanceOf(AtlasNotFoundError);
    await expect(failure).rejects.toThrow(`GET /api/atlas/v2/groups/${GROUP_ID}/clusters)`);
  });

  it('retries a 5xx, as for every read, then fails typed', async () => {
    const { client, server } = await given((_request, response) =>
      sendJson(response, 503, apiError(503, 'SERVICE_UNAVAILABLE')),
    );

    await expect(client.listClusters(GROUP_ID)).rejects.toBeInstanceOf(AtlasServerError);
    expect(server.requests.length).toBeGreaterThan(1);
  });

  it('refuses a bad groupId or itemsPerPage before sending anything', async () => {
    const { client, server } = await given((_request, response) => sendJson(response, 200, { results: [] }));

    await expect(client.listClusters('not-a-group')).rejects.toThrow(InvalidRequestError);
    await expect(client.listClusters(GROUP_ID, { itemsPerPage: 501 })).rejects.toThrow('itemsPerPage');
    expect(server.requests).toHaveLength(0);
  });

  it('reads the Atlas emulator’s clusters across pages, over Digest', async () => {
    atlas = await startAtlasEmulator({
      script: { clusters: ['c0', 'c1', 'c2'].map((name) => ({ name, regions: ['US_EAST_1'] })) },
    });
    const client = new AtlasClient({ credentials: DEMO_API_KEY, baseUrl: atlas.url });
    clients.push(client);

    const clusters = await client.listClusters(DEMO_GROUP_ID, { itemsPerPage: 2 });

    expect(clusters.map((c) => c.name)).toEqual(['c0', 'c1', 'c2']);
    expect(atlas.requestLog.filter((r) => r.status === 200)).toHaveLength(2);
  });
});
