import type { Clock } from '../shared/model';
import { AwsApiError, EmulatorOptionsError } from './errors';
import { uuid } from './ids';
import {
  epochSeconds,
  type JsonObject,
  optionalBoolean,
  optionalInteger,
  optionalString,
  requiredString,
} from './jsonInput';
import { decodeOffsetToken, encodeOffsetToken } from './pagination';

/**
 * What runs the executions the emulated Step Functions starts: the offline runner plugs in the
 * real state machine (run by `aws-local-stepfunctions`), tests plug in a fake.
 *
 * @example
 * ```ts
 * const stepFunctions: StepFunctionsBackend = {
 *   stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:ProvisionPrivateEndpoint',
 *   run: async ({ input }) => ({ ok: true, input }),
 * };
 * ```
 */
export interface StepFunctionsBackend {
  /** The one state machine this backend runs; StartExecution on any other ARN is `StateMachineDoesNotExist`. */
  readonly stateMachineArn: string;
  /**
   * Runs one execution. Resolve with the output (sent as JSON); reject to fail the execution with
   * the rejection's `name` as its Error and `message` as its Cause, or with an {@link ExecutionStoppedError}
   * to end it the way `StopExecution` does: `ABORTED`.
   */
  run(execution: {
    readonly executionArn: string;
    readonly name: string;
    readonly input: unknown;
    /**
     * Records a state's entry or exit in the execution's history (GetExecutionHistory), as Step Functions
     * does: the emulator numbers and stamps it, and ignores it once the execution has stopped. The
     * execution's start and end are recorded by the emulator itself.
     */
    readonly record?: (event: StateTransition) => void;
  }): Promise<unknown>;
  /**
   * Stops a run that StopExecution ended (the execution already reads ABORTED): no further state runs.
   * @default - the run goes on unseen, its result ignored
   */
  stop?(execution: { readonly executionArn: string; readonly name: string }): void;
}

/** A state's entry or exit, as a backend reports it; `type` is the state's ASL type (`Task`, `Pass`, …). */
export type StateTransition =
  | { readonly kind: 'entered'; readonly type: string; readonly name: string; readonly input: unknown }
  | { readonly kind: 'exited'; readonly type: string; readonly name: string; readonly output: unknown };

/**
 * One event of an execution's history, as GetExecutionHistory returns it (with execution data), except
 * that `timestamp` is in milliseconds here and in epoch seconds on the wire.
 */
export interface HistoryEventRecord {
  readonly id: number;
  readonly previousEventId: number;
  readonly timestamp: number;
  /** `ExecutionStarted`, `TaskStateEntered`, `TaskStateExited`, `ExecutionSucceeded`, `ExecutionFailed`, … */
  readonly type: string;
  readonly details: { readonly member: string; readonly value: Readonly<Record<string, unknown>> };
}

export const ExecutionStatus = {
  RUNNING: 'RUNNING',
  SUCCEEDED: 'SUCCEEDED',
  FAILED: 'FAILED',
  ABORTED: 'ABORTED',
} as const;
export type ExecutionStatus = (typeof ExecutionStatus)[keyof typeof ExecutionStatus];

/**
 * A backend rejects {@link StepFunctionsBackend.run} with this when the execution was stopped rather
 * than failed (`StopExecution`, or a crash the tests stage): Step Functions then reports it `ABORTED`, with
 * the Error and Cause given to the stop, if any, and no output.
 */
export class ExecutionStoppedError extends Error {
  /** The Error `StopExecution` was given, if any. */
  readonly error: string | undefined;
  /** The Cause `StopExecution` was given, if any. */
  readonly stopCause: string | undefined;

  constructor(options: { readonly error?: string; readonly cause?: string } = {}) {
    super(options.cause ?? 'the execution was stopped');
    this.name = 'ExecutionStoppedError';
    this.error = options.error;
    this.stopCause = options.cause;
  }
}

/** One execution as the emulator keeps it (a copy: changing it changes nothing). */
export interface ExecutionRecord {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly status: ExecutionStatus;
  /** Milliseconds since the epoch, by the emulator's clock. */
  readonly startDate: number;
  readonly stopDate?: number;
  /** The input as sent: a JSON string. */
  readonly input: string;
  /** The output as a JSON string, once SUCCEEDED. */
  readonly output?: string;
  /** The failure's name, once FAILED (or the Error given to the stop, once ABORTED). */
  readonly error?: string;
  /** The failure's message, once FAILED (or the Cause given to the stop, once ABORTED). */
  readonly cause?: string;
}

