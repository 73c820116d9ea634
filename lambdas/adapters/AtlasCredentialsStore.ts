import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { AtlasCredentials } from '../atlas/types';
import { AtlasCredentialsError, InvalidRequestError, SecretsUnavailableError } from '../errors';
import { PLACEHOLDER_PUBLIC_KEY } from '../secretPlaceholder';

/** Options of {@link AtlasCredentialsStore}. */
export interface AtlasCredentialsStoreOptions {
  /**
   * How long a secret read stays cached, in milliseconds, counted from when the read finished.
   * @default 300_000 (5 minutes)
   */
  readonly ttlMs?: number;
  /**
   * The clock, in milliseconds since the epoch.
   * @default Date.now
   */
  readonly clock?: () => number;
}

interface Entry {
  readonly promise: Promise<AtlasCredentials>;
  /** `Infinity` while the read is in flight. */
  expiresAt: number;
}

const DEFAULT_TTL_MS = 5 * 60 * 1000;

/** Service errors whose message Secrets Manager writes itself (it names ARNs and policies, never the value). */
const EXPLAINED: Readonly<Record<string, string>> = {
  ResourceNotFoundException: 'it does not exist',
  AccessDeniedException: 'access is denied',
  DecryptionFailure: 'it cannot be decrypted with its KMS key',
  InvalidRequestException: 'Secrets Manager refused the request (is it scheduled for deletion?)',
  InvalidParameterException: 'Secrets Manager refused a parameter',
  InternalServiceError: 'Secrets Manager failed',
};

/**
 * Reads Atlas credentials from a Secrets Manager secret whose `SecretString` is JSON: either an API key
 * `{"publicKey": "…", "privateKey": "…"}` or a service account `{"clientId": "…", "clientSecret": "…"}`
 * (other fields are ignored).
 *
 * Reads are cached per secret id for `ttlMs` across warm invocations, and concurrent callers share
 * one request; a failed read is not cached. Every failure is an {@link AtlasCredentialsError} whose
 * message names the secret id and the problem and never any part of the secret value: no SDK or parse
 * error is attached as `cause`, since either can quote the response body.
 *
 * @example
 * ```ts
 * const store = new AtlasCredentialsStore(secretsClient());
 * const credentials = await store.get(process.env.ATLAS_SECRET_ID!);
 * // after Atlas answers 401, the secret may have been rotated:
 * store.invalidate(process.env.ATLAS_SECRET_ID!);
 * ```
 */
export class AtlasCredentialsStore {
  readonly #client: SecretsManagerClient;
  readonly #ttlMs: number;
  readonly #clock: () => number;
  readonly #cache = new Map<string, Entry>();

  constructor(client: SecretsManagerClient, options: AtlasCredentialsStoreOptions = {}) {
    const ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
    if (!Number.isFinite(ttlMs) || ttlMs < 0) {
      throw new InvalidRequestError([
        {
          field: 'options.ttlMs',
          message: `expected a finite number of milliseconds ≥ 0, got ${String(ttlMs)}`,
        },
      ]);
    }
    this.#client = client;
    this.#ttlMs = ttlMs;
    this.#clock = options.clock ?? Date.now;
  }

