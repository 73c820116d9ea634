/**
 * The SDK clients of the Lambda runtime, each built on first use and then kept for the life of the
 * process, so warm invocations reuse its connections and cold starts that never need one skip it.
 *
 * They take their configuration from the environment: the SDK reads the region (`AWS_REGION`) and,
 * when set, an endpoint override — `AWS_ENDPOINT_URL_<SERVICE>` (`AWS_ENDPOINT_URL_EC2`,
 * `AWS_ENDPOINT_URL_SECRETS_MANAGER`, `AWS_ENDPOINT_URL_SFN`) before the global `AWS_ENDPOINT_URL` —
 * which is how the offline runner points them at its local emulator. `SDK_REQUEST_TIMEOUT_MS` bounds
 * each HTTP request (see {@link ClientEnv}).
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';

/** Environment variables the clients read besides the SDK's own. */
export const ClientEnv = {
  /**
   * Milliseconds one HTTP request may take before the SDK abandons it (and retries it, within its
   * attempts). The SDK sets no such bound by default, so a hung connection would hold a step until the
   * Lambda timeout; the offline fault tests set it low to make "latency past the timeout" quick.
   * @default 15000 (the Atlas client's headers timeout)
   */
  requestTimeoutMs: 'SDK_REQUEST_TIMEOUT_MS',
} as const;

const DEFAULT_REQUEST_TIMEOUT_MS = 15_000;
const CONNECTION_TIMEOUT_MS = 5_000;

let ec2: EC2Client | undefined;
let secrets: SecretsManagerClient | undefined;
let sfn: SFNClient | undefined;

function requestHandler(): { requestTimeout: number; connectionTimeout: number } {
  const configured = Number(process.env[ClientEnv.requestTimeoutMs]);
  const requestTimeout =
    Number.isFinite(configured) && configured > 0 ? configured : DEFAULT_REQUEST_TIMEOUT_MS;
  return { requestTimeout, connectionTimeout: Math.min(CONNECTION_TIMEOUT_MS, requestTimeout) };
}

/** The process's EC2 client. */
export function ec2Client(): EC2Client {
  ec2 ??= new EC2Client({ requestHandler: requestHandler() });
  return ec2;
}

/** The process's Secrets Manager client. */
export function secretsClient(): SecretsManagerClient {
  secrets ??= new SecretsManagerClient({ requestHandler: requestHandler() });
  return secrets;
}

/** The process's Step Functions client. */
export function sfnClient(): SFNClient {
  sfn ??= new SFNClient({ requestHandler: requestHandler() });
  return sfn;
}

/**
 * Drops the clients, so the next call builds them from the environment as it is now. Only the offline
 * environment calls this when it starts: a deployed function's environment never changes, but a test
 * process starts one emulator after another, each on a new port.
 */
export function forgetClients(): void {
  ec2?.destroy();
  secrets?.destroy();
  sfn?.destroy();
  ec2 = undefined;
  secrets = undefined;
  sfn = undefined;
}
