/**
 * What every handler needs from its environment, built lazily (nothing at module load, so a cold start
 * pays only for what the function uses) and swappable in tests: `createXHandler(runtime)`.
 */
import { createHash, randomInt } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { AtlasCredentialsStore } from '../adapters/AtlasCredentialsStore';
import { ec2Client, secretsClient } from '../adapters/clients';
import { VpcEndpoints } from '../adapters/VpcEndpoints';
import { AtlasClient } from '../atlas/AtlasClient';
import type { AtlasCredentials } from '../atlas/types';
import { AtlasCredentialsError } from '../errors';

export interface Runtime {
  readonly logger: Logger;
  /** The Atlas client, built from the credentials secret (cached across warm invocations). */
  atlas(): Promise<AtlasClient>;
  vpcEndpoints(): VpcEndpoints;
  /** The value of the `atlas-privatelink:managed-by` tag this deployment puts on its endpoints. */
  managedBy(): string;
  now(): number;
  random(): number;
  hash(text: string): string;
}

/** Environment variables the functions read; set by the workflow construct. */
export const RuntimeEnv = {
  secretArn: 'ATLAS_SECRET_ARN',
  atlasBaseUrl: 'ATLAS_BASE_URL',
  managedBy: 'MANAGED_BY',
} as const;

export const logger = new Logger({ serviceName: 'atlas-privatelink' });

let credentialsStore: AtlasCredentialsStore | undefined;
let cached: { credentials: AtlasCredentials; client: AtlasClient } | undefined;
let vpcEndpoints: VpcEndpoints | undefined;

async function atlasFromSecret(): Promise<AtlasClient> {
  const secretArn = process.env[RuntimeEnv.secretArn];
  if (!secretArn) {
    throw new AtlasCredentialsError(`${RuntimeEnv.secretArn} is not set: this function cannot reach Atlas`);
  }
  credentialsStore ??= new AtlasCredentialsStore(secretsClient());
  const credentials = await credentialsStore.get(secretArn);
  // Keep the client (and its Digest nonce) while the secret is unchanged; a rotated secret gets a new one.
  if (!cached || !sameCredentials(cached.credentials, credentials)) {
    await cached?.client.close();
    const baseUrl = process.env[RuntimeEnv.atlasBaseUrl];
    cached = { credentials, client: new AtlasClient({ credentials, ...(baseUrl ? { baseUrl } : {}) }) };
  }
  return cached.client;
}

function sameCredentials(a: AtlasCredentials, b: AtlasCredentials): boolean {
  if ('publicKey' in a && 'publicKey' in b)
    return a.publicKey === b.publicKey && a.privateKey === b.privateKey;
  if ('clientId' in a && 'clientId' in b)
    return a.clientId === b.clientId && a.clientSecret === b.clientSecret;
  return false;
}

let clock: () => number = () => Date.now();

/**
 * Replaces the clock the handlers read. Only the offline runner calls this, to run the workflow on a
 * virtual clock that Wait states advance instead of sleeping; deployed functions keep `Date.now`.
 */
export function useClock(next: () => number): void {
  clock = next;
}

/** The runtime of a deployed (or offline-run) Lambda: SDK clients and Atlas from the environment. */
export const lambdaRuntime: Runtime = {
  logger,
  atlas: atlasFromSecret,
  vpcEndpoints: () => {
    vpcEndpoints ??= new VpcEndpoints(ec2Client());
    return vpcEndpoints;
  },
  managedBy: () => process.env[RuntimeEnv.managedBy] ?? 'atlas-privatelink',
  now: () => clock(),
  random: () => randomInt(0, 1_000_000) / 1_000_000,
  hash: (text) => createHash('sha256').update(text).digest('hex'),
};

/** Runs a handler body with the execution name as the log correlation id. */
export async function withExecution<T>(
  runtime: Runtime,
  executionName: string,
  body: () => Promise<T>,
): Promise<T> {
  runtime.logger.setCorrelationId(executionName);
  try {
    return await body();
  } finally {
    runtime.logger.resetKeys();
  }
}
