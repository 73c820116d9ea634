/**
 * The AWS SDK clients' time limits and retries as plain numbers (no SDK import), so the functions' time
 * budget and the construct can read them without loading any SDK.
 */

/** The deployed SDK limits: what the time budget counts on. */
export const SdkLimits = {
  /** Attempts per call, the first included (the SDK's standard mode). */
  maxAttempts: 3,
  /**
   * Milliseconds one request may take in all, connecting included; enforced (`throwOnRequestTimeout`), not
   * just warned about, so a hung connection costs one attempt rather than the function's whole timeout.
   */
  requestTimeoutMs: 10_000,
  connectionTimeoutMs: 3_000,
  /** Full-jitter backoff before retry n: a random part of min(maxDelayMs, baseDelayMs × 2^(n−1)). */
  baseDelayMs: 250,
  maxDelayMs: 2_000,
  /**
   * The SDK lengthens a pause towards a service's `Retry-After` hint by at most this much
   * (`StandardRetryStrategy`: `min(hint, delay + 5000)`).
   */
  retryAfterHintMaxMs: 5_000,
} as const;
