import { describe, expect, it } from 'vitest';
import { measureScale, type ScaleFigures, type ScaleOptions } from '../../bench/scale';

/** A small crowd against a small bucket: enough for 429s, fast enough for the suite. */
const CROWD: ScaleOptions = {
  executions: 6,
  rateLimit: { capacity: 4, refillPerMinute: 8 },
  availableAfterSeconds: 30,
  timeoutMs: 60_000,
};

/** The counts of a run: what a seed must repeat (wall time and memory may vary). */
const counts = (run: ScaleFigures) => ({
  succeeded: run.succeeded,
  atlasRequests: run.atlasRequests,
  atlas429: run.atlas429,
  atlasByOperation: run.atlasByOperation,
  stateTransitions: run.stateTransitions,
  medianDurationSeconds: run.medianDurationSeconds,
  maxDurationSeconds: run.maxDurationSeconds,
  virtualSeconds: run.virtualSeconds,
});

// Behaviour, not timing: what the scale run does at which virtual instant, never how fast.
describe('the scale run', () => {
  it('repeats its counts exactly for the same seed, 429s included', async () => {
    const first = await measureScale({ ...CROWD, seed: 7 });
    const again = await measureScale({ ...CROWD, seed: 7 });

    expect(first.allSucceeded).toBe(true);
    expect(first.atlas429).toBeGreaterThan(0);
    expect(counts(again)).toStrictEqual(counts(first));
  }, 120_000);

  it('meets fewer 429s when the same executions start spread out than all at once', async () => {
    const atOnce = await measureScale({ ...CROWD, seed: 3 });
    const spread = await measureScale({ ...CROWD, seed: 3, arrivalSeconds: 120 });

    expect(spread).toMatchObject({ allSucceeded: true, arrivalSeconds: 120 });
    expect(spread.atlas429).toBeLessThan(atOnce.atlas429);
  }, 120_000);
});
