import { setTimeout as delay } from 'node:timers/promises';
import type { Dispatcher } from 'undici';
import { AtlasCredentialsError, type FieldViolation, InvalidRequestError } from '../errors';
import { describeReceived } from '../ids';
import { DEFAULT_TIMEOUTS } from './limits';
import { type ApiVersion, ApiVersionProfile, parseBaseUrl } from './paths';
import { refuseViolations } from './requestChecks';
import { DEFAULT_RETRY, type RetryOptions } from './retryPolicy';
import type { AtlasCredentials } from './types';

/** Options of {@link AtlasClient}. */
export interface AtlasClientOptions {
  /** A programmatic API key (HTTP Digest) or a service account (OAuth 2.0 client credentials). */
  readonly credentials: AtlasCredentials;
  /**
   * Where Atlas is: the emulator's URL in tests, `https://cloud.mongodbgov.com` for Atlas for Government.
   * @default 'https://cloud.mongodb.com'
   */
  readonly baseUrl?: string;
  /**
   * `v2` (`/api/atlas/v2`, `Accept: application/vnd.atlas.2023-01-01+json`) or the legacy `v1.0`
   * (`/api/atlas/v1.0`, `Accept: application/json`).
   * @default 'v2'
   */
  readonly apiVersion?: ApiVersion;
  /**
   * The undici dispatcher requests go through; the caller keeps ownership (`close()` leaves it open).
   * @default - an undici `Agent` with the timeouts below, closed by `close()`
   */
  readonly dispatcher?: Dispatcher;
  /**
   * Time allowed to open a connection (TCP and TLS). Only used for the client's own `Agent`.
   * @default 5000
   */
  readonly connectTimeoutMs?: number;
  /**
   * Time allowed from sending a request to receiving the response headers.
   * @default 15000
   */
  readonly headersTimeoutMs?: number;
  /**
   * Time allowed between two chunks of a response body.
   * @default 15000
   */
  readonly bodyTimeoutMs?: number;
  /**
   * Time one HTTP exchange may take in all (connection, a Digest challenge and its answer, headers and
   * body): the bound the other timeouts leave open, since the body timeout only limits the gap between
   * chunks. No exchange of an operation runs past the operation's retry deadline plus this.
   * @default 15000
   */
  readonly requestTimeoutMs?: number;
  /**
   * Largest 2xx body accepted; a larger one fails with `AtlasResponseError`.
   * @default 1048576 (1 MiB)
   */
  readonly maxResponseBytes?: number;
  /**
   * @default - 4 attempts (2 while Atlas answers 429), within 20 s, backoff from 250 ms up to 5 s (see
   * {@link RetryOptions})
   */
  readonly retry?: RetryOptions;
  /** @default 'atlas-privatelink-workflow (undici)' */
  readonly userAgent?: string;
  /** Waits between attempts; tests pass one that records the waits. @default - a timer */
  readonly sleep?: (ms: number) => Promise<void>;
  /** The jitter source, in [0, 1). @default Math.random */
  readonly random?: () => number;
  /** The clock in ms since the epoch (deadlines, token expiry, HTTP-date `Retry-After`). @default Date.now */
  readonly now?: () => number;
}

/** The credentials, checked and told apart. */
export type CheckedCredentials =
  | { readonly kind: 'apiKey'; readonly publicKey: string; readonly privateKey: string }
  | { readonly kind: 'serviceAccount'; readonly clientId: string; readonly clientSecret: string };

/** Every option with its default applied, checked. */
export interface ResolvedOptions {
  readonly credentials: CheckedCredentials;
  readonly origin: string;
  readonly pathPrefix: string;
  /** The path prefix and the API version's base path, e.g. `/api/atlas/v2`. */
  readonly basePath: string;
  readonly mediaType: string;
  readonly connectTimeoutMs: number;
  readonly headersTimeoutMs: number;
  readonly bodyTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly maxResponseBytes: number;
  readonly retry: Required<RetryOptions>;
  readonly userAgent: string;
  readonly sleep: (ms: number) => Promise<void>;
  readonly random: () => number;
  readonly now: () => number;
}

const DEFAULT_BASE_URL = 'https://cloud.mongodb.com';

const DEFAULT_USER_AGENT = 'atlas-privatelink-workflow (undici)';