type MutableExecution = { -readonly [K in keyof ExecutionRecord]: ExecutionRecord[K] };

interface StepFunctionsConfig {
  readonly clock: Clock;
  /** One backend per state machine. */
  readonly backends: readonly StepFunctionsBackend[];
}

const STATE_MACHINE_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[^:]+$/;
const EXECUTION_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:execution:[^:]+:[^:]+$/;
/**
 * Characters an execution name must not contain (the StartExecution API reference): white space,
 * brackets, wildcards, `"#%\^|~`$&,;:/` and control characters.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is forbidden
const FORBIDDEN_NAME_CHARACTERS = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/;
const MAX_NAME_LENGTH = 80;
const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 1000;

/** Checks the backends' ARNs at start-up: a typo would otherwise only show as StateMachineDoesNotExist. */
export function validateStepFunctionsBackends(
  backends: readonly { readonly where: string; readonly backend: StepFunctionsBackend }[],
): void {
  const seen = new Set<string>();
  for (const { where, backend } of backends) {
    if (!STATE_MACHINE_ARN.test(backend.stateMachineArn)) {
      throw new EmulatorOptionsError(
        `${where}.stateMachineArn must be a state machine ARN (arn:aws:states:<region>:<account>:stateMachine:<name>), got ${JSON.stringify(backend.stateMachineArn)}`,
      );
    }
    if (typeof backend.run !== 'function') throw new EmulatorOptionsError(`${where}.run must be a function`);
    if (seen.has(backend.stateMachineArn)) {
      throw new EmulatorOptionsError(`${where}.stateMachineArn ${backend.stateMachineArn} is given twice`);
    }
    seen.add(backend.stateMachineArn);
  }
}

/**
 * The emulated Step Functions control plane: the execution table with STANDARD workflows' name
 * idempotency, while a pluggable backend does the running.
 */
export class StepFunctionsService {
  readonly #config: StepFunctionsConfig;
  #executions = new Map<string, MutableExecution>();
  #waiters = new Map<string, ((execution: ExecutionRecord) => void)[]>();
  /** Each execution's history events, oldest first. */
  #history = new Map<string, HistoryEventRecord[]>();
  /** Bumped by reset(): a run that settles afterwards belongs to a forgotten table. */
  #generation = 0;

  constructor(config: StepFunctionsConfig) {
    this.#config = config;
  }

