import { Readable } from 'node:stream';
import { Agent, Client, type Dispatcher } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import type { DigestChallenge } from '../../../lambdas/atlas/digest/challenge';
import { type DigestAuthOptions, digestAuth } from '../../../lambdas/atlas/digest/digestAuth';
import { DigestChallengeError, InvalidRequestError } from '../../../lambdas/errors';
import {
  type DigestServer,
  type DigestServerOptions,
  parseAuthorization,
  startDigestServer,
  UNAUTHORIZED_BODY,
} from '../../helpers/digestServer';

const CREDENTIALS = { username: 'public-key', password: 'private-key' } as const;

type Result = { status: number; json: Record<string, unknown>; text: string };

async function send(
  dispatcher: Dispatcher,
  server: DigestServer,
  request: Partial<Dispatcher.RequestOptions> = {},
): Promise<Result> {
  const response = await dispatcher.request({
    origin: server.origin,
    path: '/api/atlas/v2',
    method: 'GET',
    ...request,
  });
  const text = await response.body.text();
  return { status: response.statusCode, text, json: text.startsWith('{') ? JSON.parse(text) : {} };
}

describe('digestAuth', () => {
  const open: { close(): Promise<unknown> }[] = [];

  afterEach(async () => {
    for (const closable of open.splice(0).reverse()) {
      await closable.close();
    }
  });

  async function setUp(serverOptions: DigestServerOptions = {}, options: Partial<DigestAuthOptions> = {}) {
    const server = await startDigestServer(serverOptions);
    const agent = new Agent();
    open.push(server, agent);
    const atlas = agent.compose(digestAuth({ ...CREDENTIALS, ...options }));
    return {
      server,
      atlas,
      call: (request?: Partial<Dispatcher.RequestOptions>) => send(atlas, server, request),
    };
  }

  it('answers the first challenge with one extra request, then sends credentials up front', async () => {
    // Prepare
    const { server, call } = await setUp();

    // Act
    const first = await call();
    const afterFirst = server.requests.length;
    const rest = [];
    for (let i = 0; i < 100; i += 1) {
      rest.push(await call({ path: `/api/atlas/v2/groups/${i}` }));
    }

    // Assess
    expect(first.status).toBe(200);
    expect(afterFirst).toBe(2);
    expect(rest.every((r) => r.status === 200)).toBe(true);
    expect(server.requests.length).toBe(102);
    expect(server.requests.slice(2).every((r) => r.authorization?.startsWith('Digest '))).toBe(true);
  });

  it('reuses the connection of an answered 401, its body read and dropped', async () => {
    // Prepare
    const { server, call } = await setUp();

    // Act
    const first = await call();

    // Assess
    expect(first.status).toBe(200);
    expect(first.text).not.toContain('Unauthorized');
    expect(server.requests.length).toBe(2);
    expect(server.connections).toBe(1);
  });

  it('gives 50 concurrent requests on one nonce distinct, increasing nc values', async () => {
    // Prepare
    const { server, call } = await setUp();
    await call();

    // Act
    const results = await Promise.all(Array.from({ length: 50 }, () => call()));

    // Assess
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(server.requests.length).toBe(2 + 50);
    const [ncs = []] = [...server.ncByNonce.values()];
    const sorted = ncs.map((nc) => Number.parseInt(nc, 16)).sort((a, b) => a - b);
    expect(sorted).toEqual(Array.from({ length: 51 }, (_, i) => i + 1));
  });

  it('answers 50 concurrent first requests, each with the nonce of its own 401', async () => {
    // Prepare
    const { server, call } = await setUp();

    // Act
    const results = await Promise.all(Array.from({ length: 50 }, () => call()));

    // Assess
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect(server.requests.length).toBe(100);
    expect([...server.ncByNonce.values()].every((ncs) => ncs.join() === '00000001')).toBe(true);
  });

  it('sends nc values in the order requests are made, with a new cnonce each time', async () => {
    // Prepare
    const { server, call } = await setUp();

    // Act
    for (let i = 0; i < 3; i += 1) {
      await call();
    }

    // Assess
    const sent = server.requests
      .filter((r) => r.status === 200)
      .map((r) => parseAuthorization(r.authorization ?? ''));
    expect(sent.map((p) => p.get('nc'))).toEqual(['00000001', '00000002', '00000003']);
    expect(new Set(sent.map((p) => p.get('cnonce'))).size).toBe(3);
  });

  it('costs exactly one extra request when the nonce has gone stale', async () => {
    // Prepare
    const challenges: DigestChallenge[] = [];
    const { server, call } = await setUp({}, { onChallenge: (challenge) => challenges.push(challenge) });
    await call();
    server.expireNonces();

    // Act
    const stale = await call();
    const afterStale = server.requests.length;
    const next = await call();

    // Assess
    expect(stale.status).toBe(200);
    expect(afterStale).toBe(2 + 2);
    expect(next.status).toBe(200);
    expect(server.requests.length).toBe(2 + 2 + 1);
    expect(challenges.map((c) => c.stale)).toEqual([false, true]);
  });

  it('hands the 401 to the caller after exactly 2 requests when the password is wrong', async () => {
    // Prepare
    const { server, call } = await setUp({ password: 'the-right-one' });

    // Act
    const first = await call();
    const afterFirst = server.requests.length;
    const second = await call();

    // Assess
    expect(first.status).toBe(401);
    expect(first.text).toBe(UNAUTHORIZED_BODY);
    expect(afterFirst).toBe(2);
    expect(second.status).toBe(401);
    expect(server.requests.length).toBe(4);
  });

  it.each([
    ['a string', () => '{"providerName":"AWS","region":"US_EAST_1"}'],
    ['a Buffer', () => Buffer.from('{"providerName":"AWS","region":"US_EAST_1"}')],
    ['a Uint8Array', () => new TextEncoder().encode('{"providerName":"AWS","region":"US_EAST_1"}')],
    ['a Readable stream', () => Readable.from(['{"providerName":', '"AWS","region":"US_EAST_1"}'])],
    [
      'an async generator',
      () =>
        (async function* () {
          yield '{"providerName":"AWS",';
          yield Buffer.from('"region":"US_EAST_1"}');
        })(),
    ],
  ])('replays a POST body given as %s intact on the authenticated attempt', async (_, body) => {
    // Prepare
    const { server, call } = await setUp();

    // Act
    const result = await call({
      method: 'POST',
      path: '/api/atlas/v2/groups/g1/privateEndpoint/endpointService',
      headers: { 'content-type': 'application/json' },
      body: body() as Dispatcher.DispatchOptions['body'],
    });

    // Assess
    expect(result.status).toBe(200);
    expect(result.json.body).toBe('{"providerName":"AWS","region":"US_EAST_1"}');
    expect(server.requests.map((r) => r.body)).toEqual([
      '{"providerName":"AWS","region":"US_EAST_1"}',
      '{"providerName":"AWS","region":"US_EAST_1"}',
    ]);
  });

  it('streams a body over maxReplayBodyBytes once, handing a 401 to the caller', async () => {
    // Prepare
    const { server, call } = await setUp({}, { maxReplayBodyBytes: 4 });

    // Act
    const cold = await call({ method: 'POST', body: Readable.from(['0123', '4567', '89']) });
    const warm = await call({ method: 'POST', body: Readable.from(['0123', '4567', '89']) });

    // Assess
    expect(cold.status).toBe(401);
    expect(warm.status).toBe(200);
    expect(warm.json.body).toBe('0123456789');
    expect(server.requests.map((r) => r.body)).toEqual(['0123456789', '0123456789']);
  });

  it.each(['MD5', 'MD5-sess', 'SHA-256', 'SHA-256-sess'] as const)(
    'answers an %s challenge',
    async (algorithm) => {
      // Prepare
      const { server, call } = await setUp({ algorithm });

      // Act
      const first = await call();
      const second = await call();

      // Assess
      expect([first.status, second.status]).toEqual([200, 200]);
      expect(server.requests.length).toBe(3);
      expect(parseAuthorization(server.requests[2]?.authorization ?? '').get('algorithm')).toBe(algorithm);
    },
  );

  it('answers an RFC 2069 challenge (no qop, no algorithm) without nc, cnonce or qop', async () => {
    // Prepare
    const { server, call } = await setUp({ qop: null, algorithm: null });

    // Act
    const first = await call();
    const second = await call();

    // Assess
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(server.requests.length).toBe(3);
    const sent = parseAuthorization(server.requests[2]?.authorization ?? '');
    expect([...sent.keys()].sort()).toEqual(['nonce', 'realm', 'response', 'uri', 'username']);
  });

  it('chooses auth when the server offers auth and auth-int', async () => {
    // Prepare
    const { server, call } = await setUp({ qop: 'auth,auth-int' });

    // Act
    const result = await call();

    // Assess
    expect(result.status).toBe(200);
    expect(parseAuthorization(server.requests[1]?.authorization ?? '').get('qop')).toBe('auth');
  });

  it('echoes opaque back to the server', async () => {
    // Prepare
    const { server, call } = await setUp({ opaque: '5ccc069c403ebaf9f0171e9517f40e41' });

    // Act
    const result = await call();

    // Assess
    expect(result.status).toBe(200);
    expect(parseAuthorization(server.requests[1]?.authorization ?? '').get('opaque')).toBe(
      '5ccc069c403ebaf9f0171e9517f40e41',
    );
  });

  it('hashes the path and query exactly as sent, whether in path or in query', async () => {
    // Prepare
    const { server, call } = await setUp();

    // Act
    const inPath = await call({ path: '/api/atlas/v2/groups?pretty=true&itemsPerPage=5' });
    const inQuery = await call({
      path: '/api/atlas/v2/groups',
      query: { envelope: true, name: 'a b/c' },
    });

    // Assess
    expect([inPath.status, inQuery.status]).toEqual([200, 200]);
    expect(inQuery.json.url).toBe('/api/atlas/v2/groups?envelope=true&name=a%20b%2Fc');
    expect(parseAuthorization(server.requests.at(-1)?.authorization ?? '').get('uri')).toBe(inQuery.json.url);
  });

  it('fails with DigestChallengeError on a malformed WWW-Authenticate, and the next request still works', async () => {
    // Prepare
    let malformed = true;
    const { server, call } = await setUp({
      wwwAuthenticate: (nonce) =>
        malformed
          ? 'Digest realm="MMS Public API, nonce="oops'
          : `Digest realm="MMS Public API", nonce="${nonce}", qop="auth", algorithm=MD5`,
    });

    // Act
    const failure = await call().catch((error: unknown) => error);
    malformed = false;
    const next = await call();

    // Assess
    expect(failure).toBeInstanceOf(DigestChallengeError);
    expect(server.requests.length).toBe(1 + 2);
    expect(next.status).toBe(200);
  });

  it('fails with DigestChallengeError when the server offers only auth-int', async () => {
    // Prepare
    const { server, call } = await setUp({ qop: 'auth-int' });

    // Act
    const failure = await call().catch((error: unknown) => error);

    // Assess
    expect(failure).toBeInstanceOf(DigestChallengeError);
    expect(server.requests.length).toBe(1);
  });

  it('hands a 401 without a Digest challenge to the caller untouched', async () => {
    // Prepare
    const { server, call } = await setUp({ wwwAuthenticate: () => 'Basic realm="elsewhere"' });

    // Act
    const result = await call();

    // Assess
    expect(result.status).toBe(401);
    expect(server.requests.length).toBe(1);
  });

  it('leaves a request that carries its own Authorization alone', async () => {
    // Prepare
    const { server, call } = await setUp();

    // Act
    const result = await call({ headers: { Authorization: 'Bearer token' } });

    // Assess
    expect(result.status).toBe(401);
    expect(server.requests.map((r) => r.authorization)).toEqual(['Bearer token']);
  });

  it('works composed on a Client, which has no origin in its requests', async () => {
    // Prepare
    const server = await startDigestServer();
    const client = new Client(server.origin);
    open.push(server, client);
    const atlas = client.compose(digestAuth(CREDENTIALS));

    // Act
    const statuses = [];
    for (let i = 0; i < 3; i += 1) {
      const response = await atlas.request({ path: '/x', method: 'GET' });
      await response.body.dump();
      statuses.push(response.statusCode);
    }

    // Assess
    expect(statuses).toEqual([200, 200, 200]);
    expect(server.requests.length).toBe(4);
  });

  it('sends nothing when the caller has already aborted', async () => {
    // Prepare
    const { server, call } = await setUp();
    const controller = new AbortController();
    controller.abort(new Error('caller gave up'));

    // Act
    const failure = await call({ signal: controller.signal }).catch((error: unknown) => error);

    // Assess
    expect(failure).toMatchObject({ message: 'caller gave up' });
    expect(server.requests.length).toBe(0);
  });

  it('does not send the authenticated attempt when the caller aborted after the 401', async () => {
    // Prepare
    const controller = new AbortController();
    const { server, call } = await setUp(
      {},
      { onChallenge: () => controller.abort(new Error('caller gave up')) },
    );

    // Act
    const failure = await call({ signal: controller.signal }).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 20));

    // Assess
    expect(failure).toMatchObject({ message: 'caller gave up' });
    expect(server.requests.length).toBe(1);
  });

  describe('options', () => {
    it.each([
      ['username', { username: '' }, /^username: expected a non-empty string/],
      ['username', { username: 42 }, /^username: expected a non-empty string, got number/],
      ['username', { username: 'a\nb' }, /^username: expected no control characters/],
      ['password', { password: '' }, /^password: expected a non-empty string, got an empty string/],
      ['password', { password: undefined }, /^password: expected a non-empty string, got undefined/],
      ['maxReplayBodyBytes', { maxReplayBodyBytes: -1 }, /^maxReplayBodyBytes: expected .* got -1/],
      ['maxReplayBodyBytes', { maxReplayBodyBytes: 1.5 }, /^maxReplayBodyBytes: expected .* got 1.5/],
      ['onChallenge', { onChallenge: 'log' }, /^onChallenge: expected a function, got string/],
    ])('fails with InvalidRequestError when %s is invalid, naming it', (field, override, message) => {
      // Act
      const act = () => digestAuth({ ...CREDENTIALS, ...override } as unknown as DigestAuthOptions);

      // Assess
      expect(act).toThrow(message);
      expect(act).toThrow(InvalidRequestError);
      expect(violationsOf(act)).toMatchObject([{ field }]);
    });

    it('never puts the password in an error message', async () => {
      // Prepare
      const secret = 'super-secret-private-key';
      const { call } = await setUp(
        { wwwAuthenticate: () => 'Digest realm="r", nonce="n", algorithm=SHA-512' },
        { username: 'u', password: secret },
      );

      // Act
      const failure = await call().catch((error: unknown) => error);

      // Assess
      expect(failure).toBeInstanceOf(DigestChallengeError);
      expect(JSON.stringify(failure, Object.getOwnPropertyNames(failure))).not.toContain(secret);
      expect(String((failure as Error).stack)).not.toContain(secret);
    });
  });
});

/** The violations of the InvalidRequestError `act` throws (none when it throws something else, or nothing). */
function violationsOf(act: () => unknown): InvalidRequestError['violations'] {
  try {
    act();
  } catch (error) {
    if (error instanceof InvalidRequestError) return error.violations;
  }
  return [];
}
