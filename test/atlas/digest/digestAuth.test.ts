import { Readable } from 'node:stream';
import { Agent, Client, type Dispatcher, errors } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import type { DigestChallenge } from '../../../lambdas/atlas/digest/challenge';
import { type DigestAuthOptions, digestAuth } from '../../../lambdas/atlas/digest/digestAuth';
import { DigestChallengeError, InvalidRequestError } from '../../../lambdas/errors';
import {
  type ChallengeSettings,
  type DigestServer,
  type DigestServerOptions,
  parseAuthorization,
  startDigestServer,
  UNAUTHORIZED_BODY,
} from '../../helpers/digestServer';
import { sendJson, startLoopbackServer } from '../loopbackServer';

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

type ControllerView = Pick<
  Dispatcher.DispatchController,
  'aborted' | 'paused' | 'reason' | 'rawHeaders' | 'rawTrailers'
>;

/** What a raw `dispatch` caller saw, callback by callback. */
interface Observed {
  readonly events: string[];
  readonly body: string;
  readonly rawHeaders: unknown[];
  readonly rawTrailers: unknown;
  readonly error: Error | undefined;
  readonly controllerAtError: ControllerView | undefined;
}

/**
 * Dispatches with a handler that records every callback, for what `request()` hides: how often each callback
 * runs and what the controller shows. Resolves when the response ends or fails; `returned` is what `dispatch`
 * returned, and `events` grows as callbacks arrive.
 */
function observe(
  dispatcher: Dispatcher,
  opts: Dispatcher.DispatchOptions,
  hooks: Pick<Dispatcher.DispatchHandler, 'onRequestStart'> = {},
): Promise<Observed> & { returned: boolean; events: string[] } {
  const events: string[] = [];
  const chunks: Buffer[] = [];
  let rawHeaders: unknown[] = [];
  const done = deferred<Observed>();
  const finish = (rawTrailers: unknown, error?: Error, controller?: Dispatcher.DispatchController) =>
    done.resolve({
      events,
      body: Buffer.concat(chunks).toString('utf8'),
      rawHeaders,
      rawTrailers,
      error,
      controllerAtError: controller && {
        aborted: controller.aborted,
        paused: controller.paused,
        reason: controller.reason,
        rawHeaders: controller.rawHeaders,
        rawTrailers: controller.rawTrailers,
      },
    });
  const returned = dispatcher.dispatch(opts, {
    onRequestStart(controller, context) {
      events.push('onRequestStart');
      hooks.onRequestStart?.(controller, context);
    },
    onResponseStart(controller, statusCode) {
      events.push(`onResponseStart ${statusCode}`);
      rawHeaders = [...((controller.rawHeaders as unknown[] | null) ?? [])];
    },
    onResponseData(_controller, chunk) {
      if (events.at(-1) !== 'onResponseData') events.push('onResponseData');
      chunks.push(chunk);
    },
    onResponseEnd(controller) {
      events.push('onResponseEnd');
      finish(controller.rawTrailers);
    },
    onResponseError(controller, error) {
      events.push('onResponseError');
      finish(undefined, error, controller);
    },
  });
  return Object.assign(done.promise, { returned, events });
}

