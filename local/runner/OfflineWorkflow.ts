/**
 * Runs the synthesized state machine offline with `aws-local-stepfunctions`: Lambda tasks invoke the
 * same handler modules in-process, `events:putEvents` tasks call the (emulated) EventBridge through the
 * real SDK, and Wait states either pass in a moment or, on a {@link Timeline}, take their duration in
 * virtual time.
 */
import '../polyfills/promiseWithResolvers';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  ExecutionAbortedError,
  ExecutionError,
  StateMachine,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import { ExecutionStoppedError, type StateTransition } from '../aws-emulator/stepFunctions';
import type { Actor, Timeline } from '../shared/Timeline';
import { valueAt } from '../shared/valueAt';
import { LambdaFaultError, type LambdaFaultPlan, LambdaInvocationError } from './lambdaFaults';
import { invokeLambda } from './lambdaInvoker';
import type { SynthesizedStateMachine } from './synthesizedWorkflow';

/** One event of an execution's log (`StateEntered`, `StateExited`, `ExecutionFailed`, …). */
export type EventLog =
  ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

export interface OfflineWorkflowOptions {
  /** The synthesized state machine to run (the provisioning, or the deprovisioning). */
  readonly workflow: SynthesizedStateMachine;
  /** Where `events:putEvents` tasks send their events (the AWS emulator). */
  readonly eventBridgeEndpoint: string;
  /**
   * Real milliseconds each Wait state and each Retry pause takes.
   * @default 0
   */
  readonly realWaitMs?: number;
  /**
   * When given, executions run on it (see {@link Timeline}): a Wait state or a Retry pause (by the retrier's
   * interval, backoff, maximum and jitter) makes the execution wait on the timeline for that long in virtual
   * time, and the handlers' own waits (the Atlas client's backoff) do too. Executions started together
   * begin at the same instant, in name order.
   * @default - waits are not accounted for
   */
  readonly timeline?: Timeline;
  /**
   * The jitter of Retry pauses with `JitterStrategy: FULL`, in [0, 1).
   * @default Math.random
   */
  readonly random?: () => number;
  /** Called with every state-machine event of every execution, as it happens. */
  readonly onEvent?: (executionName: string, event: EventLog) => void;
  /** Faults of the Lambda service to inject into the Lambda tasks (throttling, timeouts). @default - none */
  readonly lambdaFaults?: LambdaFaultPlan;
}

/** An execution's input and identity, as Step Functions gives them. */
export interface OfflineExecution {
  readonly executionArn: string;
  readonly name: string;
  readonly input: unknown;
  /** Where each state's entry and exit go: the execution's history, as Step Functions keeps it. */
  readonly record?: ((event: StateTransition) => void) | undefined;
}

/** When an execution's next task may run: the end of the Wait or Retry pause before it, if any. */
interface Pace {
  dueAt: number | undefined;
}

/** A failed execution: `name` is its Error, `message` its Cause. */
export class OfflineExecutionFailure extends Error {
  constructor(error: string, cause: string) {
    super(cause);
    this.name = error;
  }
}

export class OfflineWorkflow {
  readonly #options: OfflineWorkflowOptions;
  readonly #machine: StateMachine;
  readonly #eventBridge: EventBridgeClient;
  #stateTransitions = 0;
  readonly #running = new Map<string, () => void>();
  readonly #aborted = new Set<string>();
  #abortBefore: string | undefined;

