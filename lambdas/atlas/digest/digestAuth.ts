import { randomBytes } from 'node:crypto';
import { stringify } from 'node:querystring';
import { type Dispatcher, errors } from 'undici';
import { InvalidRequestError } from '../../errors';
import { type DigestChallenge, selectDigestChallenge } from './challenge';
import { digestResponse } from './digestResponse';
import { isOneShotBody, type PreparedBody, prepareOneShotBody } from './replayableBody';

/** Options of {@link digestAuth}. */
export interface DigestAuthOptions {
  /** The user name; for Atlas, the API key's public key. */
  readonly username: string;
  /** The password; for Atlas, the API key's private key. Never appears in a message or an error. */
  readonly password: string;
  /**
   * The most bytes of a one-shot body (a stream, an async iterable) held in memory so the body can be sent
   * again after a 401. A larger body is streamed once and a 401 to it reaches the caller unanswered.
   * Strings, buffers and typed arrays are always replayed, whatever their size.
   *
   * @default 1_048_576 (1 MiB)
   */
  readonly maxReplayBodyBytes?: number;
  /**
   * Called with each Digest challenge the interceptor is about to answer: the first one from an origin, an
   * expired nonce (`stale`), or the server refusing credentials sent up front. For logs and tests; if it
   * throws, the request fails with that error.
   *
   * @default - nothing is called
   */
  readonly onChallenge?: (challenge: DigestChallenge, origin: string) => void;
}

const DEFAULT_MAX_REPLAY_BODY_BYTES = 1024 * 1024;

/**
 * An undici interceptor that answers HTTP Digest challenges (RFC 7616), as the Atlas Admin API sends them.
 *
 * The first request to an origin goes without credentials; a 401 with a Digest challenge is answered by sending
 * the request once more, body included. The challenge is then kept per origin, so later requests send
 * credentials up front (with a new `nc` and `cnonce` each) and cost one round trip. A 401 to credentials sent up
 * front (an expired nonce, `stale=true`) is answered once with the new challenge; a second 401 reaches the caller
 * as it came. A Digest challenge that cannot be answered (malformed, unknown algorithm, `auth-int` only) fails
 * the request with a `DigestChallengeError`.
 *
 * Requests that already carry an `Authorization` header, upgrades and `CONNECT` pass through untouched.
 * Keep one composed dispatcher per process: the cached nonce lives in it.
 *
 * @throws InvalidRequestError naming each option that is invalid (`username`, `password`, …), as every other
 *   function and constructor of this package does.
 *
 * @example
 * import { Agent } from 'undici';
 *
 * const atlas = new Agent().compose(digestAuth({ username: publicKey, password: privateKey }));
 * const { statusCode, body } = await atlas.request({
 *   origin: 'https://cloud.mongodb.com',
 *   path: `/api/atlas/v2/groups/${groupId}/privateEndpoint/AWS/endpointService`,
 *   method: 'GET',
 *   headers: { accept: 'application/vnd.atlas.2023-01-01+json' },
 * });
 */
export function digestAuth(options: DigestAuthOptions): Dispatcher.DispatcherComposeInterceptor {
  const credentials = new DigestCredentials(options);
  const maxReplayBodyBytes = validMaxReplayBodyBytes(options.maxReplayBodyBytes);
  const onChallenge = validOnChallenge(options.onChallenge);
  const nonces = new Map<string, NonceCount>();

  return (dispatch) =>
    function digestAuthInterceptor(opts, handler) {
      const path = requestTarget(opts);
      if (path === undefined || opts.upgrade || opts.method === 'CONNECT') {
        return dispatch(opts, handler);
      }
      // Read once: the headers may be a one-shot iterable.
      const headers = headerPairs(opts.headers);
      if (headers.some(([name, value]) => name.toLowerCase() === 'authorization' && value != null)) {
        return dispatch({ ...opts, headers: flatten(headers) }, handler);
      }
      const setup: HandlerSetup = {
        dispatch,
        handler,
        opts: { ...opts, path, query: undefined, headers: flatten(headers) },
        origin: originKey(opts.origin),
        credentials,
        nonces,
        onChallenge,
      };
      if (!isOneShotBody(opts.body)) {
        return new DigestAuthHandler(setup, { replayable: true, body: opts.body }).start();
      }
      prepareOneShotBody(opts.body, maxReplayBodyBytes).then(
        (body) => new DigestAuthHandler(setup, body).startLater(),
        (error: unknown) => failBeforeStart(handler, error),
      );
      // Not busy: the request is under way, and no 'drain' would follow a false.
      return true;
    };
}