/** `Promise.withResolvers`, which Node 20 lacks. */
function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve: (value: T) => void = () => {};
  const promise = new Promise<T>((settle) => {
    resolve = settle;
  });
  return { promise, resolve };
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) {
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
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

  describe('nonces', () => {
    it('keeps a nonce per origin, never sending credentials for one origin to another', async () => {
      // Prepare
      const { server: a, atlas } = await setUp();
      const b = await startDigestServer();
      open.push(b);

      // Act
      const statuses = [];
      for (const server of [a, b, a, b]) {
        statuses.push((await send(atlas, server)).status);
      }

      // Assess
      expect(statuses).toEqual([200, 200, 200, 200]);
      expect(a.requests.map((r) => r.status)).toEqual([401, 200, 200]);
      expect(b.requests.map((r) => r.status)).toEqual([401, 200, 200]);
      expect(b.requests[0]?.authorization).toBeUndefined();
    });

    it('goes on counting when the server hands out the same nonce again', async () => {
      // Prepare: every first request gets a 401 with the same nonce; a repeated nc is refused.
      const { server, call } = await setUp({ nonce: 'one-nonce-per-window' });

      // Act
      const results = await Promise.all(Array.from({ length: 5 }, () => call()));

      // Assess
      expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
      const ncs = server.ncByNonce.get('one-nonce-per-window') ?? [];
      expect([...ncs].sort()).toEqual(['00000001', '00000002', '00000003', '00000004', '00000005']);
    });

    it.each<[string, ChallengeSettings, string, string | undefined, string | undefined]>([
      ['realm', { realm: 'Another realm' }, 'realm', 'Another realm', '00000001'],
      ['algorithm', { algorithm: 'SHA-256' }, 'algorithm', 'SHA-256', '00000001'],
      ['qop', { qop: null }, 'qop', undefined, undefined],
      ['opaque', { opaque: 'opaque-2' }, 'opaque', 'opaque-2', '00000001'],
    ])(
      'answers a challenge that keeps the nonce but changes its %s with the new one, counting afresh',
      async (_, change, param, expected, nc) => {
        // Prepare
        const { server, call } = await setUp({ nonce: 'kept', opaque: 'opaque-1' });
        await call();
        server.changeChallenge(change);

        // Act
        const result = await call();

        // Assess
        expect(result.status).toBe(200);
        expect(server.requests.map((r) => r.status)).toEqual([401, 200, 401, 200]);
        const sent = parseAuthorization(server.requests[3]?.authorization ?? '');
        expect(sent.get(param)).toBe(expected);
        expect(sent.get('nc')).toBe(nc);
      },
    );
  });

  describe('quoting', () => {
    it('escapes " and \\ in the quoted values it sends back', async () => {
      // Prepare
      const tricky = { username: 'pub"lic\\key', realm: 'MMS "Public" \\ API', opaque: 'o"p\\q' };
      const { server, call } = await setUp(tricky, { username: tricky.username });

      // Act
      const result = await call();

      // Assess
      expect(result.status).toBe(200);
      const header = server.requests[1]?.authorization ?? '';
      expect(header).toContain('username="pub\\"lic\\\\key"');
      expect(header).toContain('realm="MMS \\"Public\\" \\\\ API"');
      expect(header).toContain('opaque="o\\"p\\\\q"');
    });
  });

  it('sends a cnonce with an MD5-sess challenge even without qop', async () => {
    // Prepare
    const { server, call } = await setUp({ algorithm: 'MD5-sess', qop: null });

    // Act
    const result = await call();

    // Assess
    expect(result.status).toBe(200);
    const sent = parseAuthorization(server.requests[1]?.authorization ?? '');
    expect(sent.get('cnonce')).toMatch(/^[0-9a-f]{32}$/);
    expect(sent.has('nc')).toBe(false);
  });

  it('hands a response other than 401 to the caller even when it carries a Digest challenge', async () => {
    // Prepare: some servers challenge on 403 too; only a 401 asks for credentials.
    const server = await startLoopbackServer((_, response) =>
      sendJson(
        response,
        403,
        { error: 403 },
        { 'www-authenticate': 'Digest realm="r", nonce="n", qop="auth"' },
      ),
    );
    const agent = new Agent();
    open.push(server, agent);
    const atlas = agent.compose(digestAuth(CREDENTIALS));

    // Act
    const response = await atlas.request({ origin: server.url, path: '/x', method: 'GET' });
    await response.body.dump();

    // Assess
    expect(response.statusCode).toBe(403);
    expect(server.requests.length).toBe(1);
  });

  it('fails the request with the error onChallenge throws, sending nothing more', async () => {
    // Prepare
    const { server, call } = await setUp(
      {},
      {
        onChallenge: () => {
          throw new Error('challenge refused by policy');
        },
      },
    );

    // Act
    const failure = await call().catch((error: unknown) => error);

    // Assess
    expect(failure).toMatchObject({ message: 'challenge refused by policy' });
    expect(server.requests.length).toBe(1);
  });

  describe('requests it leaves alone', () => {
    it('sends an upgrade without credentials, even once it holds a nonce for the origin', async () => {
      // Prepare
      const { server, atlas, call } = await setUp();
      await call();

      // Act
      const upgraded = await atlas.upgrade({
        origin: server.origin,
        path: '/socket',
        protocol: 'websocket',
      } as Dispatcher.UpgradeOptions);
      upgraded.socket.destroy();

      // Assess
      expect(server.requests.at(-1)).toMatchObject({ url: '/socket', status: 101, authorization: undefined });
    });

    it('sends a CONNECT without credentials, even once it holds a nonce for the origin', async () => {
      // Prepare
      const { server, atlas, call } = await setUp();
      await call();

      // Act
      const tunnel = await atlas.connect({ origin: server.origin, path: '127.0.0.1:443' });
      tunnel.socket.destroy();

      // Assess
      expect(server.requests.at(-1)).toMatchObject({
        method: 'CONNECT',
        status: 200,
        authorization: undefined,
      });
    });

    it.each([
      ['a path that has a query', '/api/atlas/v2?a=1'],
      ['a path that has a fragment', '/api/atlas/v2#top'],
    ])('lets undici refuse a query next to %s', async (_, path) => {
      // Prepare
      const { server, call } = await setUp();

      // Act
      const failure = await call({ path, query: { b: 2 } }).catch((error: unknown) => error);

      // Assess
      expect(failure).toMatchObject({ message: expect.stringMatching(/Query params cannot be passed/) });
      expect(server.requests.length).toBe(0);
    });

    it('lets undici refuse an origin that is not a URL, as it would without the interceptor', async () => {
      // Prepare
      const { atlas } = await setUp();
      const plain = new Agent();
      open.push(plain);
      const request = { origin: 'not a url', path: '/x', method: 'GET' } as const;

      // Act
      const failure = await atlas.request(request).catch((error: unknown) => error);
      const undiciAlone = await plain.request(request).catch((error: unknown) => error);

      // Assess
      expect(undiciAlone).toBeInstanceOf(Error);
      expect(failure).toEqual(undiciAlone);
      expect((failure as Error).constructor).toBe((undiciAlone as Error).constructor);
    });

    it('lets undici refuse a query without a path', async () => {
      // Prepare
      const { server, atlas } = await setUp();

      // Act
      const failure = await atlas
        .request({
          origin: server.origin,
          method: 'GET',
          query: { b: 2 },
        } as unknown as Dispatcher.RequestOptions)
        .catch((error: unknown) => error);

      // Assess
      expect(failure).toBeInstanceOf(errors.InvalidArgumentError);
      expect(server.requests.length).toBe(0);
    });
  });

  describe('headers', () => {
    it.each([
      ['an object', () => ({ 'x-request-id': 'r1', accept: ['application/json', 'text/plain'] })],
      ['a flat array', () => ['x-request-id', 'r1', 'accept', 'application/json', 'accept', 'text/plain']],
      [
        'an array of pairs',
        () => [
          ['x-request-id', 'r1'],
          ['accept', ['application/json', 'text/plain']],
        ],
      ],
      [
        'a Map',
        () =>
          new Map<string, string | string[]>([
            ['x-request-id', 'r1'],
            ['accept', ['application/json', 'text/plain']],
          ]),
      ],
      [
        'a plain object with an iterator of its own, which undici iterates',
        () => ({
          *[Symbol.iterator]() {
            yield ['x-request-id', 'r1'];
            yield ['accept', ['application/json', 'text/plain']];
          },
        }),
      ],
      [
        "a null-prototype object, as Node's IncomingMessage.headers is",
        () =>
          Object.assign(Object.create(null), {
            'x-request-id': 'r1',
            accept: ['application/json', 'text/plain'],
          }),
      ],
    ])('passes on headers given as %s on both attempts, adding only Authorization', async (_, headers) => {
      // Prepare
      const { server, call } = await setUp();

      // Act
      const result = await call({ headers: headers() as Dispatcher.RequestOptions['headers'] });

      // Assess
      expect(result.status).toBe(200);
      for (const received of server.requests) {
        expect(received.headers['x-request-id']).toBe('r1');
        expect(received.headers.accept).toBe('application/json, text/plain');
        expect(Object.keys(received.headers).sort()).toEqual(
          [
            'accept',
            'host',
            'connection',
            'x-request-id',
            ...(received.authorization ? ['authorization'] : []),
          ].sort(),
        );
      }
    });

    it('fails as undici does on a flat array of odd length, sending nothing', async () => {
      // Prepare
      const { server, call } = await setUp();

      // Act
      const failure = await call({ headers: ['x-request-id', 'r1', 'accept'] }).catch(
        (error: unknown) => error,
      );

      // Assess
      expect(failure).toBeInstanceOf(errors.InvalidArgumentError);
      expect(failure).toMatchObject({ message: 'headers array must be even' });
      expect(server.requests.length).toBe(0);
    });

    it('sends no header of its own but Authorization when the caller gives none', async () => {
      // Prepare
      const { server, call } = await setUp();

      // Act
      const result = await call({ headers: undefined });

      // Assess
      expect(result.status).toBe(200);
      expect(server.requests.map((r) => Object.keys(r.headers).sort())).toEqual([
        ['connection', 'host'],
        ['authorization', 'connection', 'host'],
      ]);
    });

    it('leaves out headers whose value is undefined, Authorization included', async () => {
      // Prepare
      const { server, call } = await setUp();

      // Act
      const result = await call({ headers: { authorization: undefined, 'x-optional': undefined } });

      // Assess
      expect(result.status).toBe(200);
      expect(server.requests.map((r) => r.status)).toEqual([401, 200]);
      expect(server.requests.every((r) => !('x-optional' in r.headers))).toBe(true);
    });
  });

  describe('bodies', () => {
    it('replays a streamed body of up to 1 MiB by default, and streams a larger one once', async () => {
      // Prepare
      const { server, call } = await setUp();
      const mebibyte = 1024 * 1024;
      const body = (size: number) => Readable.from([Buffer.alloc(size - 1, 'a'), Buffer.from('z')]);

      // Act
      const atLimit = await call({ method: 'POST', body: body(mebibyte) });
      const over = await call({ method: 'POST', path: '/elsewhere', body: body(mebibyte + 1) });

      // Assess
      expect(atLimit.status).toBe(200);
      expect(over.status).toBe(200);
      expect(server.requests.map((r) => [r.status, r.body.length])).toEqual([
        [401, mebibyte],
        [200, mebibyte],
        [200, mebibyte + 1],
      ]);
    });

    it('with maxReplayBodyBytes 0, streams every non-empty body once and still replays an empty one', async () => {
      // Prepare
      const { server, call } = await setUp({}, { maxReplayBodyBytes: 0 });

      // Act
      const cold = await call({ method: 'POST', body: Readable.from(['x']) });
      const empty = await call({ method: 'POST', path: '/b', body: Readable.from([]) });

      // Assess
      expect(cold.status).toBe(401);
      expect(empty.status).toBe(200);
      expect(server.requests.map((r) => [r.status, r.body])).toEqual([
        [401, 'x'],
        [200, ''],
      ]);
    });

    it('fails the request with the error of a streamed body that fails before it is sent', async () => {
      // Prepare
      const { server, call } = await setUp();
      const body = (async function* () {
        yield 'start';
        throw new Error('the disk went away');
      })();

      // Act
      const failure = await call({
        method: 'POST',
        body: body as unknown as Dispatcher.DispatchOptions['body'],
      }).catch((error: unknown) => error);

      // Assess
      expect(failure).toMatchObject({ message: 'the disk went away' });
      expect(server.requests.length).toBe(0);
    });

    it('fails a request with a streamed body when the dispatcher below it throws', async () => {
      // Prepare
      const server = await startDigestServer();
      const agent = new Agent();
      open.push(server, agent);
      const refusing: Dispatcher.DispatcherComposeInterceptor = () => () => {
        throw new Error('refused below');
      };
      const atlas = agent.compose(refusing, digestAuth(CREDENTIALS));

      // Act
      const failure = await send(atlas, server, { method: 'POST', body: Readable.from(['{}']) }).catch(
        (error: unknown) => error,
      );

      // Assess
      expect(failure).toMatchObject({ message: 'refused below' });
      expect(server.requests.length).toBe(0);
    });
  });

  describe('the handler and controller the caller holds', () => {
    it('calls onRequestStart once for both attempts and shows the raw headers of the response the caller gets', async () => {
      // Prepare
      const { server, atlas } = await setUp();

      // Act
      const seen = await observe(atlas, { origin: server.origin, path: '/x', method: 'GET' });

      // Assess
      expect(seen.events).toEqual([
        'onRequestStart',
        'onResponseStart 200',
        'onResponseData',
        'onResponseEnd',
      ]);
      expect(seen.rawHeaders.map(String)).toContain('application/json');
      expect(seen.rawHeaders.map(String).map((h) => h.toLowerCase())).not.toContain('www-authenticate');
      expect(seen.rawTrailers).toEqual([]);
      expect(JSON.parse(seen.body)).toMatchObject({ url: '/x' });
    });

    it('tells a raw dispatch caller it is not busy while it reads a streamed body', async () => {
      // Prepare
      const { server, atlas } = await setUp();

      // Act
      const seen = observe(atlas, {
        origin: server.origin,
        path: '/x',
        method: 'POST',
        body: Readable.from(['{}']),
      });

      // Assess
      expect(seen.returned).toBe(true);
      expect((await seen).events.at(-1)).toBe('onResponseEnd');
    });

    it('serves a handler that implements only onRequestStart and onResponseEnd', async () => {
      // Prepare
      const { server, atlas } = await setUp();
      const ended = deferred<void>();

      // Act
      atlas.dispatch(
        { origin: server.origin, path: '/x', method: 'GET' },
        { onRequestStart: () => {}, onResponseEnd: () => ended.resolve() },
      );
      await ended.promise;

      // Assess
      expect(server.requests.map((r) => r.status)).toEqual([401, 200]);
    });

    it('serves a handler without onResponseData or onResponseEnd, reporting no error', async () => {
      // Prepare
      const { server, atlas } = await setUp();
      const errorsSeen: Error[] = [];
      const started = deferred<number>();

      // Act
      atlas.dispatch(
        { origin: server.origin, path: '/x', method: 'GET' },
        {
          onRequestStart: () => {},
          onResponseStart: (_, statusCode) => started.resolve(statusCode),
          onResponseError: (_, error) => errorsSeen.push(error),
        },
      );
      const status = await started.promise;
      await new Promise((resolve) => setTimeout(resolve, 20));

      // Assess
      expect(status).toBe(200);
      expect(errorsSeen).toEqual([]);
      expect(server.requests.map((r) => r.status)).toEqual([401, 200]);
    });

    it('gives a request that failed before any attempt a controller that still pauses, resumes and aborts', async () => {
      // Prepare
      const { server, atlas } = await setUp();
      const failed = deferred<unknown>();
      const reason = new Error('too late');
      const body = (async function* () {
        yield 42;
      })();

      // Act
      atlas.dispatch(
        {
          origin: server.origin,
          path: '/x',
          method: 'POST',
          body: body as unknown as Dispatcher.DispatchOptions['body'],
        },
        {
          onRequestStart: () => {},
          onResponseError: (controller) => {
            try {
              controller.pause();
              const paused = controller.paused;
              controller.resume();
              const resumed = !controller.paused;
              controller.abort(reason);
              failed.resolve({ paused, resumed, aborted: controller.aborted, reason: controller.reason });
            } catch (error) {
              failed.resolve(error);
            }
          },
        },
      );

      // Assess
      expect(await failed.promise).toEqual({ paused: true, resumed: true, aborted: true, reason });
      expect(server.requests.length).toBe(0);
    });

    it('holds back the answered response while the caller has paused, until it resumes', async () => {
      // Prepare: the caller pauses between the 401 and the attempt that answers it.
      let caller: Dispatcher.DispatchController | undefined;
      const { server, atlas } = await setUp({}, { onChallenge: () => caller?.pause() });

      // Act
      const seen = observe(
        atlas,
        { origin: server.origin, path: '/x', method: 'GET' },
        {
          onRequestStart: (controller) => {
            caller = controller;
          },
        },
      );
      await until(() => server.requests.length === 2);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const whilePaused = { events: [...seen.events], paused: caller?.paused };
      caller?.resume();
      const done = await seen;

      // Assess
      expect(whilePaused.paused).toBe(true);
      expect(whilePaused.events).not.toContain('onResponseEnd');
      expect(caller?.paused).toBe(false);
      expect(done.events.at(-1)).toBe('onResponseEnd');
    });

    it("reports an abort between the attempts through the controller, with the caller's reason", async () => {
      // Prepare
      let caller: Dispatcher.DispatchController | undefined;
      const reason = new Error('caller gave up');
      const { server, atlas } = await setUp({}, { onChallenge: () => caller?.abort(reason) });

      // Act
      const seen = await observe(
        atlas,
        { origin: server.origin, path: '/x', method: 'GET' },
        {
          onRequestStart: (controller) => {
            caller = controller;
          },
        },
      );

      // Assess
      expect(seen.error).toBe(reason);
      expect(caller?.aborted).toBe(true);
      expect(caller?.reason).toBe(reason);
      expect(server.requests.length).toBe(1);
    });

    it("fails with undici's RequestAbortedError when the caller aborts without a reason", async () => {
      // Prepare
      let caller: Dispatcher.DispatchController | undefined;
      const { server, atlas } = await setUp(
        {},
        { onChallenge: () => caller?.abort(undefined as unknown as Error) },
      );

      // Act
      const seen = await observe(
        atlas,
        { origin: server.origin, path: '/x', method: 'GET' },
        {
          onRequestStart: (controller) => {
            caller = controller;
          },
        },
      );

      // Assess
      expect(seen.error).toBeInstanceOf(errors.RequestAbortedError);
      expect(server.requests.length).toBe(1);
    });

    it('gives a request whose streamed body failed a controller with nothing to show', async () => {
      // Prepare
      const { atlas, server } = await setUp();
      const body = (async function* () {
        yield 42;
      })();

      // Act
      const seen = await observe(atlas, {
        origin: server.origin,
        path: '/x',
        method: 'POST',
        body: body as unknown as Dispatcher.DispatchOptions['body'],
      });

      // Assess
      expect(seen.error).toBeInstanceOf(TypeError);
      expect(seen.controllerAtError).toEqual({
        aborted: false,
        paused: false,
        reason: null,
        rawHeaders: null,
        rawTrailers: null,
      });
    });
  });

  describe('options', () => {
    it.each([
      ['username', { username: '' }, /^username: expected a non-empty string, got ""$/],
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

    it.each([
      ['null', null],
      ['a string', 'public-key:private-key'],
    ])('fails when the options are %s, saying what it needs', (_, options) => {
      // Act
      const act = () => digestAuth(options as unknown as DigestAuthOptions);

      // Assess
      expect(act).toThrow(InvalidRequestError);
      expect(act).toThrow('options: expected an object with username and password');
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