  constructor(options: OfflineWorkflowOptions) {
    this.#options = options;
    this.#machine = new StateMachine(runnable(options.workflow.definition), {
      validationOptions: { checkArn: false },
    });
    this.#eventBridge = new EventBridgeClient({
      endpoint: options.eventBridgeEndpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'offline', secretAccessKey: 'offline' },
    });
  }

  get stateMachineArn(): string {
    return this.#options.workflow.stateMachineArn;
  }

  /** State transitions (states entered) across every execution so far. */
  get stateTransitions(): number {
    return this.#stateTransitions;
  }

  /**
   * Stops a running execution the way `StopExecution` (or a crashed runtime) does: no Catch runs, so no
   * clean-up either; whatever it created stays for the sweep. It ends `ABORTED` (its run rejects with
   * {@link ExecutionStoppedError}).
   * Returns false when no execution of that name is running.
   */
  abort(executionName: string): boolean {
    const abort = this.#running.get(executionName);
    if (!abort) return false;
    this.#aborted.add(executionName);
    abort();
    return true;
  }

  /** Arms a one-shot crash: the next execution about to run task `state` is aborted instead. */
  abortBefore(state: string): void {
    if (!(state in this.#options.workflow.lambdaTasks)) {
      throw new Error(`abortBefore: "${state}" is not a Lambda task of the workflow`);
    }
    this.#abortBefore = state;
  }

  /**
   * Runs one execution to its end: resolves with its output, or rejects with {@link OfflineExecutionFailure}
   * (or {@link ExecutionStoppedError} once {@link abort}ed).
   */
  async run(execution: OfflineExecution): Promise<unknown> {
    const timeline = this.#options.timeline;
    const actor = timeline?.join(execution.name);
    try {
      // Executions started together begin at the same instant, one after another in name order.
      if (actor && timeline) await actor.waitUntil(timeline.clock.now());
      return await this.#run(execution, actor);
    } finally {
      actor?.leave();
    }
  }

  async #run(execution: OfflineExecution, actor: Actor | undefined): Promise<unknown> {
    const { workflow, timeline } = this.#options;
    const realWaitMs = this.#options.realWaitMs ?? 0;
    const taskResourceLocalHandlers: Record<string, (input: unknown) => Promise<never>> = {};
    const startedAt = new Date(timeline ? timeline.clock.now() : Date.now()).toISOString();
    const pace: Pace = { dueAt: undefined };
    // Before a task runs, the execution waits on the timeline until the Wait or Retry pause before it ends.
    const resume = async () => {
      if (!actor) return;
      // The event log (which sets when that is) is read in microtasks: let it catch up first.
      await new Promise<void>((resolve) => setImmediate(resolve));
      const dueAt = pace.dueAt;
      pace.dueAt = undefined;
      if (dueAt !== undefined) await actor.waitUntil(dueAt);
    };
    const asActor = <T>(body: () => Promise<T>): Promise<T> =>
      actor && timeline ? timeline.run(actor, body) : body();
    for (const [state, module] of Object.entries(workflow.lambdaTasks)) {
      // aws-local-stepfunctions stamps $$.Execution.StartTime with the real clock, whatever the context
      // says; the handlers measure deadlines on the virtual one, so give them the virtual start time.
      const startTimeKeys = Object.entries(workflow.definition.States[state]?.Parameters ?? {})
        .filter(([key, value]) => key.endsWith('.$') && value === '$$.Execution.StartTime')
        .map(([key]) => key.slice(0, -2));
      taskResourceLocalHandlers[state] = async (rawInput) => {
        const input =
          startTimeKeys.length > 0 && rawInput && typeof rawInput === 'object'
            ? { ...rawInput, ...Object.fromEntries(startTimeKeys.map((key) => [key, startedAt])) }
            : rawInput;
        if (this.#abortBefore === state) {
          this.#abortBefore = undefined;
          this.abort(execution.name);
        }
        // An aborted execution's pending task never runs (the run has settled already).
        if (this.#aborted.has(execution.name)) return new Promise<never>(() => {});
        await resume();
        if (this.#aborted.has(execution.name)) return new Promise<never>(() => {});
        const fault = this.#options.lambdaFaults?.take(functionNameOf(module));
        if (fault === LambdaFaultError.SandboxTimedout) {
          // The function runs, and whatever it did stays done, but Step Functions never sees its result.
          const fail = () => {
            throw new LambdaInvocationError(fault);
          };
          return asActor(() => invokeLambda(module, input)).then(fail, fail) as Promise<never>;
        }
        if (fault) throw new LambdaInvocationError(fault);
        return (await asActor(() => invokeLambda(module, input))) as never;
      };
    }
    for (const state of workflow.putEventsTasks) {
      taskResourceLocalHandlers[state] = async (input) => {
        await resume();
        return (await this.#putEvents(input)) as never;
      };
    }
    const run = this.#machine.run(execution.input as never, {
      overrides: {
        taskResourceLocalHandlers: taskResourceLocalHandlers as never,
        // On a timeline the task after a Wait waits instead; without one, a Wait takes a real timer turn.
        waitTimeOverrides: Object.fromEntries(
          workflow.waitStates.map((s) => [s, timeline ? realWaitMs : Math.max(1, realWaitMs)]),
        ),
        retryIntervalOverrides: Object.fromEntries(workflow.retryingStates.map((s) => [s, realWaitMs])),
      },
      context: {
        Execution: {
          Id: execution.executionArn,
          Name: execution.name,
          Input: execution.input as never,
          StartTime: startedAt,
          RoleArn: 'arn:aws:iam::123456789012:role/offline',
        },
        StateMachine: { Id: workflow.stateMachineArn, Name: workflow.stateMachineName },
      },
    });
    this.#aborted.delete(execution.name);
    this.#running.set(execution.name, run.abort);
    const watching = this.#watch(execution, run.eventLogs, pace);
    try {
      return await run.result;
    } catch (error) {
      throw toFailure(error);
    } finally {
      this.#running.delete(execution.name);
      await watching;
    }
  }

  async #watch(execution: OfflineExecution, events: AsyncGenerator<EventLog>, pace: Pace): Promise<void> {
    const { workflow, timeline, onEvent } = this.#options;
    const random = this.#options.random ?? Math.random;
    const executionName = execution.name;
    for await (const event of events) {
      // What Step Functions records in the execution's history: each state's entry (with its input) and
      // exit (with its output). The execution's own start and end are the emulator's to record.
      if (event.type === 'StateEntered') {
        execution.record?.({
          kind: 'entered',
          type: event.state.type,
          name: event.state.name,
          input: event.state.input,
        });
      } else if (event.type === 'StateExited') {
        execution.record?.({
          kind: 'exited',
          type: event.state.type,
          name: event.state.name,
          output: event.state.output,
        });
      }
      if (event.type === 'StateEntered') {
        this.#stateTransitions += 1;
        if (timeline && event.state.type === 'Wait') {
          const state = workflow.definition.States[event.state.name] ?? {};
          pace.dueAt = timeline.clock.now() + waitSeconds(state, event.state.input) * 1000;
        }
      }
      // A Retry pause is a wait too: without it, a throttled execution would retry with no time passing.
      if (timeline && event.type === 'StateRetried') {
        const pause = retryPauseSeconds(event.retry.retrier, event.retry.attempt, random);
        pace.dueAt = timeline.clock.now() + pause * 1000;
      }
      onEvent?.(executionName, event);
    }
  }

  async #putEvents(input: unknown): Promise<unknown> {
    const entries = (input as { Entries?: Record<string, unknown>[] }).Entries ?? [];
    const response = await this.#eventBridge.send(
      new PutEventsCommand({
        Entries: entries.map((e) => ({
          EventBusName: e.EventBusName as string,
          Source: e.Source as string,
          DetailType: e.DetailType as string,
          // Step Functions serializes a JSON Detail before it calls EventBridge.
          Detail: typeof e.Detail === 'string' ? e.Detail : JSON.stringify(e.Detail),
        })),
      }),
    );
    if ((response.FailedEntryCount ?? 0) > 0) {
      const failure = new Error('EventBridge refused an entry');
      failure.name = 'EventBridge.FailedEntry';
      throw failure;
    }
    return { Entries: response.Entries ?? [], FailedEntryCount: response.FailedEntryCount ?? 0 };
  }
}

