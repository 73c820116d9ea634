/**
 * When the Atlas client retries and how long it waits: pure functions, no clock and no randomness of
 * their own (both are passed in), so the arithmetic is testable exactly.
 */

/** Bounds of the client's retries. */
export interface RetryOptions {
  /**
   * Attempts per operation, the first one included.
   * @default 4
   */
  readonly maxAttempts?: number;
  /**
   * Total time an operation may spend, waits included. No wait is started that would end past it; an
   * attempt already under way is bounded by the HTTP timeouts instead.
   * @default 20000
   */
  readonly deadlineMs?: number;
  /**
   * The first backoff's ceiling; each further retry doubles it (full jitter).
   * @default 250
   */
  readonly baseDelayMs?: number;
  /**
   * The backoff ceiling never exceeds this. Atlas's `Retry-After` is honoured even when longer.
   * @default 5000
   */
  readonly maxDelayMs?: number;
  /**
   * Attempts per operation, the first one included, while Atlas answers 429 (the Admin API or the token
   * endpoint). A 429 says a token bucket is empty; when many callers share it, one more try within the
   * same call mostly meets another 429, and the caller (e.g. the workflow's Retry, whose waits cost
   * nothing) should wait longer.
   * @default 2
   */
  readonly rateLimitedAttempts?: number;
}

export const DEFAULT_RETRY: Required<RetryOptions> = {
  maxAttempts: 4,
  deadlineMs: 20_000,
  baseDelayMs: 250,
  maxDelayMs: 5_000,
  rateLimitedAttempts: 2,
};

/**
 * The "full jitter" backoff before retry number `retry` (1 for the first retry): a uniformly random
 * wait between 0 and `min(maxDelayMs, baseDelayMs * 2^(retry-1))`. Full jitter spreads the clients a
 * rate limit stopped at once, see https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/.
 *
 * @example
 * backoffDelayMs(3, { baseDelayMs: 250, maxDelayMs: 5000 }, () => 0.5) // => 500 (half of 250 * 2^2)
 */
export function backoffDelayMs(
  retry: number,
  bounds: { readonly baseDelayMs: number; readonly maxDelayMs: number },
  random: () => number,
): number {
  const exponent = Math.max(0, retry - 1);
  const ceiling = Math.min(bounds.maxDelayMs, bounds.baseDelayMs * 2 ** Math.min(exponent, 30));
  const fraction = Math.min(Math.max(random(), 0), 1);
  return Math.floor(ceiling * fraction);
}

/**
 * Reads a `Retry-After` header (RFC 9110 §10.2.3): delay-seconds or an HTTP-date. Returns the wait in
 * milliseconds (never negative), or undefined when the header is absent or unreadable.
 *
 * @example
 * parseRetryAfterMs('3', Date.now()) // => 3000
 * parseRetryAfterMs('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('Wed, 21 Oct 2015 07:27:58 GMT')) // => 2000
 */
export function parseRetryAfterMs(
  header: string | readonly string[] | undefined,
  nowMs: number,
): number | undefined {
  const value = (typeof header === 'string' ? header : header?.[0])?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  // An HTTP-date always names the weekday; requiring a letter keeps numbers like "-1" or "1.5" out.
  if (!/^[A-Za-z]/.test(value)) return undefined;
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/** What the retry decision is made from. */
export interface RetryInput {
  /** Attempts made so far, the failed one included (1 after the first failure). */
  readonly attemptsMade: number;
  /** Milliseconds left before the operation's deadline. */
  readonly remainingMs: number;
  /** Whether the failure may be retried at all (e.g. a 5xx on a GET, not on a POST). */
  readonly retryable: boolean;
  /** Atlas's `Retry-After`, in milliseconds, when it sent one. */
  readonly retryAfterMs?: number | undefined;
  /** The failure is a 429: at most `rateLimitedAttempts` attempts. */
  readonly rateLimited?: boolean;
}

export type RetryDecision =
  | { readonly retry: true; readonly delayMs: number }
  | { readonly retry: false; readonly reason: 'not-retryable' | 'attempts-exhausted' | 'deadline' };

/**
 * The wait before a retry Atlas asked to delay: at least `Retry-After`, plus a random part of up to one
 * more `Retry-After` (or the backoff ceiling, if larger; doubling with each retry), so that callers Atlas turned away at the same moment
 * do not all come back at the same moment. Atlas's guidance: wait at least `Retry-After`, and longer if
 * the retry fails too (https://www.mongodb.com/docs/atlas/api/api-rate-limit/).
 *
 * @example
 * retryAfterDelayMs(1, 2000, { baseDelayMs: 250, maxDelayMs: 5000 }, () => 0.5) // => 3000 (2000 + half of 2000)
 */
export function retryAfterDelayMs(
  retry: number,
  retryAfterMs: number,
  bounds: { readonly baseDelayMs: number; readonly maxDelayMs: number },
  random: () => number,
): number {
  const spread = {
    baseDelayMs: Math.max(bounds.baseDelayMs, retryAfterMs),
    maxDelayMs: Math.max(bounds.maxDelayMs, retryAfterMs),
  };
  return retryAfterMs + backoffDelayMs(retry, spread, random);
}

/**
 * Decides whether to retry and after how long: `Retry-After` with jitter when Atlas sent one (see
 * {@link retryAfterDelayMs}), else full-jitter backoff. A 429 is retried at most `rateLimitedAttempts`
 * times over. Gives up rather than start a wait that would end past the deadline (a `Retry-After` longer
 * than the time left means the caller should fail now and let the workflow wait instead).
 *
 * @example
 * decideRetry({ attemptsMade: 1, remainingMs: 10_000, retryable: true, retryAfterMs: 2000 }, DEFAULT_RETRY, () => 0.5)
 * // => { retry: true, delayMs: 3000 }
 */
export function decideRetry(
  input: RetryInput,
  options: Required<RetryOptions>,
  random: () => number,
): RetryDecision {
  if (!input.retryable) return { retry: false, reason: 'not-retryable' };
  const attempts = input.rateLimited
    ? Math.min(options.maxAttempts, options.rateLimitedAttempts)
    : options.maxAttempts;
  if (input.attemptsMade >= attempts) return { retry: false, reason: 'attempts-exhausted' };
  const delayMs =
    input.retryAfterMs === undefined
      ? backoffDelayMs(input.attemptsMade, options, random)
      : retryAfterDelayMs(input.attemptsMade, input.retryAfterMs, options, random);
  if (delayMs >= input.remainingMs) return { retry: false, reason: 'deadline' };
  return { retry: true, delayMs };
}
