import type { Clock } from '../shared/model';
import { type BusPolicyStatement, busPolicyDenial } from './busPolicy';
import { AwsApiError, EmulatorOptionsError } from './errors';
import { uuid } from './ids';
import {
  isJsonObject,
  type JsonObject,
  optionalArray,
  optionalEpochSeconds,
  optionalString,
} from './jsonInput';
import type { StepFunctionsService } from './stepFunctions';

/**
 * A rule on an event bus whose target is the emulator's Step Functions state machine, or a function (a
 * Lambda target, invoked asynchronously with the whole event, as EventBridge does).
 *
 * @example
 * ```ts
 * { eventBusName: 'default', pattern: { source: ['app.privatelink'], 'detail-type': ['EndpointRequested'] },
 *   target: 'stepFunctions', inputPath: '$.detail' }
 * { eventBusName: 'bus', pattern: { 'detail-type': ['EndpointRequested'] }, target: 'lambda',
 *   invoke: (event) => handler(event) }
 * ```
 */
/**
 * One value of an event pattern's field: an exact string, or `{ 'anything-but': … }` (one string or a list),
 * which matches any value but those, as in EventBridge's content filtering.
 */
export type PatternValue = string | { readonly 'anything-but': string | readonly string[] };

/** The fields of an event pattern the emulator matches: each lists the values that match (any one will do). */
export interface EventPatternFields {
  readonly source?: readonly PatternValue[];
  readonly 'detail-type'?: readonly PatternValue[];
}

export interface EventRule {
  /** @default 'default' */
  readonly eventBusName?: string;
  /** Matches when every field given has a value matching the event's (EventBridge's pattern arrays). */
  readonly pattern: EventPatternFields;
  readonly target: 'stepFunctions' | 'lambda';
  /**
   * What the execution gets as input: `'$.detail'` for the event's detail.
   * @default - the whole event envelope (`version`, `id`, `detail-type`, `source`, …, `detail`), as EventBridge sends it
   */
  readonly inputPath?: '$.detail';
  /** For a `lambda` target: the function, given the whole event envelope. */
  readonly invoke?: (event: Record<string, unknown>) => Promise<unknown>;
  /**
   * How many times each matching event is delivered: EventBridge delivers at least once, so a target must
   * take a second delivery of the same event (same `id`) in its stride.
   * @default 1
   */
  readonly deliveries?: number;
}

/** One event PutEvents accepted. */
export interface RecordedEvent {
  readonly eventId: string;
  /** Milliseconds since the epoch: the entry's `Time`, or the emulator's clock when it gave none. */
  readonly time: number;
  readonly eventBusName: string;
  readonly source: string;
  readonly detailType: string;
  /** `Detail`, parsed. */
  readonly detail: unknown;
  readonly resources: readonly string[];
  /** Executions the rules started for it. */
  readonly startedExecutionArns: readonly string[];
  /** Targets that could not be invoked (EventBridge does not tell the sender; the emulator tells you). */
  readonly targetErrors: readonly string[];
  /**
   * Why nothing could match it: the bus does not exist. EventBridge still answers such an entry with an
   * `EventId` (HTTP 200, not counted in `FailedEntryCount`) and drops the event, as its user guide says;
   * the emulator does the same, and records why here.
   */
  readonly dropped?: 'no such event bus';
}

interface EventBridgeConfig {
  readonly region: string;
  readonly accountId: string;
  readonly clock: Clock;
  readonly rules: readonly EventRule[];
  /** Buses that exist besides `default` and those the rules are on. */
  readonly eventBuses?: readonly string[];
  readonly stepFunctions: StepFunctionsService;
  readonly stateMachineArn?: string;
  readonly onEvent?: (event: RecordedEvent) => void;
  /** Bus policies by bus name (see `busPolicy.ts`). */
  readonly eventBusPolicies?: Readonly<Record<string, readonly BusPolicyStatement[]>>;
}

/** Who made a request: what a bus policy's `aws:PrincipalArn` sees. */
export interface Caller {
  readonly principalArn: string | undefined;
}

/** PutEvents takes 1 to 10 entries. */
const MAX_ENTRIES = 10;
const DEFAULT_BUS = 'default';

