/**
 * What every AWS SDK client of the functions is built with, without importing any service SDK (each
 * function's bundle holds only the SDKs it uses): the HTTP time limits, the retries and their pauses, and a
 * generation number that tells the cached clients when the environment they were built from has changed.
 *
 * Every limit here is a number the functions' time budget (`lambdas/timeBudget.ts`) is computed from, so
 * a function's worst case is known before it is deployed: no call may hang, and no pause is open-ended.
 */
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { envNumber } from '../envNumber';
import { SdkLimits } from './sdkLimits';

export { SdkLimits } from './sdkLimits';

/** Environment variables the SDK clients read besides the SDK's own (`AWS_REGION`, `AWS_ENDPOINT_URL_*`). */
export const ClientEnv = {
  /**
   * Milliseconds one HTTP request may take, connection included, before the SDK abandons it (and retries
   * it, within its attempts). The offline fault tests set it low to make "latency past the timeout" quick.
   * @default 10000
   */
  requestTimeoutMs: 'SDK_REQUEST_TIMEOUT_MS',
  /**
   * Milliseconds the SDK pauses before each of its own retries, instead of its exponential backoff with
   * jitter. The attempts stay the same; only the pauses, which sleep in real time, get shorter. Only the
   * offline fault matrix sets it: under persistent throttling its cells otherwise spent most of their time
   * in these sleeps.
   * @default - exponential backoff with full jitter (see {@link SdkLimits})
   */
  retryDelayMs: 'SDK_RETRY_DELAY_MS',
} as const;

export interface SdkClientConfig {
  readonly requestHandler: {
    readonly requestTimeout: number;
    readonly connectionTimeout: number;
    readonly throwOnRequestTimeout: true;
  };
  readonly retryStrategy: ConfiguredRetryStrategy;
}

/** The pause before retry number `retry` (1 for the first), full jitter. */
export function sdkRetryDelayMs(retry: number, random: () => number = Math.random): number {
  const ceiling = Math.min(SdkLimits.maxDelayMs, SdkLimits.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * ceiling);
}

/** The options every SDK client is built with: `new EC2Client(sdkClientConfig())`. */
export function sdkClientConfig(): SdkClientConfig {
  const requestTimeout = envNumber(ClientEnv.requestTimeoutMs, 'positive') ?? SdkLimits.requestTimeoutMs;
  const retryDelayMs = envNumber(ClientEnv.retryDelayMs, 'nonNegative');
  return {
    requestHandler: {
      requestTimeout,
      connectionTimeout: Math.min(SdkLimits.connectionTimeoutMs, requestTimeout),
      throwOnRequestTimeout: true,
    },
    retryStrategy: new ConfiguredRetryStrategy(
      SdkLimits.maxAttempts,
      retryDelayMs !== undefined ? retryDelayMs : (attempt: number) => sdkRetryDelayMs(attempt),
    ),
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
