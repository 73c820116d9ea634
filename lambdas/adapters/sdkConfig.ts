/**
 * What every AWS SDK client of the functions is built with, without importing any service SDK (each
 * function's bundle holds only the SDKs it uses): the HTTP timeouts, the retry pause when a test shortens
 * it, and a generation number that tells the cached clients when the environment they were built from has
 * changed.
 */
import { ConfiguredRetryStrategy } from '@smithy/core/retry';

/** Environment variables the SDK clients read besides the SDK's own (`AWS_REGION`, `AWS_ENDPOINT_URL_*`). */
export const ClientEnv = {
  /**
   * Milliseconds one HTTP request may take before the SDK abandons it (and retries it, within its
   * attempts). The SDK sets no such bound by default, so a hung connection would hold a step until the
   * Lambda timeout; the offline fault tests set it low to make "latency past the timeout" quick.
   * @default 15000 (the Atlas client's headers timeout)
   */
  requestTimeoutMs: 'SDK_REQUEST_TIMEOUT_MS',
  /**
   * Milliseconds the SDK pauses before each of its own retries, instead of its exponential backoff with
   * jitter (100 ms base, 500 ms after throttling). The attempts stay the SDK's (3); only the pauses, which
   * sleep in real time, get shorter. Only the offline fault matrix sets it: under persistent throttling its
   * cells otherwise spent most of their time in these sleeps.
   * @default - the SDK's own backoff
   */
  retryDelayMs: 'SDK_RETRY_DELAY_MS',
} as const;

const DEFAULT_REQUEST_TIMEOUT_MS = 15_000;
const CONNECTION_TIMEOUT_MS = 5_000;
/** The SDK's default for the standard retry mode. */
const SDK_MAX_ATTEMPTS = 3;

export interface SdkClientConfig {
  readonly requestHandler: { readonly requestTimeout: number; readonly connectionTimeout: number };
  readonly retryStrategy?: ConfiguredRetryStrategy;
}

/** The options every SDK client is built with: `new EC2Client(sdkClientConfig())`. */
export function sdkClientConfig(): SdkClientConfig {
  const configured = Number(process.env[ClientEnv.requestTimeoutMs]);
  const requestTimeout =
    Number.isFinite(configured) && configured > 0 ? configured : DEFAULT_REQUEST_TIMEOUT_MS;
  const retryDelayText = process.env[ClientEnv.retryDelayMs];
  const retryDelayMs = Number(retryDelayText);
  return {
    requestHandler: { requestTimeout, connectionTimeout: Math.min(CONNECTION_TIMEOUT_MS, requestTimeout) },
    ...(retryDelayText && Number.isFinite(retryDelayMs) && retryDelayMs >= 0
      ? { retryStrategy: new ConfiguredRetryStrategy(SDK_MAX_ATTEMPTS, retryDelayMs) }
      : {}),
  };
}

let generation = 0;

/** Bumped by {@link forgetClients}: a client cached under an older generation must be rebuilt. */
export function clientGeneration(): number {
  return generation;
}

/**
 * Makes every cached client (and what hangs off it: the credentials cache, the Atlas client) be built
 * again from the environment as it is now. Only the offline environment calls this when it starts: a
 * deployed function's environment never changes, but a test process starts one emulator after another,
 * each on a new port.
 */
export function forgetClients(): void {
  generation += 1;
}