/** Checks rules at start-up, so a rule that can never fire fails loudly. */
export function validateRules(rules: readonly EventRule[], stateMachineArn: string | undefined): void {
  for (const [i, rule] of rules.entries()) {
    const where = `rules[${i}]`;
    if (rule.target !== 'stepFunctions' && rule.target !== 'lambda') {
      throw new EmulatorOptionsError(
        `${where}.target must be 'stepFunctions' or 'lambda', got ${JSON.stringify(rule.target)}`,
      );
    }
    if (rule.target === 'lambda' && typeof rule.invoke !== 'function') {
      throw new EmulatorOptionsError(`${where}.invoke: a 'lambda' target needs the function to invoke`);
    }
    if (rule.deliveries !== undefined && !(Number.isInteger(rule.deliveries) && rule.deliveries >= 1)) {
      throw new EmulatorOptionsError(`${where}.deliveries must be an integer >= 1, got ${rule.deliveries}`);
    }
    if (rule.target === 'stepFunctions' && stateMachineArn === undefined) {
      throw new EmulatorOptionsError(
        `${where}.target is 'stepFunctions' but no stepFunctions backend is configured`,
      );
    }
    if (rule.inputPath !== undefined && rule.inputPath !== '$.detail') {
      throw new EmulatorOptionsError(
        `${where}.inputPath must be '$.detail' or left out, got ${JSON.stringify(rule.inputPath)}`,
      );
    }
    const fields = [rule.pattern?.source, rule.pattern?.['detail-type']];
    if (fields.every((f) => f === undefined)) {
      throw new EmulatorOptionsError(
        `${where}.pattern: give source and/or 'detail-type' (EventBridge rejects empty patterns)`,
      );
    }
    for (const field of fields) {
      if (field !== undefined && !(Array.isArray(field) && field.every(isPatternValue))) {
        throw new EmulatorOptionsError(
          `${where}.pattern fields must be arrays of strings or { 'anything-but': string | string[] }`,
        );
      }
    }
  }
}

/**
 * The emulated EventBridge: PutEvents records every accepted entry, and rules start executions
 * of the emulated state machine, synchronously, so a test sees the execution as soon as PutEvents
 * returns (real delivery is asynchronous but the workflow does not depend on its timing).
 */
export class EventBridgeService {
  readonly #config: EventBridgeConfig;
  readonly #buses: ReadonlySet<string>;
  #events: RecordedEvent[] = [];
  readonly #deliveries = new Set<Promise<void>>();