/** The nonce of one origin and how many times it has been used: `nc` must never repeat for a nonce. */
class NonceCount {
  readonly challenge: DigestChallenge;
  #count = 0;

  constructor(challenge: DigestChallenge) {
    this.challenge = challenge;
  }

  next(): string {
    this.#count += 1;
    return this.#count.toString(16).padStart(8, '0');
  }

  sameNonce(challenge: DigestChallenge): boolean {
    const current = this.challenge;
    return (
      current.nonce === challenge.nonce &&
      current.realm === challenge.realm &&
      current.algorithm === challenge.algorithm &&
      current.qop === challenge.qop &&
      current.opaque === challenge.opaque
    );
  }
}

/**
 * Holds the user name and password, and turns a nonce into an `Authorization` value.
 * The fields are `#private` so that neither `util.inspect` nor `JSON.stringify` of anything that reaches this
 * object (a handler in a log line, an error's `cause`) can print the password.
 */
class DigestCredentials {
  readonly #username: string;
  readonly #password: string;

  constructor(options: DigestAuthOptions) {
    if (typeof options !== 'object' || options === null) {
      throw invalidOption('options', 'expected an object with username and password');
    }
    const { username, password } = options;
    if (typeof username !== 'string' || username === '') {
      throw invalidOption('username', `expected a non-empty string, got ${describe(username)}`);
    }
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused.
    if (/[\u0000-\u001f\u007f]/.test(username)) {
      throw invalidOption('username', 'expected no control characters');
    }
    if (typeof password !== 'string' || password === '') {
      // The password's value, even a wrong one, stays out of the message: it may be a real key pasted astray.
      throw invalidOption(
        'password',
        `expected a non-empty string, got ${typeof password === 'string' ? 'an empty string' : typeof password}`,
      );
    }
    this.#username = username;
    this.#password = password;
  }

  /** Allocates the next `nc` synchronously, so concurrent requests on one nonce never share one. */
  authorization(nonce: NonceCount, method: string, uri: string): string {
    const { challenge } = nonce;
    const { algorithm, realm, qop, opaque } = challenge;
    // Counted even without qop, where it is not sent: the count only has to never repeat.
    const nc = nonce.next();
    const cnonce =
      qop !== undefined || algorithm.endsWith('-sess') ? randomBytes(16).toString('hex') : undefined;
    const response = digestResponse({
      algorithm,
      username: this.#username,
      password: this.#password,
      realm,
      method,
      uri,
      nonce: challenge.nonce,
      qop,
      nc,
      cnonce,
    });
    const params = [
      `username=${quote(this.#username)}`,
      `realm=${quote(realm)}`,
      `nonce=${quote(challenge.nonce)}`,
      `uri=${quote(uri)}`,
    ];
    if (challenge.algorithmNamed) {
      params.push(`algorithm=${algorithm}`);
    }
    params.push(`response="${response}"`);
    if (qop !== undefined) {
      params.push(`qop=${qop}`, `nc=${nc}`);
    }
    if (cnonce !== undefined) {
      params.push(`cnonce="${cnonce}"`);
    }
    if (opaque !== undefined) {
      params.push(`opaque=${quote(opaque)}`);
    }
    return `Digest ${params.join(', ')}`;
  }
}

interface HandlerSetup {
  readonly dispatch: Dispatcher.Dispatch;
  readonly handler: Dispatcher.DispatchHandler;
  /** The caller's options, with the query folded into `path` and no `Authorization` header. */
  readonly opts: Dispatcher.DispatchOptions & { readonly headers: string[] };
  readonly origin: string;
  readonly credentials: DigestCredentials;
  readonly nonces: Map<string, NonceCount>;
  readonly onChallenge: ((challenge: DigestChallenge, origin: string) => void) | undefined;
}

type ResponseHeaders = Parameters<NonNullable<Dispatcher.DispatchHandler['onResponseStart']>>[2];

/** What to do once the body of a 401 that the caller will not see has been read. */
type AfterUnauthorized = { readonly answer: NonceCount } | { readonly error: unknown };

/**
 * Fails a request before its first attempt (its streamed body could not be read): the caller gets a controller
 * of its own, with no attempt behind it.
 */
function failBeforeStart(handler: Dispatcher.DispatchHandler, error: unknown): void {
  handler.onResponseError?.(new AttemptController(), asError(error));
}

/**
 * Follows one request through its (at most two) attempts. Upgrades and `CONNECT` never reach it, so it has
 * no `onRequestUpgrade`.
 */
