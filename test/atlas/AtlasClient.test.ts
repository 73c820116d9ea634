import { afterEach, describe, expect, it } from 'vitest';
import { AtlasClient, type AtlasClientOptions } from '../../lambdas/atlas/AtlasClient';
import { REQUEST_TIMEOUT_CODE } from '../../lambdas/atlas/exchange';
import {
  AtlasApiError,
  AtlasAuthError,
  AtlasBadRequestError,
  AtlasConflictError,
  AtlasNetworkError,
  AtlasNotFoundError,
  AtlasRateLimitedError,
  AtlasResponseError,
  AtlasServerError,
  InvalidRequestError,
} from '../../lambdas/errors';
import {
  AZURE_ID,
  apiError,
  awsEndpoint,
  awsService,
  GROUP_ID,
  type LoopbackServer,
  type Route,
  SERVICE_ID,
  sendJson,
  startLoopbackServer,
  VPCE_ID,
} from './loopbackServer';

const API_KEY = { publicKey: 'pubkeyab', privateKey: '00000000-1111-2222-3333-444444444444' };

let server: LoopbackServer | undefined;
const clients: AtlasClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await server?.close();
  server = undefined;
});

/** A client of a loopback server answering with `route`; waits are recorded, not slept. */
async function given(route: Route, options: Partial<AtlasClientOptions> = {}) {
  server = await startLoopbackServer(route);
  const sleeps: number[] = [];
  const client = new AtlasClient({
    credentials: API_KEY,
    baseUrl: server.url,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    ...options,
  });
  clients.push(client);
  return { client, server, sleeps };
}

/** Answers with each of `answers` in turn, the last one repeating. */
function sequence(...answers: Route[]): Route {
  let next = 0;
  return (request, response) => answers[Math.min(next++, answers.length - 1)]!(request, response);
}

const ok =
  (body: unknown): Route =>
  (_request, response) =>
    sendJson(response, 200, body);

const fail =
  (status: number, errorCode: string, headers: Record<string, string> = {}): Route =>
  (_request, response) =>
    sendJson(response, status, apiError(status, errorCode), headers);

const endpointPath = `/api/atlas/v2/groups/${GROUP_ID}/privateEndpoint/AWS/endpointService/${SERVICE_ID}/endpoint/${VPCE_ID}`;

describe('AtlasClient requests', () => {
  it('speaks v2: versioned path, Accept and Content-Type', async () => {
    const { client, server } = await given(ok(awsService('INITIATING')));

    await client.createEndpointService(GROUP_ID, { providerName: 'AWS', region: 'us-east-1' });

    const [request] = server.requests;
    expect(request?.method).toBe('POST');
    expect(request?.url).toBe(`/api/atlas/v2/groups/${GROUP_ID}/privateEndpoint/endpointService`);
    expect(request?.headers['accept']).toBe('application/vnd.atlas.2023-01-01+json');
    expect(request?.headers['content-type']).toBe('application/vnd.atlas.2023-01-01+json');
    expect(JSON.parse(request?.body ?? '')).toEqual({ providerName: 'AWS', region: 'us-east-1' });
  });

  it('speaks v1.0 as the reference page shows: plain application/json', async () => {
    const { client, server } = await given(ok(awsEndpoint()), { apiVersion: 'v1.0' });

    await client.createEndpoint(GROUP_ID, 'AWS', SERVICE_ID, { id: VPCE_ID });

    const [request] = server.requests;
    expect(request?.url).toBe(
      `/api/atlas/v1.0/groups/${GROUP_ID}/privateEndpoint/AWS/endpointService/${SERVICE_ID}/endpoint`,
    );
    expect(request?.headers['accept']).toBe('application/json');
    expect(request?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request?.body ?? '')).toEqual({ id: VPCE_ID });
  });

  it('sends an Azure endpoint id URL-encoded as one path segment', async () => {
    const azureEndpoint = {
      cloudProvider: 'AZURE',
      privateEndpointResourceId: AZURE_ID,
      status: 'AVAILABLE',
    };
    const { client, server } = await given(ok(azureEndpoint));

    const endpoint = await client.getEndpoint(GROUP_ID, 'AZURE', SERVICE_ID, AZURE_ID);

    expect(endpoint.privateEndpointResourceId).toBe(AZURE_ID);
    const sent = server.requests[0]?.url ?? '';
    expect(sent.split('/').at(-1)).toBe(encodeURIComponent(AZURE_ID));
    expect(sent).toContain('/endpoint/%2Fsubscriptions%2F');
  });

  it('sends a user agent', async () => {
    const { client, server } = await given(ok([]), { userAgent: 'tests/1.0' });

    await client.listEndpointServices(GROUP_ID, 'AWS');

    expect(server.requests[0]?.headers['user-agent']).toBe('tests/1.0');
  });
});

