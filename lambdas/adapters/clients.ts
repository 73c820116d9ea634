/**
 * The SDK clients of the Lambda runtime, each built on first use and then kept for the life of the
 * process, so warm invocations reuse its connections and cold starts that never need one skip it.
 *
 * They take no configuration: the SDK reads the region (`AWS_REGION`) and, when set, an endpoint
 * override from the environment — `AWS_ENDPOINT_URL_<SERVICE>` (`AWS_ENDPOINT_URL_EC2`,
 * `AWS_ENDPOINT_URL_SECRETS_MANAGER`, `AWS_ENDPOINT_URL_SFN`) before the global `AWS_ENDPOINT_URL` —
 * which is how the offline runner points them at its local emulator.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';

let ec2: EC2Client | undefined;
let secrets: SecretsManagerClient | undefined;
let sfn: SFNClient | undefined;

/** The process's EC2 client. */
export function ec2Client(): EC2Client {
  ec2 ??= new EC2Client({});
  return ec2;
}

/** The process's Secrets Manager client. */
export function secretsClient(): SecretsManagerClient {
  secrets ??= new SecretsManagerClient({});
  return secrets;
}

/** The process's Step Functions client. */
export function sfnClient(): SFNClient {
  sfn ??= new SFNClient({});
  return sfn;
}
