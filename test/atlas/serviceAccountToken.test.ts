import { afterEach, describe, expect, it } from 'vitest';
import { AtlasClient, type AtlasClientOptions } from '../../lambdas/atlas/AtlasClient';
import { AtlasAuthError, AtlasRateLimitedError, AtlasResponseError } from '../../lambdas/errors';
import {
  apiError,
  awsService,
  GROUP_ID,
  type LoopbackServer,
  type ReceivedRequest,
  SERVICE_ID,
  sendJson,
  startLoopbackServer,
} from './loopbackServer';

const SERVICE_ACCOUNT = { clientId: 'mdb_sa_id_0123456789abcdef', clientSecret: 'mdb_sa_sk_secret-value' };

let server: LoopbackServer | undefined;
const clients: AtlasClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await server?.close();
  server = undefined;
});

interface TokenServerScript {
  /** Answer of the token endpoint; by default tokens `tok-1`, `tok-2`, … valid `expiresIn` seconds. */
  readonly token?: (
    request: ReceivedRequest,
    issued: number,
  ) => { status: number; body: unknown; headers?: Record<string, string> };
  readonly expiresIn?: number;
  /** Tokens the API refuses with 401. */
  readonly refused?: ReadonlySet<string>;
}

/** A loopback Atlas with a token endpoint and one API route that checks the Bearer token. */
async function given(script: TokenServerScript = {}, options: Partial<AtlasClientOptions> = {}) {
  let issued = 0;
  server = await startLoopbackServer((request, response) => {
    if (request.url === '/api/oauth/token') {
      issued += 1;
      const answer = script.token?.(request, issued) ?? {
        status: 200,
        body: { access_token: `tok-${issued}`, token_type: 'Bearer', expires_in: script.expiresIn ?? 3600 },
      };
      sendJson(response, answer.status, answer.body, answer.headers);
      return;
    }
    const token = request.headers['authorization']?.replace(/^Bearer /, '') ?? '';
    if (!token.startsWith('tok-') || script.refused?.has(token)) {
      sendJson(response, 401, {
        error: 401,
        reason: 'Unauthorized',
        detail: 'You are not authorized for this resource.',
      });
      return;
    }
    sendJson(response, 200, awsService());
  });
  const client = new AtlasClient({
    credentials: SERVICE_ACCOUNT,
    baseUrl: server.url,
    sleep: async () => undefined,
    ...options,
  });
  clients.push(client);
  const tokenRequests = () => server?.requests.filter((r) => r.url === '/api/oauth/token') ?? [];
  return { client, server, tokenRequests };
}

const read = (client: AtlasClient) => client.getEndpointService(GROUP_ID, 'AWS', SERVICE_ID);

const tokenIssued = (issued: number) => ({
  status: 200,
  body: { access_token: `tok-${issued}`, token_type: 'Bearer', expires_in: 3600 },
});
const tokenLimited = (retryAfterSeconds: number) => ({
  status: 429,
  body: apiError(429, 'RATE_LIMITED'),
  headers: { 'retry-after': String(retryAfterSeconds) },
});

