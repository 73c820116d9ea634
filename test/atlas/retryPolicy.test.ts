import { describe, expect, it } from 'vitest';
import {
  backoffDelayMs,
  DEFAULT_RETRY,
  decideRetry,
  parseRetryAfterMs,
  retryAfterDelayMs,
} from '../../lambdas/atlas/retryPolicy';

const bounds = { baseDelayMs: 250, maxDelayMs: 5_000 };

describe('backoffDelayMs', () => {
  it('doubles the ceiling with each retry (full jitter at its top)', () => {
    const atTop = () => 0.999_999_9;
    expect([1, 2, 3, 4, 5].map((retry) => backoffDelayMs(retry, bounds, atTop))).toEqual([
      249, 499, 999, 1999, 3999,
    ]);
  });

  it('never exceeds maxDelayMs however many retries', () => {
    expect(backoffDelayMs(40, bounds, () => 0.999_999_9)).toBeLessThan(5_000);
    expect(backoffDelayMs(1_000, bounds, () => 1)).toBe(5_000);
  });

  it('picks a uniformly random fraction of the ceiling', () => {
    expect(backoffDelayMs(3, bounds, () => 0)).toBe(0);
    expect(backoffDelayMs(3, bounds, () => 0.5)).toBe(500);
  });

  it('clamps a random source that strays outside [0, 1]', () => {
    expect(backoffDelayMs(1, bounds, () => -3)).toBe(0);
    expect(backoffDelayMs(1, bounds, () => 7)).toBe(250);
  });
});

describe('parseRetryAfterMs', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');

  it('reads delay-seconds', () => {
    expect(parseRetryAfterMs('3', now)).toBe(3_000);
    expect(parseRetryAfterMs(' 0 ', now)).toBe(0);
  });

  it('reads delay-seconds of more than one digit', () => {
    expect(parseRetryAfterMs('120', now)).toBe(120_000);
  });

  it('reads an HTTP-date as the time left until it', () => {
    expect(parseRetryAfterMs('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5_000);
  });

  it('reads an HTTP-date in the past as no wait', () => {
    expect(parseRetryAfterMs('Wed, 31 Dec 2025 23:59:00 GMT', now)).toBe(0);
  });

  it('ignores a date in a form other than HTTP-date, such as ISO 8601', () => {
    expect(parseRetryAfterMs('2026-01-01T00:00:05Z', now)).toBeUndefined();
  });

  it('takes the first of repeated headers', () => {
    expect(parseRetryAfterMs(['2', '9'], now)).toBe(2_000);
  });

  it('ignores what is absent or unreadable', () => {
    for (const header of [undefined, '', '-1', '1.5', 'soon', '12abc', 'Someday, 99 Foo']) {
      expect(parseRetryAfterMs(header, now)).toBeUndefined();
    }
  });
});

describe('retryAfterDelayMs', () => {
  it('waits at least Retry-After, and at most one more Retry-After (or backoff ceiling) on top', () => {
    expect(retryAfterDelayMs(1, 2_000, bounds, () => 0)).toBe(2_000);
    expect(retryAfterDelayMs(1, 2_000, bounds, () => 0.5)).toBe(3_000);
    expect(retryAfterDelayMs(1, 100, bounds, () => 0.999_999_9)).toBe(100 + 249);
  });

  it('spreads later retries wider, up to maxDelayMs or Retry-After, whichever is longer', () => {
    const atTop = () => 0.999_999_9;

    expect([1, 2, 3, 4].map((retry) => retryAfterDelayMs(retry, 1_000, bounds, atTop))).toEqual([
      1_999, 2_999, 4_999, 5_999,
    ]);
    expect(retryAfterDelayMs(5, 30_000, bounds, atTop)).toBe(30_000 + 29_999);
  });
});

describe('decideRetry', () => {
  const options = { ...DEFAULT_RETRY, maxAttempts: 3 };
  const half = () => 0.5;

  it('waits Retry-After when Atlas sent one, plus its jitter', () => {
    expect(
      decideRetry(
        { attemptsMade: 1, remainingMs: 10_000, retryable: true, retryAfterMs: 4_000 },
        options,
        () => 0,
      ),
    ).toEqual({ retry: true, delayMs: 4_000 });
    expect(
      decideRetry(
        { attemptsMade: 1, remainingMs: 10_000, retryable: true, retryAfterMs: 4_000 },
        options,
        half,
      ),
    ).toEqual({ retry: true, delayMs: 6_000 });
  });

  it('stops after rateLimitedAttempts while Atlas answers 429, and after maxAttempts otherwise', () => {
    const input = { attemptsMade: 2, remainingMs: 10_000, retryable: true, retryAfterMs: 1_000 };

    expect(decideRetry({ ...input, rateLimited: true }, options, half)).toEqual({
      retry: false,
      reason: 'attempts-exhausted',
    });
    expect(decideRetry(input, options, half)).toMatchObject({ retry: true });
    expect(
      decideRetry({ ...input, rateLimited: true }, { ...options, rateLimitedAttempts: 9 }, half),
    ).toMatchObject({ retry: true });
  });

  it('backs off with jitter when Atlas sent no Retry-After', () => {
    expect(decideRetry({ attemptsMade: 2, remainingMs: 10_000, retryable: true }, options, half)).toEqual({
      retry: true,
      delayMs: 250,
    });
  });

  it('gives up at once when Retry-After reaches past the deadline', () => {
    expect(
      decideRetry(
        { attemptsMade: 1, remainingMs: 3_000, retryable: true, retryAfterMs: 3_000 },
        options,
        half,
      ),
    ).toEqual({ retry: false, reason: 'deadline' });
  });

  it('gives up after maxAttempts', () => {
    expect(decideRetry({ attemptsMade: 3, remainingMs: 10_000, retryable: true }, options, half)).toEqual({
      retry: false,
      reason: 'attempts-exhausted',
    });
  });

  it('never retries what is not retryable', () => {
    expect(decideRetry({ attemptsMade: 1, remainingMs: 10_000, retryable: false }, options, half)).toEqual({
      retry: false,
      reason: 'not-retryable',
    });
  });
});