  constructor(config: EventBridgeConfig) {
    this.#config = config;
    this.#buses = new Set([
      DEFAULT_BUS,
      ...(config.eventBuses ?? []),
      ...config.rules.map((r) => r.eventBusName ?? DEFAULT_BUS),
    ]);
  }

  handle(action: string, input: JsonObject, caller: Caller = { principalArn: undefined }): unknown {
    if (action === 'PutEvents') return this.#putEvents(input, caller);
    throw new AwsApiError('UnknownOperationException', `Unknown operation ${action}`);
  }

  events(): RecordedEvent[] {
    return [...this.#events];
  }

  reset(): void {
    this.#events = [];
  }

  /** Resolves once every asynchronous delivery to a `lambda` target made so far has finished. */
  async settled(): Promise<void> {
    while (this.#deliveries.size > 0) await Promise.allSettled([...this.#deliveries]);
  }

  #putEvents(input: JsonObject, caller: Caller): unknown {
    const entries = optionalArray(input, 'Entries') ?? [];
    if (entries.length < 1 || entries.length > MAX_ENTRIES) {
      throw new AwsApiError(
        'ValidationException',
        `1 validation error detected: Value '[...]' at 'entries' failed to satisfy constraint: Member must have length between 1 and ${MAX_ENTRIES}`,
      );
    }
    // Per-entry problems do not fail the call: each answers its own ErrorCode, as in EventBridge.
    const results = entries.map((entry) => this.#putEntry(entry, caller));
    return {
      FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length,
      Entries: results,
    };
  }

  #putEntry(
    entry: unknown,
    caller: Caller,
  ): { EventId: string } | { ErrorCode: string; ErrorMessage: string } {
    if (!isJsonObject(entry))
      throw new AwsApiError('SerializationException', 'Each of Entries must be an object');
    const source = optionalString(entry, 'Source');
    const detailType = optionalString(entry, 'DetailType');
    const detailText = optionalString(entry, 'Detail');
    const time = optionalEpochSeconds(entry, 'Time');
    const resources = (optionalArray(entry, 'Resources') ?? []).map(String);
    const busName = busNameOf(optionalString(entry, 'EventBusName') ?? DEFAULT_BUS);
    for (const [member, value] of [
      ['Source', source],
      ['DetailType', detailType],
      ['Detail', detailText],
    ] as const) {
      if (!value) {
        return {
          ErrorCode: 'InvalidArgument',
          ErrorMessage: `Parameter ${member} is not valid. Reason: ${member} is a required argument.`,
        };
      }
    }
    const policy = this.#config.eventBusPolicies?.[busName];
    const denial = policy
      ? busPolicyDenial(policy, {
          principalArn: caller.principalArn,
          source: source!,
          detailType: detailType!,
        })
      : undefined;
    if (denial) {
      return {
        ErrorCode: denial,
        ErrorMessage: `${caller.principalArn ?? 'The caller'} is not authorized to put this event on event bus ${busName}.`,
      };
    }
    let detail: unknown;
    try {
      detail = JSON.parse(detailText!);
    } catch {
      detail = undefined;
    }
    if (!isJsonObject(detail)) return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };

    const event = {
      eventId: uuid(),
      time: time !== undefined ? Math.round(time * 1000) : this.#config.clock(),
      eventBusName: busName,
      source: source!,
      detailType: detailType!,
      detail,
      resources,
      startedExecutionArns: [] as string[],
      targetErrors: [] as string[],
      ...(this.#buses.has(busName) ? {} : { dropped: 'no such event bus' as const }),
    };
    const deliveries: Promise<unknown>[] = [];
    for (const rule of this.#config.rules) {
      if (!matches(rule, event)) continue;
      deliveries.push(...this.#invoke(rule, event));
    }
    this.#events.push(event);
    const { onEvent } = this.#config;
    // Told once every target has answered, so the event says what it started (or why not).
    if (onEvent) void Promise.allSettled(deliveries).then(() => onEvent(event));
    return { EventId: event.eventId };
  }

  #invoke(
    rule: EventRule,
    event: Omit<RecordedEvent, 'startedExecutionArns' | 'targetErrors'> & {
      startedExecutionArns: string[];
      targetErrors: string[];
    },
  ): Promise<unknown>[] {
    const envelope = {
      version: '0',
      id: event.eventId,
      'detail-type': event.detailType,
      source: event.source,
      account: this.#config.accountId,
      time: new Date(event.time).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: this.#config.region,
      resources: event.resources,
      detail: event.detail,
    };
    if (rule.target === 'lambda') {
      const deliveries: Promise<unknown>[] = [];
      for (let n = 0; n < (rule.deliveries ?? 1); n += 1) {
        // Asynchronous, as EventBridge invokes Lambda: PutEvents answers before the function runs.
        const delivery = (rule.invoke as NonNullable<EventRule['invoke']>)(envelope).then(
          (result) => {
            const arn = (result as { executionArn?: unknown } | null)?.executionArn;
            if (typeof arn === 'string' && !event.startedExecutionArns.includes(arn))
              event.startedExecutionArns.push(arn);
          },
          (error: unknown) => {
            event.targetErrors.push(
              error instanceof Error ? `${error.name}: ${error.message}` : String(error),
            );
          },
        );
        this.#deliveries.add(delivery);
        void delivery.finally(() => this.#deliveries.delete(delivery));
        deliveries.push(delivery);
      }
      return deliveries;
    }
    try {
      const execution = this.#config.stepFunctions.start({
        stateMachineArn: this.#config.stateMachineArn ?? '',
        input: JSON.stringify(rule.inputPath === '$.detail' ? event.detail : envelope),
      });
      event.startedExecutionArns.push(execution.executionArn);
    } catch (error) {
      event.targetErrors.push(
        error instanceof AwsApiError ? `${error.code}: ${error.message}` : String(error),
      );
    }
    return [];
  }
}

/** `EventBusName` may be a name or an ARN (`arn:aws:events:<region>:<account>:event-bus/<name>`). */
function busNameOf(nameOrArn: string): string {
  const arn = /^arn:aws[a-z-]*:events:[^:]*:\d{12}:event-bus\/(.+)$/.exec(nameOrArn);
  return arn?.[1] ?? nameOrArn;
}

function isPatternValue(value: unknown): value is PatternValue {
  if (typeof value === 'string') return true;
  if (typeof value !== 'object' || value === null || Object.keys(value).join() !== 'anything-but')
    return false;
  const but = (value as { 'anything-but': unknown })['anything-but'];
  return typeof but === 'string' || (Array.isArray(but) && but.every((v) => typeof v === 'string'));
}

/** Whether a field's value matches one of the pattern's values (absent field: anything). */
function fieldMatches(values: readonly PatternValue[] | undefined, value: string): boolean {
  if (values === undefined) return true;
  return values.some((v) => {
    if (typeof v === 'string') return v === value;
    const but = v['anything-but'];
    return typeof but === 'string' ? but !== value : !but.includes(value);
  });
}

function matches(
  rule: EventRule,
  event: { eventBusName: string; source: string; detailType: string },
): boolean {
  return (
    (rule.eventBusName ?? DEFAULT_BUS) === event.eventBusName &&
    fieldMatches(rule.pattern.source, event.source) &&
    fieldMatches(rule.pattern['detail-type'], event.detailType)
  );
}
