import type { AtlasFault } from './script';

interface ArmedFault {
  readonly fault: AtlasFault;
  /** -1: forever. */
  remaining: number;
}

/** Holds the scripted faults and counts down the ones that fire. */
export class FaultInjector {
  #armed: ArmedFault[] = [];

  load(faults: readonly AtlasFault[] | undefined): void {
    this.#armed = (faults ?? []).map((fault) => ({ fault, remaining: fault.times ?? -1 }));
  }

  /** The first live fault matching the request, counted as used; undefined if none applies. */
  take(method: string, requestTarget: string): AtlasFault | undefined {
    for (const armed of this.#armed) {
      const { fault } = armed;
      if (armed.remaining === 0) continue;
      if (fault.method !== undefined && fault.method.toUpperCase() !== method.toUpperCase()) continue;
      if (fault.path !== undefined && !requestTarget.includes(fault.path)) continue;
      if (armed.remaining > 0) armed.remaining -= 1;
      return fault;
    }
    return undefined;
  }

  /** How many times each fault can still fire (-1: forever), in script order. */
  remaining(): number[] {
    return this.#armed.map((a) => a.remaining);
  }
}