  handle(action: string, input: JsonObject): unknown {
    switch (action) {
      case 'StartExecution': {
        const started = this.start({
          stateMachineArn: requiredString(input, 'stateMachineArn'),
          name: optionalString(input, 'name'),
          input: optionalString(input, 'input'),
        });
        return { executionArn: started.executionArn, startDate: epochSeconds(started.startDate) };
      }
      case 'DescribeExecution':
        return this.#describe(requiredString(input, 'executionArn'));
      case 'StopExecution':
        return this.#stop(
          requiredString(input, 'executionArn'),
          optionalString(input, 'error'),
          optionalString(input, 'cause'),
        );
      case 'ListExecutions':
        return this.#list(input);
      case 'GetExecutionHistory':
        return this.#getHistory(input);
      default:
        throw new AwsApiError('UnknownOperationException', `Unknown operation ${action}`);
    }
  }

  /**
   * Starts an execution (StartExecution, and EventBridge rules targeting the state machine).
   *
   * A name already used on this state machine answers the same execution when it is still RUNNING
   * with the same input, and `ExecutionAlreadyExists` otherwise (STANDARD workflows).
   */
  start(request: {
    stateMachineArn: string;
    name?: string | undefined;
    input?: string | undefined;
  }): ExecutionRecord {
    const { stateMachineArn } = request;
    if (!STATE_MACHINE_ARN.test(stateMachineArn)) {
      throw new AwsApiError(
        'InvalidArn',
        `Invalid Arn: 'Resource type not valid in this context: ${stateMachineArn}'`,
      );
    }
    const backend = this.#backendFor(stateMachineArn);
    if (!backend) {
      throw new AwsApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${stateMachineArn}'`);
    }
    const name = request.name ?? uuid();
    if (name.length === 0 || name.length > MAX_NAME_LENGTH || FORBIDDEN_NAME_CHARACTERS.test(name)) {
      throw new AwsApiError('InvalidName', `Invalid Name: '${name}'`);
    }
    // The API reference: "If you don't include any JSON input data, you still must include the two braces".
    const input = request.input ?? '{}';
    let parsed: unknown;
    try {
      parsed = JSON.parse(input);
    } catch (error) {
      throw new AwsApiError(
        'InvalidExecutionInput',
        `Invalid State Machine Execution Input: '${(error as Error).message}'`,
      );
    }
    const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
    const existing = this.#executions.get(executionArn);
    if (existing) {
      if (existing.status === ExecutionStatus.RUNNING && existing.input === input) return { ...existing };
      throw new AwsApiError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    }
    const execution: MutableExecution = {
      executionArn,
      stateMachineArn,
      name,
      status: ExecutionStatus.RUNNING,
      startDate: this.#config.clock(),
      input,
    };
    this.#executions.set(executionArn, execution);
    this.#history.set(executionArn, []);
    this.#append(execution, 'ExecutionStarted', 'executionStartedEventDetails', {
      input,
      inputDetails: { truncated: false },
      roleArn: roleArnFor(stateMachineArn),
    });
    this.#run(backend, execution, parsed);
    return { ...execution };
  }

  /** Every execution, oldest first. */
  executions(): ExecutionRecord[] {
    return [...this.#executions.values()].map((e) => ({ ...e }));
  }

  /** Resolves once the execution is no longer RUNNING; rejects if it does not exist or after `timeoutMs`. */
  waitFor(executionArn: string, timeoutMs: number): Promise<ExecutionRecord> {
    const execution = this.#executions.get(executionArn);
    if (!execution) return Promise.reject(new Error(`waitForExecution: no execution ${executionArn}`));
    if (execution.status !== ExecutionStatus.RUNNING) return Promise.resolve({ ...execution });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const waiters = this.#waiters.get(executionArn) ?? [];
        this.#waiters.set(
          executionArn,
          waiters.filter((w) => w !== done),
        );
        reject(new Error(`waitForExecution: ${executionArn} still RUNNING after ${timeoutMs} ms`));
      }, timeoutMs);
      const done = (settled: ExecutionRecord) => {
        clearTimeout(timer);
        resolve(settled);
      };
      this.#waiters.set(executionArn, [...(this.#waiters.get(executionArn) ?? []), done]);
    });
  }

  /** An execution's history, oldest first (a copy); empty when there is no such execution. */
  history(executionArn: string): HistoryEventRecord[] {
    return [...(this.#history.get(executionArn) ?? [])];
  }

  /** Forgets every execution; runs still in flight settle into nothing. */
  reset(): void {
    this.#generation += 1;
    this.#executions = new Map();
    this.#history = new Map();
    this.#waiters = new Map();
  }

  #backendFor(stateMachineArn: string): StepFunctionsBackend | undefined {
    return this.#config.backends.find((b) => b.stateMachineArn === stateMachineArn);
  }

  /**
   * StopExecution: the execution is ABORTED at once, with the Error and Cause given (if any), and the
   * backend is asked to stop running it; whatever its run settles into later changes nothing. An execution
   * that has already stopped keeps its status (emulator choice); the answer is its stop date.
   */
  #stop(executionArn: string, error: string | undefined, cause: string | undefined): unknown {
    if (!EXECUTION_ARN.test(executionArn)) {
      throw new AwsApiError(
        'InvalidArn',
        `Invalid Arn: 'Resource type not valid in this context: ${executionArn}'`,
      );
    }
    const execution = this.#executions.get(executionArn);
    if (!execution)
      throw new AwsApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
    if (execution.status === ExecutionStatus.RUNNING) {
      execution.status = ExecutionStatus.ABORTED;
      if (error !== undefined) execution.error = error;
      if (cause !== undefined) execution.cause = cause;
      this.#append(execution, 'ExecutionAborted', 'executionAbortedEventDetails', {
        ...(error !== undefined ? { error } : {}),
        ...(cause !== undefined ? { cause } : {}),
      });
      this.#settled(execution);
      this.#backendFor(execution.stateMachineArn)?.stop?.({ executionArn, name: execution.name });
    }
    return { stopDate: epochSeconds(execution.stopDate ?? this.#config.clock()) };
  }

  /** Stamps the stop date and tells whoever waits for the execution. */
  #settled(execution: MutableExecution): void {
    execution.stopDate = this.#config.clock();
    const waiters = this.#waiters.get(execution.executionArn) ?? [];
    this.#waiters.delete(execution.executionArn);
    for (const waiter of waiters) waiter({ ...execution });
  }

  #run(backend: StepFunctionsBackend, execution: MutableExecution, input: unknown): void {
    const generation = this.#generation;
    const { executionArn, name } = execution;
    // Deferred so the StartExecution response goes out first, as with the real asynchronous service;
    // a backend that throws synchronously fails the execution instead of the request.
    const record = (event: StateTransition) => {
      if (generation !== this.#generation || execution.status !== ExecutionStatus.RUNNING) return;
      const type = `${event.type}State${event.kind === 'entered' ? 'Entered' : 'Exited'}`;
      if (event.kind === 'entered') {
        this.#append(execution, type, 'stateEnteredEventDetails', {
          name: event.name,
          input: JSON.stringify(event.input ?? null),
          inputDetails: { truncated: false },
        });
      } else {
        this.#append(execution, type, 'stateExitedEventDetails', {
          name: event.name,
          output: JSON.stringify(event.output ?? null),
          outputDetails: { truncated: false },
        });
      }
    };
    Promise.resolve()
      .then(() => backend.run({ executionArn, name, input, record }))
      .then(
        (output) => {
          if (execution.status !== ExecutionStatus.RUNNING) return; // stopped meanwhile
          execution.status = ExecutionStatus.SUCCEEDED;
          execution.output = JSON.stringify(output === undefined ? null : output);
          this.#append(execution, 'ExecutionSucceeded', 'executionSucceededEventDetails', {
            output: execution.output,
            outputDetails: { truncated: false },
          });
        },
        (error: unknown) => {
          if (execution.status !== ExecutionStatus.RUNNING) return; // stopped meanwhile
          if (error instanceof ExecutionStoppedError) {
            execution.status = ExecutionStatus.ABORTED;
            if (error.error !== undefined) execution.error = error.error;
            if (error.stopCause !== undefined) execution.cause = error.stopCause;
            this.#append(execution, 'ExecutionAborted', 'executionAbortedEventDetails', {
              ...(error.error !== undefined ? { error: error.error } : {}),
              ...(error.stopCause !== undefined ? { cause: error.stopCause } : {}),
            });
            return;
          }
          execution.status = ExecutionStatus.FAILED;
          execution.error = error instanceof Error ? error.name : 'Error';
          execution.cause = error instanceof Error ? error.message : String(error);
          this.#append(execution, 'ExecutionFailed', 'executionFailedEventDetails', {
            error: execution.error,
            cause: execution.cause,
          });
        },
      )
      .then(() => {
        if (generation !== this.#generation || execution.stopDate !== undefined) return;
        this.#settled(execution);
      });
  }

  /** Adds an event to the execution's history, numbered after the last one and stamped by the clock. */
  #append(
    execution: MutableExecution,
    type: string,
    member: string,
    value: Readonly<Record<string, unknown>>,
  ): void {
    const events = this.#history.get(execution.executionArn);
    if (!events) return;
    const id = events.length + 1;
    events.push({
      id,
      previousEventId: id - 1,
      timestamp: this.#config.clock(),
      type,
      details: { member, value },
    });
  }

  /**
   * GetExecutionHistory: oldest first (newest first with `reverseOrder`), 100 a page by default and 1000 at
   * most, and each event's input or output only with `includeExecutionData` (default true).
   */
  #getHistory(input: JsonObject): unknown {
    const executionArn = requiredString(input, 'executionArn');
    if (!EXECUTION_ARN.test(executionArn)) {
      throw new AwsApiError(
        'InvalidArn',
        `Invalid Arn: 'Resource type not valid in this context: ${executionArn}'`,
      );
    }
    const events = this.#history.get(executionArn);
    if (!events) {
      throw new AwsApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
    }
    const maxResults = optionalInteger(input, 'maxResults') ?? 0;
    if (maxResults < 0 || maxResults > MAX_PAGE_SIZE) {
      throw new AwsApiError(
        'ValidationException',
        `Value '${maxResults}' at 'maxResults' failed to satisfy constraint`,
      );
    }
    const includeData = optionalBoolean(input, 'includeExecutionData') ?? true;
    const ordered = optionalBoolean(input, 'reverseOrder') ? [...events].reverse() : events;
    const offset = decodeOffsetToken(optionalString(input, 'nextToken'), 'InvalidToken');
    const pageSize = maxResults === 0 ? DEFAULT_PAGE_SIZE : maxResults;
    const page = ordered.slice(offset, offset + pageSize);
    return {
      events: page.map((e) => ({
        id: e.id,
        previousEventId: e.previousEventId,
        timestamp: epochSeconds(e.timestamp),
        type: e.type,
        [e.details.member]: includeData ? e.details.value : withoutData(e.details.value),
      })),
      ...(offset + pageSize < ordered.length ? { nextToken: encodeOffsetToken(offset + pageSize) } : {}),
    };
  }

  #describe(executionArn: string): unknown {
    if (!EXECUTION_ARN.test(executionArn)) {
      throw new AwsApiError(
        'InvalidArn',
        `Invalid Arn: 'Resource type not valid in this context: ${executionArn}'`,
      );
    }
    const e = this.#executions.get(executionArn);
    if (!e) throw new AwsApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
    return {
      executionArn: e.executionArn,
      stateMachineArn: e.stateMachineArn,
      name: e.name,
      status: e.status,
      startDate: epochSeconds(e.startDate),
      ...(e.stopDate !== undefined ? { stopDate: epochSeconds(e.stopDate) } : {}),
      input: e.input,
      inputDetails: { included: true },
      ...(e.output !== undefined ? { output: e.output, outputDetails: { included: true } } : {}),
      ...(e.error !== undefined ? { error: e.error } : {}),
      ...(e.cause !== undefined ? { cause: e.cause } : {}),
    };
  }

  #list(input: JsonObject): unknown {
    const stateMachineArn = requiredString(input, 'stateMachineArn');
    if (!STATE_MACHINE_ARN.test(stateMachineArn)) {
      throw new AwsApiError(
        'InvalidArn',
        `Invalid Arn: 'Resource type not valid in this context: ${stateMachineArn}'`,
      );
    }
    if (!this.#backendFor(stateMachineArn)) {
      throw new AwsApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${stateMachineArn}'`);
    }
    const statusFilter = optionalString(input, 'statusFilter');
    const maxResults = optionalInteger(input, 'maxResults') ?? 0;
    if (maxResults < 0 || maxResults > MAX_PAGE_SIZE) {
      throw new AwsApiError(
        'ValidationException',
        `Value '${maxResults}' at 'maxResults' failed to satisfy constraint`,
      );
    }
    const offset = decodeOffsetToken(optionalString(input, 'nextToken'), 'InvalidToken');
    const matching = [...this.#executions.values()]
      .filter(
        (e) =>
          e.stateMachineArn === stateMachineArn && (statusFilter === undefined || e.status === statusFilter),
      )
      .reverse(); // newest first, as AWS lists them
    const pageSize = maxResults === 0 ? DEFAULT_PAGE_SIZE : maxResults;
    const page = matching.slice(offset, offset + pageSize);
    return {
      executions: page.map((e) => ({
        executionArn: e.executionArn,
        stateMachineArn: e.stateMachineArn,
        name: e.name,
        status: e.status,
        startDate: epochSeconds(e.startDate),
        ...(e.stopDate !== undefined ? { stopDate: epochSeconds(e.stopDate) } : {}),
      })),
      ...(offset + pageSize < matching.length ? { nextToken: encodeOffsetToken(offset + pageSize) } : {}),
    };
  }
}

/** An event's details without its execution data (`includeExecutionData: false`). */
function withoutData(details: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const { input: _input, output: _output, inputDetails: _i, outputDetails: _o, ...rest } = details;
  return rest;
}

/** The emulator's stand-in for the state machine's role, in the state machine's partition and account. */
function roleArnFor(stateMachineArn: string): string {
  const [, partition, , , account] = stateMachineArn.split(':');
  return `arn:${partition}:iam::${account}:role/StateMachineRole`;
}
