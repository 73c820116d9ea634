/**
 * The Atlas client's default time limits as plain numbers (no undici import), so the functions' time budget
 * and the construct can read them without loading the client.
 */

/** The client's default time limits, in milliseconds: what the functions' time budget counts on. */
export const DEFAULT_TIMEOUTS = {
  connectTimeoutMs: 5_000,
  headersTimeoutMs: 15_000,
  bodyTimeoutMs: 15_000,
  requestTimeoutMs: 15_000,
} as const;
