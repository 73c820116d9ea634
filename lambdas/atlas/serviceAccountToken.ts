import type { Dispatcher } from 'undici';
import { type AtlasApiError, AtlasAuthError, AtlasResponseError } from '../errors';
import { toAtlasApiError } from './atlasErrors';
import { exchange, headerValue } from './exchange';
import { OAUTH_TOKEN_PATH } from './paths';
import { parseSuccessBody } from './responses';
import { parseRetryAfterMs } from './retryPolicy';
import type { AtlasServiceAccount } from './types';

/** How to reach the token endpoint. */
export interface ServiceAccountTokenOptions {
  readonly credentials: AtlasServiceAccount;
  /** `scheme://host[:port]` of Atlas. */
  readonly origin: string;
  /** A path prefix of the base URL, usually empty. */
  readonly pathPrefix?: string;
  /** Plain dispatcher (no Digest interceptor). */
  readonly dispatcher: Dispatcher;
  readonly userAgent: string;
  readonly headersTimeoutMs: number;
  readonly bodyTimeoutMs: number;
  /** The whole token request, connection to body. */
  readonly requestTimeoutMs: number;
  /** @default Date.now */
  readonly now?: () => number;
}

interface CachedToken {
  readonly accessToken: string;
  /** When to stop using it: shortly before it expires, so a request never carries a token about to lapse. */
  readonly refreshAtMs: number;
}

/** Atlas issues tokens for an hour; assumed when a token answer does not say. */
const DEFAULT_LIFETIME_SECONDS = 3600;
/** A token is replaced 60 s before it expires, or at 90 % of a lifetime shorter than 10 minutes. */
const REFRESH_MARGIN_MS = 60_000;
const MAX_TOKEN_BODY_BYTES = 64 * 1024;

/**
 * The OAuth 2.0 client-credentials access token of an Atlas service account: fetched on first use
 * (`POST /api/oauth/token`), cached until shortly before it expires, shared by concurrent callers (one
 * fetch in flight at a time; the token endpoint allows only about 10 requests a minute), and dropped
 * when Atlas refuses it.
 *
 * @example
 * const tokens = new ServiceAccountToken({ credentials: { clientId, clientSecret },
 *   origin: 'https://cloud.mongodb.com', dispatcher: new Agent(), userAgent: 'me', headersTimeoutMs: 15_000,
 *   bodyTimeoutMs: 15_000, requestTimeoutMs: 15_000 });
 * const token = await tokens.get(); // send as `Authorization: Bearer ${token}`
 */
export class ServiceAccountToken {
  readonly #options: ServiceAccountTokenOptions;
  readonly #now: () => number;
  #cached: CachedToken | undefined;
  #inFlight: Promise<CachedToken> | undefined;

  constructor(options: ServiceAccountTokenOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /**
   * A valid access token, from the cache or freshly fetched.
   * @throws AtlasAuthError when Atlas refuses the client id or secret (400/401); AtlasRateLimitedError,
   *   AtlasServerError or AtlasNetworkError when the token endpoint is busy or unreachable (retryable);
   *   AtlasResponseError when it answers 2xx without a usable token.
   */
  async get(): Promise<string> {
    const cached = this.#cached;
    if (cached && this.#now() < cached.refreshAtMs) return cached.accessToken;
    if (!this.#inFlight) {
      this.#inFlight = this.#fetch().then(
        (token) => {
          this.#cached = token;
          this.#inFlight = undefined;
          return token;
        },
        (error: unknown) => {
          this.#inFlight = undefined;
          throw error;
        },
      );
    }
    return (await this.#inFlight).accessToken;
  }

  /** Forgets `accessToken` if it is the cached one (Atlas answered 401 to it), so the next `get` fetches anew. */
  invalidate(accessToken: string): void {
    if (this.#cached?.accessToken === accessToken) this.#cached = undefined;
  }

  async #fetch(): Promise<CachedToken> {
    const { credentials, origin, pathPrefix = '', dispatcher } = this.#options;
    const path = `${pathPrefix}${OAUTH_TOKEN_PATH}`;
    const request = `POST ${path}`;
    const basic = Buffer.from(`${credentials.clientId}:${credentials.clientSecret}`, 'utf8').toString(
      'base64',
    );
    const requestedAt = this.#now();
    const response = await exchange(dispatcher, {
      origin,
      method: 'POST',
      path,
      headers: {
        authorization: `Basic ${basic}`,
        'content-type': 'application/x-www-form-urlencoded',
        accept: 'application/json',
        'user-agent': this.#options.userAgent,
      },
      body: 'grant_type=client_credentials',
      headersTimeoutMs: this.#options.headersTimeoutMs,
      bodyTimeoutMs: this.#options.bodyTimeoutMs,
      totalTimeoutMs: this.#options.requestTimeoutMs,
      maxBodyBytes: MAX_TOKEN_BODY_BYTES,
    });
    if (response.status < 200 || response.status > 299) {
      throw this.#failure(
        response.status,
        response.body.text,
        request,
        headerValue(response.headers, 'retry-after'),
      );
    }
    const origin2xx = { status: response.status, request };
    const body = parseSuccessBody(response.body, MAX_TOKEN_BODY_BYTES, origin2xx);
    return toCachedToken(body, requestedAt, origin2xx);
  }

  #failure(status: number, text: string, request: string, retryAfter: string | undefined): AtlasApiError {
    const error = toAtlasApiError(status, text, request, parseRetryAfterMs(retryAfter, this.#now()));
    // OAuth answers a bad client id or secret with 400 invalid_client (RFC 6749 §5.2): a credentials problem.
    if (status === 400) {
      const { errorCode, detail, reason, parameters } = error;
      return new AtlasAuthError({ status, errorCode, detail, reason, parameters, request });
    }
    return error;
  }
}

function toCachedToken(
  body: unknown,
  requestedAtMs: number,
  origin: { status: number; request: string },
): CachedToken {
  const record = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const accessToken = record['access_token'];
  if (typeof accessToken !== 'string' || accessToken === '') {
    throw new AtlasResponseError(
      `Atlas answered ${origin.status} to ${origin.request} without an access_token`,
      origin.status,
    );
  }
  const tokenType = record['token_type'];
  if (tokenType !== undefined && (typeof tokenType !== 'string' || tokenType.toLowerCase() !== 'bearer')) {
    throw new AtlasResponseError(
      `Atlas answered ${origin.status} to ${origin.request} with token_type ${JSON.stringify(tokenType)}, not Bearer`,
      origin.status,
    );
  }
  const expiresIn = record['expires_in'];
  const lifetimeMs =
    (typeof expiresIn === 'number' && Number.isFinite(expiresIn) && expiresIn > 0
      ? expiresIn
      : DEFAULT_LIFETIME_SECONDS) * 1000;
  // Counted from when the token was asked for, not received: the slower the answer, the earlier the refresh.
  const margin = Math.min(REFRESH_MARGIN_MS, lifetimeMs * 0.1);
  return { accessToken, refreshAtMs: requestedAtMs + lifetimeMs - margin };
}
