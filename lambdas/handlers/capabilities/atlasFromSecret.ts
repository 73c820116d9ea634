import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { AtlasCredentialsStore } from '../../adapters/AtlasCredentialsStore';
import { AtlasClient } from '../../atlas/AtlasClient';
import type { AtlasCredentials } from '../../atlas/types';
import { AtlasCredentialsError } from '../../errors';
import { RuntimeEnv } from '../runtime';

let credentialsStore: AtlasCredentialsStore | undefined;
let cached: { credentials: AtlasCredentials; client: AtlasClient } | undefined;

/**
 * The Atlas client of this process, from the secret named by `ATLAS_SECRET_ARN`. Built on first use and
 * kept while the secret is unchanged, so a warm function reuses its connection and Digest nonce (one
 * HTTP request per Atlas call); a rotated secret gets a new client.
 */
export async function atlasFromSecret(): Promise<AtlasClient> {
  const secretArn = process.env[RuntimeEnv.secretArn];
  if (!secretArn) {
    throw new AtlasCredentialsError(`${RuntimeEnv.secretArn} is not set: this function cannot reach Atlas`);
  }
  credentialsStore ??= new AtlasCredentialsStore(new SecretsManagerClient({}));
  const credentials = await credentialsStore.get(secretArn);
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