describe('AtlasClient error mapping', () => {
  it.each([
    [400, AtlasBadRequestError, 'PATH_PARAM_PARSE_ERROR'],
    [401, AtlasAuthError, 'NOT_ORG_GROUP_CREATOR'],
    [403, AtlasAuthError, 'FORBIDDEN'],
    [404, AtlasNotFoundError, 'RESOURCE_NOT_FOUND'],
    [409, AtlasConflictError, 'PRIVATE_ENDPOINT_SERVICE_ALREADY_EXISTS_FOR_REGION'],
    [429, AtlasRateLimitedError, 'RATE_LIMITED'],
    [500, AtlasServerError, 'UNEXPECTED_ERROR'],
    [503, AtlasServerError, 'SERVICE_UNAVAILABLE'],
    [402, AtlasApiError, 'PAYMENT_REQUIRED'],
  ])(
    'fails with the typed error of a %i, carrying Atlas details and the request',
    async (status, type, code) => {
      const { client } = await given(fail(status, code), { retry: { maxAttempts: 1 } });

      const error = await client
        .createEndpointService(GROUP_ID, { providerName: 'AWS', region: 'us-east-1' })
        .catch((e) => e);

      expect(error).toBeInstanceOf(type);
      expect(error).toMatchObject({
        status,
        errorCode: code,
        detail: `detail of ${code}`,
        request: `POST /api/atlas/v2/groups/${GROUP_ID}/privateEndpoint/endpointService`,
      });
      expect(error.message).toContain(code);
      expect(error.message).not.toContain(API_KEY.privateKey);
    },
  );

  it('types an error whose body is not JSON by its status alone', async () => {
    const { client } = await given((_request, response) => {
      response.writeHead(502, { 'content-type': 'text/html' });
      response.end('<html>Bad Gateway</html>');
    });

    const error = await client.createEndpoint(GROUP_ID, 'AWS', SERVICE_ID, { id: VPCE_ID }).catch((e) => e);

    expect(error).toBeInstanceOf(AtlasServerError);
    expect(error).toMatchObject({ status: 502, errorCode: undefined });
  });

  it('types an oversized error body by its status alone', async () => {
    const { client } = await given((_request, response) => {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ ...apiError(404, 'RESOURCE_NOT_FOUND'), padding: 'x'.repeat(500_000) }));
    });

    const error = await client.getEndpoint(GROUP_ID, 'AWS', SERVICE_ID, VPCE_ID).catch((e) => e);

    expect(error).toBeInstanceOf(AtlasNotFoundError);
    expect(error.request).toBe(`GET ${endpointPath}`);
  });

  it('reads Retry-After onto a 429 that it cannot wait for', async () => {
    const { client, server } = await given(fail(429, 'RATE_LIMITED', { 'retry-after': '60' }));

    const error = await client.getEndpoint(GROUP_ID, 'AWS', SERVICE_ID, VPCE_ID).catch((e) => e);

    expect(error).toBeInstanceOf(AtlasRateLimitedError);
    expect(error.retryAfterSeconds).toBe(60);
    expect(server.requests).toHaveLength(1);
  });
});