class DigestAuthHandler implements Dispatcher.DispatchHandler {
  readonly #setup: HandlerSetup;
  readonly #body: PreparedBody;
  readonly #controller = new AttemptController();
  #answeredChallenge = false;
  #calledOnRequestStart = false;
  #afterUnauthorized: AfterUnauthorized | undefined;

  constructor(setup: HandlerSetup, body: PreparedBody) {
    this.#setup = setup;
    this.#body = body;
  }

  start(): boolean {
    return this.#send(this.#setup.nonces.get(this.#setup.origin));
  }

  startLater(): void {
    try {
      this.start();
    } catch (error) {
      this.#fail(error);
    }
  }

  onRequestStart(controller: Dispatcher.DispatchController, context: unknown): void {
    this.#controller.target = controller;
    // The caller sees one request, whatever the number of attempts; it keeps one controller, which follows them.
    if (!this.#calledOnRequestStart) {
      this.#calledOnRequestStart = true;
      this.#setup.handler.onRequestStart?.(this.#controller, context);
    }
  }

  onResponseStart(
    _controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: ResponseHeaders,
    statusMessage?: string,
  ): void {
    if (statusCode === 401 && !this.#answeredChallenge) {
      this.#afterUnauthorized = this.#decide(headers['www-authenticate']);
      if (this.#afterUnauthorized !== undefined) {
        return;
      }
    }
    this.#setup.handler.onResponseStart?.(this.#controller, statusCode, headers, statusMessage);
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    // A 401 being answered is read to its end and dropped, so its connection goes back to the pool.
    if (this.#afterUnauthorized === undefined) {
      this.#setup.handler.onResponseData?.(this.#controller, chunk);
    }
  }

  onResponseEnd(_controller: Dispatcher.DispatchController, trailers: ResponseHeaders): void {
    const next = this.#afterUnauthorized;
    if (next === undefined) {
      this.#setup.handler.onResponseEnd?.(this.#controller, trailers);
      return;
    }
    this.#afterUnauthorized = undefined;
    if ('error' in next) {
      this.#fail(next.error);
      return;
    }
    this.#answeredChallenge = true;
    // undici hands the connection back one event-loop turn after this callback (a setImmediate in
    // lib/dispatcher/client-h1.js, onMessageComplete). Sending sooner finds it busy and makes the pool open a
    // second connection, a second TLS handshake to Atlas on every cold start; two turns later it is free.
    setImmediate(() =>
      setImmediate(() => {
        try {
          this.#setup.onChallenge?.(next.answer.challenge, this.#setup.origin);
          // An abort since the 401 ended reached no attempt: the controller aborts this one as it starts.
          this.#send(next.answer);
        } catch (error) {
          this.#fail(error);
        }
      }),
    );
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.#afterUnauthorized = undefined;
    this.#setup.handler.onResponseError?.(this.#controller, error);
  }

  #fail(error: unknown): void {
    this.#setup.handler.onResponseError?.(this.#controller, asError(error));
  }

  #send(nonce: NonceCount | undefined): boolean {
    const { opts, credentials, dispatch } = this.#setup;
    const headers =
      nonce === undefined
        ? opts.headers
        : [...opts.headers, 'authorization', credentials.authorization(nonce, opts.method, opts.path)];
    return dispatch({ ...opts, headers, body: this.#body.body as Dispatcher.DispatchOptions['body'] }, this);
  }

  /** @returns undefined to hand the 401 to the caller. */
  #decide(wwwAuthenticate: string | string[] | undefined): AfterUnauthorized | undefined {
    const { nonces, origin } = this.#setup;
    let challenge: DigestChallenge | undefined;
    try {
      challenge = selectDigestChallenge(wwwAuthenticate);
    } catch (error) {
      nonces.delete(origin);
      return { error };
    }
    if (challenge === undefined) {
      return undefined;
    }
    const current = nonces.get(origin);
    // A server may hand out the same nonce again; its count must go on, not restart at 1.
    const answer = current?.sameNonce(challenge) ? current : new NonceCount(challenge);
    nonces.set(origin, answer);
    // The body was streamed and is gone: the caller gets the 401, the next request goes with credentials.
    return this.#body.replayable ? { answer } : undefined;
  }
}

/**
 * The controller the caller holds for the whole request. Each attempt has its own connection controller; this
 * one forwards to the current attempt, and remembers an abort that arrives between two attempts so that the
 * next attempt is aborted as soon as it starts instead of running unobserved.
 */
class AttemptController implements Dispatcher.DispatchController {
  #target: Dispatcher.DispatchController | undefined;
  #reason: Error | null = null;
  #aborted = false;
  #paused = false;

