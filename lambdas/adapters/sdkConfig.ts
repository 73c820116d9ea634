/**
 * What every AWS SDK client of the functions is built with, without importing any SDK (each function's
 * bundle holds only the SDKs it uses): the HTTP timeouts, and a generation number that tells the cached
 * clients when the environment they were built from has changed.
 */

/** Environment variables the SDK clients read besides the SDK's own (`AWS_REGION`, `AWS_ENDPOINT_URL_*`). */
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

/** The options every SDK client is built with: `new EC2Client(sdkClientConfig())`. */
export function sdkClientConfig(): { requestHandler: { requestTimeout: number; connectionTimeout: number } } {
  const configured = Number(process.env[ClientEnv.requestTimeoutMs]);
  const requestTimeout =
    Number.isFinite(configured) && configured > 0 ? configured : DEFAULT_REQUEST_TIMEOUT_MS;
  return {
    requestHandler: { requestTimeout, connectionTimeout: Math.min(CONNECTION_TIMEOUT_MS, requestTimeout) },
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