  /** The credentials in `secretId` (a secret name or ARN), from the cache while fresh. */
  get(secretId: string): Promise<AtlasCredentials> {
    const cached = this.#cache.get(secretId);
    if (cached && this.#clock() < cached.expiresAt) return cached.promise;

    const entry: Entry = { promise: this.#read(secretId), expiresAt: Number.POSITIVE_INFINITY };
    this.#cache.set(secretId, entry);
    entry.promise.then(
      () => {
        entry.expiresAt = this.#clock() + this.#ttlMs;
      },
      () => {
        if (this.#cache.get(secretId) === entry) this.#cache.delete(secretId);
      },
    );
    return entry.promise;
  }

  /** Drops the cached credentials of `secretId`, so the next {@link get} reads the secret again. */
  invalidate(secretId: string): void {
    this.#cache.delete(secretId);
  }

  async #read(secretId: string): Promise<AtlasCredentials> {
    let secretString: string | undefined;
    let hasBinary = false;
    try {
      const out = await this.#client.send(new GetSecretValueCommand({ SecretId: secretId }));
      secretString = out.SecretString;
      hasBinary = out.SecretBinary !== undefined;
    } catch (error) {
      const message = `Atlas credentials secret "${secretId}" could not be read: ${describeSdkError(error)}`;
      throw isPassing(error) ? new SecretsUnavailableError(message) : new AtlasCredentialsError(message);
    }
    if (secretString === undefined) {
      const what = hasBinary ? 'it holds a binary value, not a SecretString' : 'it holds no SecretString';
      throw new AtlasCredentialsError(`Atlas credentials secret "${secretId}" is unusable: ${what}`);
    }
    return parseCredentials(secretId, secretString);
  }
}

function parseCredentials(secretId: string, secretString: string): AtlasCredentials {
  const fail = (what: string) =>
    new AtlasCredentialsError(`Atlas credentials secret "${secretId}" is unusable: ${what}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(secretString);
  } catch {
    // The parse error is dropped on purpose: its message quotes the text around the bad character.
    throw fail('its SecretString is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw fail('its SecretString is not a JSON object');
  }
  const fields = parsed as Record<string, unknown>;
  const apiKey = pick(fields, 'publicKey', 'privateKey');
  const serviceAccount = pick(fields, 'clientId', 'clientSecret');
  if (apiKey.complete && serviceAccount.complete) {
    throw fail(
      'it holds both an API key (publicKey, privateKey) and a service account (clientId, clientSecret); keep one',
    );
  }
  if (apiKey.complete && apiKey.first === PLACEHOLDER_PUBLIC_KEY) {
    throw new AtlasCredentialsError(
      `Atlas credentials secret "${secretId}" still holds the placeholder the stack created: the Atlas key was never put. ` +
        `Put it with: aws secretsmanager put-secret-value --secret-id ${secretId} ` +
        `--secret-string '{"publicKey":"<public key>","privateKey":"<private key>"}' ` +
        `(or '{"clientId":"<id>","clientSecret":"<secret>"}' for a service account)`,
    );
  }
  if (apiKey.complete) return { publicKey: apiKey.first, privateKey: apiKey.second };
  if (serviceAccount.complete) return { clientId: serviceAccount.first, clientSecret: serviceAccount.second };
  const partial = apiKey.present ? apiKey : serviceAccount.present ? serviceAccount : undefined;
  if (partial) throw fail(`${partial.problems.join(' and ')}`);
  throw fail(
    'expected a JSON object with non-empty string fields "publicKey" and "privateKey" (an API key) or "clientId" and "clientSecret" (a service account)',
  );
}

type Picked =
  | { readonly complete: true; readonly present: true; readonly first: string; readonly second: string }
  | { readonly complete: false; readonly present: boolean; readonly problems: readonly string[] };

function pick(fields: Record<string, unknown>, first: string, second: string): Picked {
  const a = fields[first];
  const b = fields[second];
  if (isFilled(a) && isFilled(b)) return { complete: true, present: true, first: a, second: b };
  const problems = [first, second].flatMap((name) => {
    const value = fields[name];
    if (value === undefined) return [`field "${name}" is missing`];
    if (typeof value !== 'string') return [`field "${name}" is not a string`];
    return isFilled(value) ? [] : [`field "${name}" is empty`];
  });
  return { complete: false, present: a !== undefined || b !== undefined, problems };
}

function isFilled(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== '';
}

const PASSING_ERRORS: ReadonlySet<string> = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'InternalServiceError',
  'ServiceUnavailable',
  'TimeoutError',
]);

/**
 * A failure that reading again may cure: throttling, a 5xx, no answer at all (reset, timeout), or a 2xx
 * whose body the SDK could not read (cut off on the way). Retried by the workflow like a network error.
 */
function isPassing(error: unknown): boolean {
  const e = (error ?? {}) as { name?: unknown; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  if (typeof e.name === 'string' && PASSING_ERRORS.has(e.name)) return true;
  return status === undefined || status >= 500 || (status >= 200 && status <= 299);
}

function describeSdkError(error: unknown): string {
  const e = (error ?? {}) as { name?: unknown; message?: unknown; $metadata?: { httpStatusCode?: number } };
  const name = typeof e.name === 'string' ? e.name : 'unknown error';
  const status = e.$metadata?.httpStatusCode;
  const explained = EXPLAINED[name];
  if (explained === undefined || status === undefined) {
    return status === undefined ? name : `${name} (HTTP ${status})`;
  }
  const message = typeof e.message === 'string' && e.message ? `: ${e.message}` : '';
  return `${explained} (${name}, HTTP ${status}${message})`;
}