  set target(target: Dispatcher.DispatchController) {
    this.#target = target;
    if (this.#aborted) {
      target.abort(this.#reason ?? new errors.RequestAbortedError());
    } else if (this.#paused) {
      target.pause();
    }
  }

  get aborted(): boolean {
    return this.#aborted || (this.#target?.aborted ?? false);
  }

  get paused(): boolean {
    return this.#paused || (this.#target?.paused ?? false);
  }

  get reason(): Error | null {
    return this.#reason ?? this.#target?.reason ?? null;
  }

  get rawHeaders(): Dispatcher.DispatchController['rawHeaders'] {
    return this.#target?.rawHeaders ?? null;
  }

  get rawTrailers(): Dispatcher.DispatchController['rawTrailers'] {
    return this.#target?.rawTrailers ?? null;
  }

  abort(reason: Error): void {
    this.#aborted = true;
    this.#reason = reason;
    this.#target?.abort(reason);
  }

  pause(): void {
    this.#paused = true;
    this.#target?.pause();
  }

  resume(): void {
    this.#paused = false;
    this.#target?.resume();
  }
}

/** The request-target exactly as undici will send it, which is what `uri` must hash. */
function requestTarget(opts: Dispatcher.DispatchOptions): string | undefined {
  if (opts.query == null) {
    return opts.path;
  }
  if (typeof opts.path !== 'string' || opts.path.includes('?') || opts.path.includes('#')) {
    // undici refuses a query next to a path that has one; let it say so.
    return undefined;
  }
  const query = stringify(opts.query);
  return query ? `${opts.path}?${query}` : opts.path;
}

function originKey(origin: string | URL | undefined): string {
  if (origin === undefined) {
    // Composed on a Client or Pool, which has one origin of its own.
    return '';
  }
  try {
    return new URL(String(origin)).origin;
  } catch {
    return String(origin);
  }
}

type HeaderValue = string | string[] | undefined;

/** The caller's headers as name/value pairs, read the way undici reads them (lib/core/request.js). */
function headerPairs(headers: Dispatcher.DispatchOptions['headers']): [string, HeaderValue][] {
  if (headers == null) {
    return [];
  }
  if (Array.isArray(headers)) {
    if (Array.isArray(headers[0])) {
      // An array of pairs, which undici's types allow and its request parser does not read: read it here.
      return headers as unknown as [string, HeaderValue][];
    }
    if (headers.length % 2 !== 0) {
      throw new errors.InvalidArgumentError('headers array must be even');
    }
    const pairs: [string, HeaderValue][] = [];
    for (let i = 0; i < headers.length; i += 2) {
      pairs.push([String(headers[i]), headers[i + 1]]);
    }
    return pairs;
  }
  if (hasSafeIterator(headers)) {
    return [...headers];
  }
  return Object.entries(headers as Record<string, HeaderValue>);
}

/**
 * undici's test (hasSafeIterator in lib/core/util.js): an iterator of the object's own, or one from a class;
 * never one that something added to `Object.prototype`.
 */
function hasSafeIterator(headers: object): headers is Iterable<[string, HeaderValue]> {
  return (
    Object.hasOwn(headers, Symbol.iterator) ||
    (Object.getPrototypeOf(headers) !== Object.prototype &&
      typeof (headers as Partial<Iterable<unknown>>)[Symbol.iterator] === 'function')
  );
}

function flatten(headers: readonly [string, HeaderValue][]): string[] {
  const flat: string[] = [];
  for (const [name, value] of headers) {
    if (value == null) {
      continue;
    }
    for (const one of Array.isArray(value) ? value : [value]) {
      flat.push(name, String(one));
    }
  }
  return flat;
}

function quote(value: string): string {
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

function invalidOption(field: string, message: string): InvalidRequestError {
  return new InvalidRequestError([{ field, message }]);
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : typeof value;
}

function validMaxReplayBodyBytes(value: number | undefined): number {
  if (value === undefined) {
    return DEFAULT_MAX_REPLAY_BODY_BYTES;
  }
  if (!Number.isSafeInteger(value) || value < 0) {
    throw invalidOption(
      'maxReplayBodyBytes',
      `expected a whole number of bytes, 0 or more, got ${String(value)}`,
    );
  }
  return value;
}

function validOnChallenge(value: DigestAuthOptions['onChallenge']): DigestAuthOptions['onChallenge'] {
  if (value !== undefined && typeof value !== 'function') {
    throw invalidOption('onChallenge', `expected a function, got ${typeof value}`);
  }
  return value;
}
