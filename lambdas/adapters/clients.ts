/**
 * The SDK clients of the Lambda runtime, each built on first use and then kept for the life of the
 * process, so warm invocations reuse its connections and cold starts that never need one skip it.
 *
 * They take their configuration from the environment: the SDK reads the region (`AWS_REGION`) and,
 * when set, an endpoint override — `AWS_ENDPOINT_URL_<SERVICE>` (`AWS_ENDPOINT_URL_EC2`,
 * `AWS_ENDPOINT_URL_SECRETS_MANAGER`, `AWS_ENDPOINT_URL_SFN`) before the global `AWS_ENDPOINT_URL` —
 * which is how the offline runner points them at its local emulator; `SDK_REQUEST_TIMEOUT_MS` bounds
 * each HTTP request (see `sdkConfig`).
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { clientGeneration, sdkClientConfig } from './sdkConfig';

export { ClientEnv, forgetClients } from './sdkConfig';

type Cached<T> = { readonly generation: number; readonly client: T } | undefined;

let ec2: Cached<EC2Client>;
let secrets: Cached<SecretsManagerClient>;
let sfn: Cached<SFNClient>;

function current<T>(cached: Cached<T>, build: () => T): { readonly generation: number; readonly client: T } {
  return cached?.generation === clientGeneration()
    ? cached
    : { generation: clientGeneration(), client: build() };
}

/** The process's EC2 client. */
export function ec2Client(): EC2Client {
  ec2 = current(ec2, () => new EC2Client(sdkClientConfig()));
  return ec2.client;
}

/** The process's Secrets Manager client. */
export function secretsClient(): SecretsManagerClient {
  secrets = current(secrets, () => new SecretsManagerClient(sdkClientConfig()));
  return secrets.client;
}

/** The process's Step Functions client. */
export function sfnClient(): SFNClient {
  sfn = current(sfn, () => new SFNClient(sdkClientConfig()));
  return sfn.client;
}
