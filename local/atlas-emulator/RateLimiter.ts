import type { Clock } from '../shared/model';

/** A token bucket per key (Atlas limits per project): `capacity` requests at once, refilled continuously. */
export interface RateLimitOptions {
  /** Requests a project can make in a burst. */
  readonly capacity: number;
  /** Tokens added per minute (by the emulator's clock). */
  readonly refillPerMinute: number;
}

export type RateLimitVerdict =
  | { readonly allowed: true; readonly remaining: number }
  | { readonly allowed: false; readonly retryAfterSeconds: number };

export class RateLimiter {
  readonly #options: RateLimitOptions;
  readonly #clock: Clock;
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(options: RateLimitOptions, clock: Clock) {
    this.#options = options;
    this.#clock = clock;
  }

  get limit(): number {
    return this.#options.capacity;
  }

  take(key: string): RateLimitVerdict {
    const now = this.#clock();
    const { capacity, refillPerMinute } = this.#options;
    const bucket = this.#buckets.get(key) ?? { tokens: capacity, at: now };
    const refilled = Math.min(capacity, bucket.tokens + ((now - bucket.at) / 60_000) * refillPerMinute);
    if (refilled < 1) {
      this.#buckets.set(key, { tokens: refilled, at: now });
      return {
        allowed: false,
        retryAfterSeconds: Math.max(1, Math.ceil(((1 - refilled) / refillPerMinute) * 60)),
      };
    }
    this.#buckets.set(key, { tokens: refilled - 1, at: now });
    return { allowed: true, remaining: Math.floor(refilled - 1) };
  }

  reset(): void {
    this.#buckets.clear();
  }
}
