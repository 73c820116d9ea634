/**
 * Where the handlers read the time, wait, and draw jitter. Deployed functions use the system's; the
 * offline runner swaps in a virtual clock, a timeline to wait on and a seeded random source, so that an
 * offline run is repeatable (see `local/shared/Timeline.ts`).
 */
import { randomInt } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';

export interface HandlerTime {
  /** Milliseconds since the epoch: what the workflow's decisions (deadlines, poll times) read. */
  readonly now: () => number;
  /**
   * What the Atlas client measures its retry budget and token lifetimes by. Deployed, the same as `now`;
   * offline, the virtual clock plus the real time that has passed, since there the client's waits are
   * virtual but its requests take real time (a timed-out request must use up its budget as on Lambda).
   */
  readonly clientNow: () => number;
  /** Waits, e.g. before the Atlas client's next attempt. */
  readonly sleep: (ms: number) => Promise<void>;
  /** A number in [0, 1): the jitter of polls and backoffs. */
  readonly random: () => number;
}

const systemTime: HandlerTime = {
  now: () => Date.now(),
  clientNow: () => Date.now(),
  sleep: (ms) => delay(ms).then(() => {}),
  random: () => randomInt(0, 1_000_000) / 1_000_000,
};

let current: HandlerTime = systemTime;

/** The handlers' time. Read it on each use: the offline runner may swap it between environments. */
export const handlerTime: HandlerTime = {
  now: () => current.now(),
  clientNow: () => current.clientNow(),
  sleep: (ms) => current.sleep(ms),
  random: () => current.random(),
};

/**
 * Replaces the handlers' time. Only the offline runner calls this; `useHandlerTime()` restores the
 * system's. Deployed functions never do.
 */
export function useHandlerTime(next?: HandlerTime): void {
  current = next ?? systemTime;
}
