import { InvalidRequestError } from '../../lambdas/errors';

/**
 * A clock that moves only when told: the offline runner advances it by each Wait state's duration
 * instead of sleeping, so an hour of polling runs in a moment and is measured in virtual seconds.
 */
export class VirtualClock {
  #now: number;

  constructor(start: number = Date.now()) {
    this.#now = start;
  }

  /** Milliseconds since the epoch, virtual. */
  readonly now = (): number => this.#now;

  advance(milliseconds: number): void {
    if (!Number.isFinite(milliseconds) || milliseconds < 0) {
      throw new InvalidRequestError([
        { field: 'milliseconds', message: `expected a number of milliseconds ≥ 0, got ${milliseconds}` },
      ]);
    }
    this.#now += milliseconds;
  }

  /** Moves the clock forward to `time`; a time already passed leaves it where it is. */
  advanceTo(time: number): void {
    if (time > this.#now) this.#now = time;
  }
}