/** A handler module's function name, e.g. `api/startProvisioning` → `startProvisioning`. */
function functionNameOf(module: string): string {
  return module.slice(module.lastIndexOf('/') + 1);
}

function toFailure(error: unknown): OfflineExecutionFailure | ExecutionStoppedError {
  if (error instanceof ExecutionAbortedError) return new ExecutionStoppedError();
  const cause =
    error instanceof ExecutionError ? (error.cause as Error | undefined) : (error as Error | undefined);
  return new OfflineExecutionFailure(cause?.name ?? 'States.Runtime', cause?.message ?? String(error));
}

/**
 * The seconds Step Functions pauses before retry number `attempt` (1-based): `IntervalSeconds` ×
 * `BackoffRate`^(attempt − 1), at most `MaxDelaySeconds`, and with `JitterStrategy: FULL` a random part of it.
 */
export function retryPauseSeconds(retrier: RetrierFields, attempt: number, random: () => number): number {
  const pause = Math.min(
    (retrier.IntervalSeconds ?? 1) * (retrier.BackoffRate ?? 2) ** Math.max(0, attempt - 1),
    retrier.MaxDelaySeconds ?? Number.POSITIVE_INFINITY,
  );
  return retrier.JitterStrategy === 'FULL' ? random() * pause : pause;
}

export interface RetrierFields {
  readonly IntervalSeconds?: number;
  readonly BackoffRate?: number;
  readonly MaxDelaySeconds?: number;
  readonly JitterStrategy?: string;
}

/**
 * Refuses a definition `aws-local-stepfunctions` 3.0.0 would run wrongly, rather than change it: an explicit
 * `ResultPath: "$"` (on a state or a catcher) is written under a key literally named `$`, since the library
 * strips only a `$.` prefix. Omitting it means the same in ASL, and is what the construct does.
 */
function runnable(definition: SynthesizedStateMachine['definition']): StateMachineDefinition {
  for (const [name, state] of Object.entries(definition.States)) {
    const catchers = Array.isArray(state.Catch) ? (state.Catch as Record<string, unknown>[]) : [];
    if (state.ResultPath === '$' || catchers.some((c) => c.ResultPath === '$')) {
      throw new Error(
        `state "${name}" sets ResultPath "$", which the offline runner cannot run; omit it (same meaning)`,
      );
    }
  }
  return definition as unknown as StateMachineDefinition;
}

/** The seconds a Wait state waits for this input: `Seconds`, or the number at its `SecondsPath`. */
function waitSeconds(state: Record<string, unknown>, input: unknown): number {
  if (typeof state.Seconds === 'number') return state.Seconds;
  if (typeof state.SecondsPath === 'string') {
    const value = valueAt(input, state.SecondsPath);
    return typeof value === 'number' ? value : 0;
  }
  return 0;
}
