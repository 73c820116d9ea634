import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../../local/shared/seededRandom';
import { Timeline } from '../../../local/shared/Timeline';
import { VirtualClock } from '../../../local/shared/VirtualClock';

const T0 = Date.parse('2026-01-01T00:00:00Z');

/**
 * Starts `actors` (name → virtual waits in ms, one after another) together, the way the offline runner
 * starts executions, and records who acted when, in order.
 */
async function play(timeline: Timeline, actors: Record<string, readonly number[]>): Promise<string[]> {
  const log: string[] = [];
  const at = () => (timeline.clock.now() - T0) / 1000;
  const release = timeline.hold();
  const runs = Promise.all(
    Object.entries(actors).map(async ([name, waits]) => {
      const actor = timeline.join(name);
      try {
        await actor.waitUntil(timeline.clock.now());
        log.push(`${name}@${at()}`);
        for (const ms of waits) {
          await actor.waitUntil(timeline.clock.now() + ms);
          log.push(`${name}@${at()}`);
        }
      } finally {
        actor.leave();
      }
    }),
  );
  release();
  await runs;
  return log;
}

describe('Timeline', () => {
  it('moves the clock only when every actor waits, to the earliest wake-up, one actor at a time', async () => {
    const timeline = new Timeline(new VirtualClock(T0));

    const log = await play(timeline, { b: [5000, 1000], a: [2000, 5000], c: [] });

    expect(log).toEqual(['a@0', 'b@0', 'c@0', 'a@2', 'b@5', 'b@6', 'a@7']);
  });

  it('wakes actors due at the same instant in name order, whatever order they joined in', async () => {
    const first = await play(new Timeline(new VirtualClock(T0)), { z: [1000], m: [1000], a: [1000] });
    const second = await play(new Timeline(new VirtualClock(T0)), { a: [1000], z: [1000], m: [1000] });

    expect(first).toEqual(['a@0', 'm@0', 'z@0', 'a@1', 'm@1', 'z@1']);
    expect(second).toEqual(first);
  });

  it('keeps every actor waiting while held, and starts them together when released', async () => {
    const timeline = new Timeline(new VirtualClock(T0));
    const release = timeline.hold();
    const log: string[] = [];
    const runs = ['b', 'a'].map(async (name) => {
      const actor = timeline.join(name);
      await actor.waitUntil(timeline.clock.now() + 1000);
      log.push(name);
      actor.leave();
    });
    await new Promise((resolve) => setImmediate(resolve));

    expect(log).toEqual([]);
    expect(timeline.clock.now()).toBe(T0);
    release();
    await Promise.all(runs);
    expect(log).toEqual(['a', 'b']);
    expect(timeline.clock.now()).toBe(T0 + 1000);
  });

  it('waits on the timeline inside run(), and in real time outside it', async () => {
    const timeline = new Timeline(new VirtualClock(T0));
    const actor = timeline.join('a');

    await timeline.run(actor, () => timeline.sleep(3_600_000));
    const started = performance.now();
    await timeline.sleep(5);
    actor.leave();

    expect(timeline.clock.now()).toBe(T0 + 3_600_000);
    expect(performance.now() - started).toBeGreaterThanOrEqual(4);
  });

  it('refuses a second wait of an actor that is already waiting', () => {
    const timeline = new Timeline(new VirtualClock(T0));
    const actor = timeline.join('a');
    const other = timeline.join('b');
    void actor.waitUntil(T0 + 1000);

    expect(() => actor.waitUntil(T0 + 2000)).toThrow(/waits twice/);
    actor.leave();
    other.leave();
  });
});

describe('seededRandom', () => {
  it('repeats its sequence for a seed, stays in [0, 1), and differs between seeds', () => {
    const draw = (seed: number) => Array.from({ length: 1000 }, seededRandom(seed));

    const one = draw(1);
    expect(draw(1)).toEqual(one);
    expect(draw(2)).not.toEqual(one);
    expect(one.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(new Set(one).size).toBeGreaterThan(990);
  });
});
