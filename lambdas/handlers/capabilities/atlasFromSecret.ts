import { AtlasCredentialsStore } from '../../adapters/AtlasCredentialsStore';
import { secretsClient } from '../../adapters/clients';
import { AtlasClient, type AtlasClientOptions, type RetryOptions } from '../../atlas/AtlasClient';
import type { AtlasCredentials } from '../../atlas/types';
import { envNumber } from '../../envNumber';
import { AtlasCredentialsError } from '../../errors';
import { RuntimeEnv } from '../environment';
import { handlerTime } from '../handlerTime';

let credentialsStore: { client: ReturnType<typeof secretsClient>; store: AtlasCredentialsStore } | undefined;
let cached: { credentials: AtlasCredentials; settings: string; client: AtlasClient } | undefined;

/**
 * The Atlas client of this process, from the secret named by `ATLAS_SECRET_ARN`. Built on first use and
 * kept while the secret (and the client's settings from the environment) are unchanged, so a warm
 * function reuses its connection and Digest nonce (one HTTP request per Atlas call); a rotated secret
 * gets a new client.
 */
export async function atlasFromSecret(): Promise<AtlasClient> {
  const secretArn = process.env[RuntimeEnv.secretArn];
  if (!secretArn) {
    throw new AtlasCredentialsError(`${RuntimeEnv.secretArn} is not set: this function cannot reach Atlas`);
  }
  // A new SDK client (only ever offline: see forgetClients) comes with an empty credentials cache.
  const client = secretsClient();
  if (credentialsStore?.client !== client) {
    credentialsStore = { client, store: new AtlasCredentialsStore(client) };
  }
  const credentials = await credentialsStore.store.get(secretArn);
  const options = atlasClientSettings();
  const settings = JSON.stringify(options);
  if (!cached || cached.settings !== settings || !sameCredentials(cached.credentials, credentials)) {
    await cached?.client.close();
    const time = { now: handlerTime.clientNow, sleep: handlerTime.sleep, random: handlerTime.random };
    cached = { credentials, settings, client: new AtlasClient({ credentials, ...options, ...time }) };
  }
  return cached.client;
}

/**
 * How the functions' Atlas client retries, besides its defaults: a 429 goes straight to the state
 * machine's Retry, which waits longer, for free. Under a project's rate limit shared by many executions
 * (or the token endpoint's, shared by every cold instance) a retry inside the function mostly meets
 * another 429: `npm run bench` measured 50 cold starts making 365 token requests with one, 142 without.
 */
export const FUNCTION_RETRY = { rateLimitedAttempts: 1 } as const satisfies RetryOptions;

/** The Atlas client's options that come from the environment (see {@link RuntimeEnv}). */
function atlasClientSettings(): Omit<AtlasClientOptions, 'credentials'> {
  const baseUrl = process.env[RuntimeEnv.atlasBaseUrl];
  const timeoutMs = envNumber(RuntimeEnv.atlasTimeoutMs, 'positive');
  const deadlineMs = envNumber(RuntimeEnv.atlasRetryDeadlineMs, 'positive');
  return {
    ...(baseUrl ? { baseUrl } : {}),
    ...(timeoutMs
      ? { connectTimeoutMs: timeoutMs, headersTimeoutMs: timeoutMs, bodyTimeoutMs: timeoutMs }
      : {}),
    retry: { ...FUNCTION_RETRY, ...(deadlineMs ? { deadlineMs } : {}) },
  };
}

function sameCredentials(a: AtlasCredentials, b: AtlasCredentials): boolean {
  if ('publicKey' in a && 'publicKey' in b)
    return a.publicKey === b.publicKey && a.privateKey === b.privateKey;
  if ('clientId' in a && 'clientId' in b)
    return a.clientId === b.clientId && a.clientSecret === b.clientSecret;
  return false;
}