describe('AtlasClient retries', () => {
  it('waits Retry-After on a 429, then succeeds', async () => {
    const { client, server, sleeps } = await given(
      sequence(fail(429, 'RATE_LIMITED', { 'retry-after': '2' }), ok(awsEndpoint('AVAILABLE'))),
      { random: () => 0 },
    );

    const endpoint = await client.getEndpoint(GROUP_ID, 'AWS', SERVICE_ID, VPCE_ID);

    expect(endpoint.connectionStatus).toBe('AVAILABLE');
    expect(sleeps).toEqual([2_000]);
    expect(server.requests).toHaveLength(2);
  });

  it('adds up to one more Retry-After at random, so callers turned away together come back spread out', async () => {
    const { client, sleeps } = await given(
      sequence(fail(429, 'RATE_LIMITED', { 'retry-after': '2' }), ok(awsEndpoint('AVAILABLE'))),
      { random: () => 0.999 },
    );

    await client.getEndpoint(GROUP_ID, 'AWS', SERVICE_ID, VPCE_ID);

    expect(sleeps).toEqual([3_998]);
  });

  it('honours Retry-After given as an HTTP-date', async () => {
    const now = Date.parse('2026-03-01T10:00:00Z');
    const { client, sleeps } = await given(
      sequence(fail(429, 'RATE_LIMITED', { 'retry-after': 'Sun, 01 Mar 2026 10:00:03 GMT' }), ok([])),
      { now: () => now, random: () => 0 },
    );

    await client.listEndpointServices(GROUP_ID, 'AWS');

    expect(sleeps).toEqual([3_000]);
  });

  it('backs off with jitter on a 429 without Retry-After', async () => {
    const { client, sleeps } = await given(
      sequence(fail(429, 'RATE_LIMITED'), fail(429, 'RATE_LIMITED'), ok(awsService())),
      { retry: { baseDelayMs: 100, rateLimitedAttempts: 3 } },
    );

    await client.getEndpointService(GROUP_ID, 'AWS', SERVICE_ID);

    expect(sleeps).toEqual([50, 100]);
  });

  it('tries a call at most rateLimitedAttempts times while Atlas answers 429, leaving longer waits to the caller', async () => {
    const { client, server } = await given(fail(429, 'RATE_LIMITED', { 'retry-after': '1' }));

    const error = await client.getEndpoint(GROUP_ID, 'AWS', SERVICE_ID, VPCE_ID).catch((e) => e);

    expect(error).toBeInstanceOf(AtlasRateLimitedError);
    expect(error.retryAfterSeconds).toBe(1);
    expect(server.requests).toHaveLength(2);
  });

  it('sends a 429 straight back with rateLimitedAttempts: 1, as the workflow functions do', async () => {
    const { client, server, sleeps } = await given(fail(429, 'RATE_LIMITED', { 'retry-after': '1' }), {
      retry: { rateLimitedAttempts: 1 },
    });

    await expect(client.listEndpointServices(GROUP_ID, 'AWS')).rejects.toBeInstanceOf(AtlasRateLimitedError);
    expect(server.requests).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('retries a create answered 429: Atlas did not process it', async () => {
    const { client, server } = await given(
      sequence(fail(429, 'RATE_LIMITED', { 'retry-after': '1' }), ok(awsEndpoint())),
    );

    await client.createEndpoint(GROUP_ID, 'AWS', SERVICE_ID, { id: VPCE_ID });

    expect(server.requests.map((r) => r.method)).toEqual(['POST', 'POST']);
  });

  it('retries a GET answered 5xx, then succeeds', async () => {
    const { client, server } = await given(
      sequence(fail(500, 'UNEXPECTED_ERROR'), fail(503, 'SERVICE_UNAVAILABLE'), ok(awsService())),
    );

    const service = await client.getEndpointService(GROUP_ID, 'AWS', SERVICE_ID);

    expect(service.endpointServiceName).toMatch(/^com\.amazonaws\.vpce\./);
    expect(server.requests).toHaveLength(3);
  });

  it('retries a DELETE answered 5xx', async () => {
    const { client, server } = await given(
      sequence(fail(500, 'UNEXPECTED_ERROR'), (_request, response) => {
        response.writeHead(204);
        response.end();
      }),
    );

    await expect(client.deleteEndpoint(GROUP_ID, 'AWS', SERVICE_ID, VPCE_ID)).resolves.toEqual({
      deleted: true,
    });
    expect(server.requests).toHaveLength(2);
  });

  it('fails with the last 5xx after maxAttempts', async () => {
    const { client, server } = await given(fail(500, 'UNEXPECTED_ERROR'), { retry: { maxAttempts: 3 } });

    await expect(client.listEndpointServices(GROUP_ID, 'AWS')).rejects.toBeInstanceOf(AtlasServerError);
    expect(server.requests).toHaveLength(3);
  });

  it('fails once the deadline leaves no time for the next wait', async () => {
    let clock = 0;
    const { client, server } = await given(fail(503, 'SERVICE_UNAVAILABLE'), {
      now: () => clock,
      sleep: async (ms) => {
        clock += ms;
      },
      random: () => 0.999,
      retry: { maxAttempts: 100, deadlineMs: 2_000, baseDelayMs: 500, maxDelayMs: 500 },
    });

    await expect(client.listEndpointServices(GROUP_ID, 'AWS')).rejects.toBeInstanceOf(AtlasServerError);
    expect(server.requests).toHaveLength(5);
  });

  it('does not re-send a create answered 500', async () => {
    const { client, server } = await given(fail(500, 'UNEXPECTED_ERROR'));

    await expect(client.createEndpoint(GROUP_ID, 'AWS', SERVICE_ID, { id: VPCE_ID })).rejects.toBeInstanceOf(
      AtlasServerError,
    );
    expect(server.requests).toHaveLength(1);
  });

  it('never retries a 4xx other than 429', async () => {
    const { client, server } = await given(fail(400, 'INVALID_PARAMETER'));

    await expect(client.getEndpointService(GROUP_ID, 'AWS', SERVICE_ID)).rejects.toBeInstanceOf(
      AtlasBadRequestError,
    );
    expect(server.requests).toHaveLength(1);
  });
});

describe('AtlasClient outcomes of creates and deletes', () => {
  it('returns the existing endpoint when a create of the same id is answered 409', async () => {
    const { client, server } = await given((request, response) =>
      request.method === 'POST'
        ? sendJson(response, 409, apiError(409, 'PRIVATE_ENDPOINT_ALREADY_EXISTS'))
        : sendJson(response, 200, awsEndpoint('AVAILABLE')),
    );

    const endpoint = await client.createEndpoint(GROUP_ID, 'AWS', SERVICE_ID, { id: VPCE_ID });

    expect(endpoint).toEqual(awsEndpoint('AVAILABLE'));
    expect(server.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      `POST /api/atlas/v2/groups/${GROUP_ID}/privateEndpoint/AWS/endpointService/${SERVICE_ID}/endpoint`,
      `GET ${endpointPath}`,
    ]);
  });

  it('fails with the conflict when the endpoint the 409 names cannot be found', async () => {
    const { client } = await given((request, response) =>
      request.method === 'POST'
        ? sendJson(response, 409, apiError(409, 'ENDPOINT_ALREADY_REGISTERED_ELSEWHERE'))
        : sendJson(response, 404, apiError(404, 'RESOURCE_NOT_FOUND')),
    );

    await expect(client.createEndpoint(GROUP_ID, 'AWS', SERVICE_ID, { id: VPCE_ID })).rejects.toMatchObject({
      name: 'AtlasConflictError',
      errorCode: 'ENDPOINT_ALREADY_REGISTERED_ELSEWHERE',
    });
  });

  it('fails with the conflict when the existing endpoint is being deleted', async () => {
    const { client } = await given((request, response) =>
      request.method === 'POST'
        ? sendJson(response, 409, apiError(409, 'PRIVATE_ENDPOINT_ALREADY_EXISTS'))
        : sendJson(response, 200, { ...awsEndpoint('DELETING'), deleteRequested: true }),
    );

    await expect(client.createEndpoint(GROUP_ID, 'AWS', SERVICE_ID, { id: VPCE_ID })).rejects.toBeInstanceOf(
      AtlasConflictError,
    );
  });

  it('fails with AtlasConflictError when the endpoint service exists already', async () => {
    const { client, server } = await given(fail(409, 'PRIVATE_ENDPOINT_SERVICE_ALREADY_EXISTS_FOR_REGION'));

    await expect(
      client.createEndpointService(GROUP_ID, { providerName: 'AWS', region: 'us-east-1' }),
    ).rejects.toBeInstanceOf(AtlasConflictError);
    expect(server.requests).toHaveLength(1);
  });

  it('resolves a delete answered 404 as not deleted', async () => {
    const { client } = await given(fail(404, 'RESOURCE_NOT_FOUND'));

    await expect(client.deleteEndpointService(GROUP_ID, 'AWS', SERVICE_ID)).resolves.toEqual({
      deleted: false,
    });
  });
});

describe('AtlasClient transport failures', () => {
  it('fails with AtlasNetworkError when the headers do not come in time', async () => {
    const { client } = await given(() => undefined, { headersTimeoutMs: 100, retry: { maxAttempts: 1 } });

    const error = await client.getEndpointService(GROUP_ID, 'AWS', SERVICE_ID).catch((e) => e);

    expect(error).toBeInstanceOf(AtlasNetworkError);
    expect(error.code).toBe('UND_ERR_HEADERS_TIMEOUT');
    expect(error.message).toContain(
      `GET /api/atlas/v2/groups/${GROUP_ID}/privateEndpoint/AWS/endpointService/`,
    );
  });

  it('fails with AtlasNetworkError when the body stalls', async () => {
    const { client } = await given(
      (_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.write('{"cloudProvider":');
      },
      { bodyTimeoutMs: 100, retry: { maxAttempts: 1 } },
    );

    const error = await client.getEndpointService(GROUP_ID, 'AWS', SERVICE_ID).catch((e) => e);

    expect(error).toBeInstanceOf(AtlasNetworkError);
    expect(error.code).toBe('UND_ERR_BODY_TIMEOUT');
  });

  it('fails with AtlasNetworkError when a body trickles in past the exchange time limit', async () => {
    // Each chunk comes well within the body timeout, so only the whole-exchange limit can stop it.
    const timers: NodeJS.Timeout[] = [];
    const { client } = await given(
      (_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json' });
        timers.push(setInterval(() => response.write(' '), 20));
      },
      { bodyTimeoutMs: 1_000, requestTimeoutMs: 200, retry: { maxAttempts: 1 } },
    );

    const error = await client
      .getEndpointService(GROUP_ID, 'AWS', SERVICE_ID)
      .catch((e) => e)
      .finally(() => {
        for (const timer of timers) clearInterval(timer);
      });

    expect(error).toBeInstanceOf(AtlasNetworkError);
    expect(error.code).toBe(REQUEST_TIMEOUT_CODE);
    expect(error.message).toContain('within 200 ms');
  });

  it('fails with AtlasNetworkError when the connection is reset, after retrying a read', async () => {
    const { client, server } = await given(
      (_request, response) => {
        response.socket?.destroy();
      },
      {
        retry: { maxAttempts: 2 },
      },
    );

    const error = await client.getEndpointService(GROUP_ID, 'AWS', SERVICE_ID).catch((e) => e);

    expect(error).toBeInstanceOf(AtlasNetworkError);
    expect(['UND_ERR_SOCKET', 'ECONNRESET']).toContain(error.code);
    expect(server.requests).toHaveLength(2);
  });

  it('does not re-send a create whose connection was reset', async () => {
    const { client, server } = await given((_request, response) => {
      response.socket?.destroy();
    });

    await expect(client.createEndpoint(GROUP_ID, 'AWS', SERVICE_ID, { id: VPCE_ID })).rejects.toBeInstanceOf(
      AtlasNetworkError,
    );
    expect(server.requests).toHaveLength(1);
  });

  it('re-sends a create that could not connect: it never reached Atlas', async () => {
    const { server } = await given(ok(awsEndpoint()));
    const url = server.url;
    await server.close();
    const sleeps: number[] = [];
    const client = new AtlasClient({
      credentials: API_KEY,
      baseUrl: url,
      retry: { maxAttempts: 3 },
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });
    clients.push(client);

    const error = await client.createEndpoint(GROUP_ID, 'AWS', SERVICE_ID, { id: VPCE_ID }).catch((e) => e);

    expect(error).toBeInstanceOf(AtlasNetworkError);
    expect(error.code).toBe('ECONNREFUSED');
    expect(sleeps).toHaveLength(2);
  });
});

describe('AtlasClient response checks', () => {
  it.each([
    ['not JSON', '<html>maintenance</html>'],
    ['empty', ''],
    ['of the wrong shape', JSON.stringify({ hello: 'world' })],
    ['of another provider', JSON.stringify({ ...awsService(), cloudProvider: 'GCP' })],
    ['too large', JSON.stringify({ ...awsService(), padding: 'x'.repeat(2 * 1024 * 1024) })],
  ])('fails with AtlasResponseError on a 2xx body %s', async (_what, body) => {
    const { client } = await given((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(body);
    });

    const error = await client.getEndpointService(GROUP_ID, 'AWS', SERVICE_ID).catch((e) => e);

    expect(error).toBeInstanceOf(AtlasResponseError);
    expect(error.status).toBe(200);
    expect(error.message).toContain(`GET /api/atlas/v2/groups/${GROUP_ID}`);
  });

  it('fails with AtlasResponseError when a list is not an array', async () => {
    const { client } = await given(ok({ results: [] }));

    await expect(client.listEndpointServices(GROUP_ID, 'AWS')).rejects.toBeInstanceOf(AtlasResponseError);
  });

  it('fills what Atlas may leave out of an AWS endpoint', async () => {
    const { client } = await given(ok({ interfaceEndpointId: VPCE_ID, connectionStatus: 'PENDING' }));

    await expect(client.getEndpoint(GROUP_ID, 'AWS', SERVICE_ID, VPCE_ID)).resolves.toEqual({
      interfaceEndpointId: VPCE_ID,
      connectionStatus: 'PENDING',
      deleteRequested: false,
      errorMessage: null,
    });
  });
});

describe('AtlasClient input checks', () => {
  const refused = async (
    call: (client: AtlasClient) => Promise<unknown>,
    field: string,
    expected: RegExp,
  ) => {
    const { client, server } = await given(ok({}));

    const error = (await call(client).catch((e) => e)) as InvalidRequestError;

    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error.violations.map((v) => v.field)).toContain(field);
    expect(error.message).toMatch(expected);
    expect(server.requests).toHaveLength(0);
  };

  it('refuses a malformed groupId before any request', () =>
    refused((c) => c.listEndpointServices('not-a-project', 'AWS'), 'groupId', /24 hexadecimal/));

  it('refuses a malformed endpointServiceId before any request', () =>
    refused((c) => c.getEndpointService(GROUP_ID, 'AWS', 'ABC'), 'endpointServiceId', /24 hexadecimal/));

  it('refuses an unknown provider before any request', () =>
    refused(
      (c) => c.createEndpointService(GROUP_ID, { providerName: 'ORACLE' as 'AWS', region: 'us-east-1' }),
      'providerName',
      /one of AWS, AZURE, GCP/,
    ));

  it('refuses an unknown cloudProvider in a path before any request', () =>
    refused(
      (c) => c.listEndpointServices(GROUP_ID, 'aws' as 'AWS'),
      'cloudProvider',
      /one of AWS, AZURE, GCP/,
    ));

  it('refuses a malformed AWS region before any request', () =>
    refused(
      (c) => c.createEndpointService(GROUP_ID, { providerName: 'AWS', region: 'us east' }),
      'region',
      /us-east-1/,
    ));

  it('refuses a malformed AWS endpoint id before any request', () =>
    refused(
      (c) => c.createEndpoint(GROUP_ID, 'AWS', SERVICE_ID, { id: 'vpce-123' }),
      'id',
      /"vpce-" followed by 17/,
    ));

  it('refuses a malformed endpointId in a path before any request', () =>
    refused(
      (c) => c.deleteEndpoint(GROUP_ID, 'AWS', SERVICE_ID, 'vpc-0123456789abcdef0'),
      'endpointId',
      /vpce-/,
    ));

  it('refuses an Azure id that is not an ARM private endpoint id before any request', () =>
    refused(
      (c) =>
        c.createEndpoint(GROUP_ID, 'AZURE', SERVICE_ID, { id: 'pe-1', privateEndpointIPAddress: '10.0.0.4' }),
      'id',
      /Azure private endpoint resource id/,
    ));

  it('refuses an invalid Azure IP address before any request', () =>
    refused(
      (c) =>
        c.createEndpoint(GROUP_ID, 'AZURE', SERVICE_ID, {
          id: AZURE_ID,
          privateEndpointIPAddress: '10.0.0.256',
        }),
      'privateEndpointIPAddress',
      /IPv4/,
    ));

  it('refuses a malformed GCP project id before any request', () =>
    refused(
      (c) =>
        c.createEndpoint(GROUP_ID, 'GCP', SERVICE_ID, {
          endpointGroupName: 'group-1',
          gcpProjectId: 'my-project',
        }),
      'gcpProjectId',
      /"p-" followed by 24/,
    ));

  it('lists every violation at once', async () => {
    const { client } = await given(ok({}));

    const error = await client.getEndpoint('x', 'AWS', 'y', 'z').catch((e) => e);

    expect(error.violations.map((v: { field: string }) => v.field)).toEqual([
      'groupId',
      'endpointServiceId',
      'endpointId',
    ]);
  });

  it('fails to construct with credentials of no known shape', () => {
    expect(() => new AtlasClient({ credentials: { publicKey: 'abc', privateKey: '' } })).toThrow(
      expect.objectContaining({ name: 'AtlasCredentialsError' }),
    );
    expect(() => new AtlasClient({ credentials: {} as never })).toThrow(
      expect.objectContaining({ name: 'AtlasCredentialsError' }),
    );
  });

  it('fails to construct with options out of range, naming them', () => {
    expect(() => new AtlasClient({ credentials: API_KEY, baseUrl: 'cloud.mongodb.com' })).toThrow(/baseUrl/);
    expect(() => new AtlasClient({ credentials: API_KEY, retry: { maxAttempts: 0 } })).toThrow(
      /retry\.maxAttempts/,
    );
    expect(() => new AtlasClient({ credentials: API_KEY, headersTimeoutMs: -1 })).toThrow(/headersTimeoutMs/);
  });
});
