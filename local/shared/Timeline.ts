import { AsyncLocalStorage } from 'node:async_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import type { VirtualClock } from './VirtualClock';

/** One participant of a {@link Timeline}: an execution, which acts at an instant and then waits. */
export interface Actor {
  readonly name: string;
  /** Resolves when the timeline reaches `time` and it is this actor's turn; a time already passed means now. */
  waitUntil(time: number): Promise<void>;
  /** The actor is done: it no longer holds the clock, and its pending wait (if any) never resolves. */
  leave(): void;
}

interface Member {
  readonly name: string;
  waiting: { readonly time: number; readonly resolve: () => void } | undefined;
  left: boolean;
}

/**
 * Orders what concurrent offline executions do on one virtual clock, as a discrete-event simulation does.
 * An execution acts at an instant (its Lambda tasks, their HTTP requests) and then waits: a Wait state, a
 * Retry pause, the Atlas client's backoff. Only when every execution waits does the clock move, to the
 * earliest wake-up, and that execution alone runs until it waits again; executions due at the same
 * instant run one after another in name order.
 *
 * Why: the previous runner let each execution move the shared clock as soon as it reached a Wait, while
 * others were still being started or were sleeping in real time. How far the clock ran ahead then depended
 * on how fast the machine got through the work, so the same scale run answered 5 % or 45 % of its Atlas
 * requests with 429. On a timeline nothing real-time leaks into virtual time: with the same seed for the
 * jitter, a run does the same things at the same virtual instants on any machine.
 */
export class Timeline {
  readonly #clock: VirtualClock;
  readonly #members = new Set<Member>();
  readonly #current = new AsyncLocalStorage<Actor>();
  #holds = 0;

  constructor(clock: VirtualClock) {
    this.#clock = clock;
  }

  get clock(): VirtualClock {
    return this.#clock;
  }

  /** Adds an actor. It counts as running: the clock waits for it until it first waits. */
  join(name: string): Actor {
    const member: Member = { name, waiting: undefined, left: false };
    this.#members.add(member);
    return {
      name,
      waitUntil: (time) => this.#wait(member, time),
      leave: () => {
        member.left = true;
        member.waiting = undefined;
        this.#members.delete(member);
        this.#next();
      },
    };
  }

  /**
   * Keeps the clock where it is, and every actor waiting, until the returned release is called: e.g. while
   * a bench starts many executions that should all begin at the same instant.
   */
  hold(): () => void {
    this.#holds += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#holds -= 1;
      this.#next();
    };
  }

  /** Runs `body` as `actor`, so that {@link sleep} inside it waits on the timeline. */
  run<T>(actor: Actor, body: () => T): T {
    return this.#current.run(actor, body);
  }

  /**
   * Waits `ms` of virtual time when called inside {@link run}; elsewhere (no actor: a test, a CLI) it
   * sleeps in real time, as the code would without a timeline.
   */
  readonly sleep = (ms: number): Promise<void> => {
    const actor = this.#current.getStore();
    return actor ? actor.waitUntil(this.#clock.now() + Math.max(0, ms)) : delay(ms).then(() => {});
  };

  #wait(member: Member, time: number): Promise<void> {
    if (member.left) return new Promise<void>(() => {});
    if (member.waiting) {
      throw new Error(`timeline: ${member.name} waits twice at once (an actor runs one thing at a time)`);
    }
    return new Promise<void>((resolve) => {
      member.waiting = { time, resolve };
      this.#next();
    });
  }

  /** When no actor is running and nothing holds the clock, wakes the earliest waiting actor. */
  #next(): void {
    if (this.#holds > 0) return;
    let earliest: Member | undefined;
    for (const member of this.#members) {
      if (!member.waiting) return;
      if (!earliest?.waiting || precedes(member, earliest)) earliest = member;
    }
    const waiting = earliest?.waiting;
    if (!earliest || !waiting) return;
    earliest.waiting = undefined;
    this.#clock.advanceTo(waiting.time);
    waiting.resolve();
  }
}

function precedes(a: Member, b: Member): boolean {
  const at = a.waiting?.time ?? 0;
  const bt = b.waiting?.time ?? 0;
  return at < bt || (at === bt && a.name < b.name);
}
