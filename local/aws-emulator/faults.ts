import { AwsService } from './constants';
import { EmulatorOptionsError } from './errors';

/**
 * A scripted misbehaviour for one action.
 *
 * What happens, in this order of precedence: `reset` destroys the socket (the SDK sees `ECONNRESET`);
 * `body: 'malformed'` answers `status` (default 200) with a truncated body the SDK cannot parse;
 * `code` answers that AWS error with `status` (default 400); with only `delayMs`, the request is
 * served normally after the delay. `delayMs` applies before any of them.
 *
 * @example
 * ```ts
 * // Throttle the first two creates, then let them through (the SDK's retries should ride it out).
 * { action: 'CreateVpcEndpoint', code: 'RequestLimitExceeded', status: 503, times: 2 }
 * ```
 */
export interface AwsFault {
  /**
   * The service the fault applies to.
   * @default - any service with that action (or the service of the list it is given in)
   */
  readonly service?: AwsService;
  /** The API action, e.g. `CreateVpcEndpoint`, `GetSecretValue`; `'*'` matches every action. */
  readonly action: string;
  /** The AWS error code to answer with, case-exact (`RequestLimitExceeded`, `ThrottlingException`). */
  readonly code?: string;
  /** @default 400 for `code`, 200 for `body: 'malformed'` */
  readonly status?: number;
  /** @default - `Injected fault: <code>` */
  readonly message?: string;
  /** How many matching requests it hits before it disarms; -1 for every one. @default -1 */
  readonly times?: number;
  /** Milliseconds (real time, not the emulator's clock) to hold the request first. @default 0 */
  readonly delayMs?: number;
  /** Destroy the connection instead of answering. @default false */
  readonly reset?: boolean;
  /** Answer with a body cut off mid-document. */
  readonly body?: 'malformed';
}

interface ArmedFault {
  readonly fault: AwsFault;
  remaining: number;
}

const SERVICES: ReadonlySet<string> = new Set(Object.values(AwsService));

/** Checks a fault when it is given, so a typo fails at start-up rather than silently never firing. */
export function validateFault(fault: AwsFault, where: string): void {
  const bad = (what: string) => new EmulatorOptionsError(`${where}: ${what}`);
  if (typeof fault !== 'object' || fault === null) throw bad(`expected an object, got ${String(fault)}`);
  if (typeof fault.action !== 'string' || fault.action.length === 0) {
    throw bad(`action must be an action name or '*', got ${JSON.stringify(fault.action)}`);
  }
  if (fault.service !== undefined && !SERVICES.has(fault.service)) {
    throw bad(`service must be one of ${[...SERVICES].join(', ')}, got ${JSON.stringify(fault.service)}`);
  }
  if (fault.times !== undefined && !(Number.isInteger(fault.times) && fault.times >= -1)) {
    throw bad(`times must be an integer >= -1 (-1 = forever), got ${fault.times}`);
  }
  if (fault.delayMs !== undefined && !(Number.isFinite(fault.delayMs) && fault.delayMs >= 0)) {
    throw bad(`delayMs must be a number >= 0, got ${fault.delayMs}`);
  }
  if (
    fault.status !== undefined &&
    !(Number.isInteger(fault.status) && fault.status >= 100 && fault.status <= 599)
  ) {
    throw bad(`status must be an HTTP status code, got ${fault.status}`);
  }
  if (fault.body !== undefined && fault.body !== 'malformed') {
    throw bad(`body must be 'malformed', got ${JSON.stringify(fault.body)}`);
  }
  if (fault.code === undefined && !fault.reset && fault.body === undefined && fault.delayMs === undefined) {
    throw bad('give at least one of code, reset, body or delayMs');
  }
}

/**
 * The armed faults, consulted once per request. The first armed fault that matches the request's
 * service and action fires and counts down; faults are never combined.
 */
export class FaultPlan {
  #armed: ArmedFault[] = [];
  #hits = 0;

  /** Requests a fault struck since the faults were last replaced, counted when it strikes. */
  get hits(): number {
    return this.#hits;
  }

  constructor(faults: readonly AwsFault[] = []) {
    this.replace(faults);
  }

  /** Arms one more fault (after the ones already armed). */
  add(fault: AwsFault): void {
    this.#armed.push({ fault, remaining: fault.times ?? -1 });
  }

  /** Disarms everything and arms `faults` afresh (used by `reset()`). */
  replace(faults: readonly AwsFault[]): void {
    this.#armed = [];
    this.#hits = 0;
    for (const fault of faults) this.add(fault);
  }

  /** The fault this request hits, if any, counting it down. */
  take(service: AwsService, action: string): AwsFault | undefined {
    const hit = this.#armed.find(
      (armed) =>
        armed.remaining !== 0 &&
        (armed.fault.service === undefined || armed.fault.service === service) &&
        (armed.fault.action === '*' || armed.fault.action === action),
    );
    if (!hit) return undefined;
    if (hit.remaining > 0) hit.remaining -= 1;
    this.#hits += 1;
    return hit.fault;
  }
}
