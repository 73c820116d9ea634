import { randomBytes } from 'node:crypto';
import type { Clock } from '../shared/model';
import { AtlasErrorCode, apiErrorBody } from './errors';
import type { RateLimiter } from './RateLimiter';

/** What the token endpoint answers (RFC 6749 §5.1 / §5.2 bodies). */
export interface TokenEndpointAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly headers: Readonly<Record<string, string>>;
}

const noStore = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };

/**
 * The OAuth 2.0 client-credentials flow of Atlas service accounts: `POST /api/oauth/token` with HTTP Basic
 * client authentication issues opaque Bearer tokens that expire by the emulator's clock. With a `limiter`,
 * each client id may ask only so often (Atlas allows about 10 a minute): beyond that the answer is 429
 * `RATE_LIMITED` with `Retry-After`, before the credentials are even looked at.
 */
export class TokenIssuer {
  readonly #clients: ReadonlyMap<string, string>;
  readonly #ttlSeconds: number;
  readonly #clock: Clock;
  readonly #limiter: RateLimiter | undefined;
  readonly #tokens = new Map<string, number>();

  constructor(options: {
    clients: ReadonlyMap<string, string>;
    ttlSeconds: number;
    clock: Clock;
    limiter?: RateLimiter | undefined;
  }) {
    this.#clients = options.clients;
    this.#ttlSeconds = options.ttlSeconds;
    this.#clock = options.clock;
    this.#limiter = options.limiter;
  }

  issue(
    authorization: string | undefined,
    contentType: string | undefined,
    body: string,
  ): TokenEndpointAnswer {
    const client = parseBasic(authorization);
    const limited = this.#limit(client?.id ?? '');
    if (limited) return limited;
    if (!client || this.#clients.get(client.id) !== client.secret) {
      return {
        status: 401,
        body: { error: 'invalid_client', error_description: 'Client authentication failed.' },
        headers: { ...noStore, 'WWW-Authenticate': 'Basic realm="MongoDB Atlas"' },
      };
    }
    if (!(contentType ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')) {
      return {
        status: 400,
        body: {
          error: 'invalid_request',
          error_description: 'Expected an application/x-www-form-urlencoded body.',
        },
        headers: noStore,
      };
    }
    const grantType = new URLSearchParams(body).get('grant_type');
    if (grantType !== 'client_credentials') {
      return {
        status: 400,
        body: {
          error: grantType === null ? 'invalid_request' : 'unsupported_grant_type',
          error_description: 'grant_type must be client_credentials.',
        },
        headers: noStore,
      };
    }
    this.#prune();
    const token = `emu_${randomBytes(32).toString('base64url')}`;
    this.#tokens.set(token, this.#clock() + this.#ttlSeconds * 1000);
    return {
      status: 200,
      body: { access_token: token, token_type: 'Bearer', expires_in: this.#ttlSeconds },
      headers: noStore,
    };
  }

  /** True for a token this issuer gave out that has not expired. */
  accepts(token: string): boolean {
    const expiresAt = this.#tokens.get(token);
    return expiresAt !== undefined && this.#clock() < expiresAt;
  }

  reset(): void {
    this.#tokens.clear();
    this.#limiter?.reset();
  }

  #limit(clientId: string): TokenEndpointAnswer | undefined {
    const limiter = this.#limiter;
    if (!limiter) return undefined;
    const verdict = limiter.take(clientId);
    const limit = { 'RateLimit-Limit': String(limiter.limit) };
    if (verdict.allowed) return undefined;
    return {
      status: 429,
      body: {
        ...apiErrorBody(
          429,
          AtlasErrorCode.RATE_LIMITED,
          `Resource /api/oauth/token is limited to ${limiter.limit} requests every 1 minutes.`,
          ['/api/oauth/token', limiter.limit, 1],
        ),
      },
      headers: {
        ...noStore,
        ...limit,
        'RateLimit-Remaining': '0',
        'Retry-After': String(verdict.retryAfterSeconds),
      },
    };
  }

  #prune(): void {
    const now = this.#clock();
    for (const [token, expiresAt] of this.#tokens) if (expiresAt <= now) this.#tokens.delete(token);
  }
}

function parseBasic(header: string | undefined): { id: string; secret: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  // RFC 6749 §2.3.1: client id and secret are form-urlencoded before Basic encoding.
  try {
    return {
      id: decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' ')),
      secret: decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' ')),
    };
  } catch {
    return undefined;
  }
}