/**
 * Applies the defaults and checks every option, naming the ones out of range.
 * @throws AtlasCredentialsError when `credentials` is neither a complete API key nor a complete service account.
 * @throws InvalidRequestError naming each option that is out of range (`baseUrl`, `retry.maxAttempts`, …).
 */
export function resolveOptions(options: AtlasClientOptions): ResolvedOptions {
  const location = parseBaseUrl(options.baseUrl ?? DEFAULT_BASE_URL);
  if ('problem' in location) {
    throw new InvalidRequestError([{ field: 'baseUrl', message: `expected ${location.problem}` }]);
  }
  const apiVersion = options.apiVersion ?? 'v2';
  const profile = ApiVersionProfile[apiVersion];
  const retry = { ...DEFAULT_RETRY, ...definedOnly(options.retry ?? {}) };
  const resolved = {
    connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_TIMEOUTS.connectTimeoutMs,
    headersTimeoutMs: options.headersTimeoutMs ?? DEFAULT_TIMEOUTS.headersTimeoutMs,
    bodyTimeoutMs: options.bodyTimeoutMs ?? DEFAULT_TIMEOUTS.bodyTimeoutMs,
    requestTimeoutMs: options.requestTimeoutMs ?? DEFAULT_TIMEOUTS.requestTimeoutMs,
    maxResponseBytes: options.maxResponseBytes ?? 1024 * 1024,
  };
  refuseViolations([
    profile === undefined
      ? { field: 'apiVersion', message: `expected "v2" or "v1.0", received ${describeReceived(apiVersion)}` }
      : undefined,
    ...Object.entries(resolved).map(([field, value]) => positive(field, value)),
    Number.isInteger(retry.maxAttempts) && retry.maxAttempts >= 1
      ? undefined
      : {
          field: 'retry.maxAttempts',
          message: `expected an integer of at least 1, received ${retry.maxAttempts}`,
        },
    Number.isInteger(retry.rateLimitedAttempts) && retry.rateLimitedAttempts >= 1
      ? undefined
      : {
          field: 'retry.rateLimitedAttempts',
          message: `expected an integer of at least 1, received ${retry.rateLimitedAttempts}`,
        },
    positive('retry.deadlineMs', retry.deadlineMs),
    nonNegative('retry.baseDelayMs', retry.baseDelayMs),
    nonNegative('retry.maxDelayMs', retry.maxDelayMs),
  ]);
  return {
    ...resolved,
    credentials: checkCredentials(options.credentials),
    origin: location.origin,
    pathPrefix: location.pathPrefix,
    basePath: `${location.pathPrefix}${profile.basePath}`,
    mediaType: profile.mediaType,
    retry,
    userAgent: options.userAgent ?? DEFAULT_USER_AGENT,
    sleep: options.sleep ?? ((ms) => delay(ms)),
    random: options.random ?? Math.random,
    now: options.now ?? Date.now,
  };
}

function checkCredentials(credentials: AtlasCredentials | undefined): CheckedCredentials {
  const fields = (credentials ?? {}) as Record<string, unknown>;
  const filled = (name: string) => typeof fields[name] === 'string' && fields[name] !== '';
  if ('publicKey' in fields || 'privateKey' in fields) {
    if (filled('publicKey') && filled('privateKey')) {
      return {
        kind: 'apiKey',
        publicKey: fields['publicKey'] as string,
        privateKey: fields['privateKey'] as string,
      };
    }
    throw new AtlasCredentialsError('Atlas API key credentials need a non-empty publicKey and privateKey');
  }
  if (filled('clientId') && filled('clientSecret')) {
    return {
      kind: 'serviceAccount',
      clientId: fields['clientId'] as string,
      clientSecret: fields['clientSecret'] as string,
    };
  }
  throw new AtlasCredentialsError(
    'Atlas credentials must be an API key {publicKey, privateKey} or a service account {clientId, clientSecret}',
  );
}

function positive(field: string, value: number): FieldViolation | undefined {
  return Number.isFinite(value) && value > 0
    ? undefined
    : { field, message: `expected a positive number, received ${describeReceived(value)}` };
}

function nonNegative(field: string, value: number): FieldViolation | undefined {
  return Number.isFinite(value) && value >= 0
    ? undefined
    : { field, message: `expected a number of at least 0, received ${describeReceived(value)}` };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