describe('service account tokens', () => {
  it('asks for a token with client credentials, as RFC 6749 §4.4 says', async () => {
    const { client, tokenRequests } = await given();

    await read(client);

    const [request] = tokenRequests();
    expect(request?.method).toBe('POST');
    expect(request?.headers['authorization']).toBe(
      `Basic ${Buffer.from(`${SERVICE_ACCOUNT.clientId}:${SERVICE_ACCOUNT.clientSecret}`).toString('base64')}`,
    );
    expect(request?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request?.body).toBe('grant_type=client_credentials');
  });

  it('reuses one token across calls', async () => {
    const { client, server, tokenRequests } = await given();

    for (let i = 0; i < 5; i++) await read(client);

    expect(tokenRequests()).toHaveLength(1);
    expect(server.apiRequests().map((r) => r.headers['authorization'])).toEqual(
      Array(5).fill('Bearer tok-1'),
    );
  });

  it('shares one token fetch among concurrent calls', async () => {
    const { client, tokenRequests } = await given();

    await Promise.all(Array.from({ length: 20 }, () => read(client)));

    expect(tokenRequests()).toHaveLength(1);
  });

  it('replaces the token shortly before it expires', async () => {
    let clock = 1_000_000;
    const { client, server, tokenRequests } = await given({ expiresIn: 100 }, { now: () => clock });

    await read(client);
    clock += 89_000; // 10 % margin of a 100 s token: still good at 89 s
    await read(client);
    clock += 2_000; // 91 s: replaced
    await read(client);

    expect(tokenRequests()).toHaveLength(2);
    expect(server.apiRequests().map((r) => r.headers['authorization'])).toEqual([
      'Bearer tok-1',
      'Bearer tok-1',
      'Bearer tok-2',
    ]);
  });

  it('fetches a new token once and retries when Atlas refuses the cached one', async () => {
    const { client, server, tokenRequests } = await given({ refused: new Set(['tok-1']) });

    await expect(read(client)).resolves.toMatchObject({ id: SERVICE_ID });

    expect(tokenRequests()).toHaveLength(2);
    expect(server.apiRequests().map((r) => r.headers['authorization'])).toEqual([
      'Bearer tok-1',
      'Bearer tok-2',
    ]);
  });

  it('fails with AtlasAuthError when Atlas refuses a fresh token too', async () => {
    const { client, server } = await given({ refused: new Set(['tok-1', 'tok-2', 'tok-3']) });

    await expect(read(client)).rejects.toBeInstanceOf(AtlasAuthError);
    expect(server.apiRequests()).toHaveLength(2);
  });

  it.each([
    [401, 'invalid_client'],
    [400, 'invalid_request'],
  ])(
    'fails with AtlasAuthError, without retrying, when the token endpoint answers %i',
    async (status, code) => {
      const { client, server } = await given({
        token: () => ({ status, body: { error: code, error_description: 'Client authentication failed.' } }),
      });

      const error = await read(client).catch((e) => e);

      expect(error).toBeInstanceOf(AtlasAuthError);
      expect(error).toMatchObject({ status, errorCode: code, request: 'POST /api/oauth/token' });
      expect(error.message).not.toContain(SERVICE_ACCOUNT.clientSecret);
      expect(server.requests).toHaveLength(1);
    },
  );

  it('retries a token endpoint that is busy', async () => {
    const { client, tokenRequests } = await given({
      token: (_request, issued) =>
        issued === 1
          ? { status: 503, body: apiError(503, 'SERVICE_UNAVAILABLE') }
          : { status: 200, body: { access_token: 'tok-9', token_type: 'Bearer', expires_in: 3600 } },
    });

    await expect(read(client)).resolves.toMatchObject({ id: SERVICE_ID });
    expect(tokenRequests()).toHaveLength(2);
  });

  it("waits the token endpoint's Retry-After on a 429 (about 10 tokens a minute), then gets a token and calls", async () => {
    const sleeps: number[] = [];
    const { client, tokenRequests, server } = await given(
      { token: (_request, issued) => (issued === 1 ? tokenLimited(6) : tokenIssued(issued)) },
      { sleep: async (ms) => void sleeps.push(ms), random: () => 0 },
    );

    await expect(read(client)).resolves.toMatchObject({ id: SERVICE_ID });
    expect(sleeps).toEqual([6_000]);
    expect(tokenRequests()).toHaveLength(2);
    expect(server.requests.filter((r) => r.url !== '/api/oauth/token')).toHaveLength(1);
  });

  it('tries the token endpoint at most rateLimitedAttempts times while it answers 429, like the Admin API', async () => {
    const { client, tokenRequests } = await given({ token: () => tokenLimited(1) });

    await expect(read(client)).rejects.toBeInstanceOf(AtlasRateLimitedError);
    expect(tokenRequests()).toHaveLength(2);
  });

  it('leaves every token 429 to the caller with rateLimitedAttempts: 1, as the functions do', async () => {
    const { client, tokenRequests } = await given(
      { token: () => tokenLimited(1) },
      { retry: { rateLimitedAttempts: 1 } },
    );

    await expect(read(client)).rejects.toBeInstanceOf(AtlasRateLimitedError);
    expect(tokenRequests()).toHaveLength(1);
  });

  it("fails with AtlasRateLimitedError, and the API uncalled, when the token endpoint's Retry-After passes the budget", async () => {
    const { client, server } = await given(
      { token: () => tokenLimited(60) },
      { retry: { deadlineMs: 20_000 } },
    );

    const error = await read(client).catch((e) => e);

    expect(error).toBeInstanceOf(AtlasRateLimitedError);
    expect(error).toMatchObject({ retryAfterSeconds: 60, request: 'POST /api/oauth/token' });
    expect(server.requests.map((r) => r.url)).toEqual(['/api/oauth/token']);
  });

  it('fails with AtlasResponseError when the token answer has no access_token', async () => {
    const { client } = await given({ token: () => ({ status: 200, body: { token_type: 'Bearer' } }) });

    await expect(read(client)).rejects.toBeInstanceOf(AtlasResponseError);
  });
});
