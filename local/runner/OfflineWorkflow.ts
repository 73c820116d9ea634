/**
 * Runs the synthesized state machine offline with `aws-local-stepfunctions`: Lambda tasks invoke the
 * same handler modules in-process, `events:putEvents` tasks call the (emulated) EventBridge through the
 * real SDK, and Wait states either pass in a moment or advance a virtual clock by their duration.
 */
import '../polyfills/promiseWithResolvers';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { ExecutionError, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import type { VirtualClock } from '../shared/VirtualClock';
import { invokeLambda } from './lambdaInvoker';
import type { SynthesizedWorkflow } from './synthesizedWorkflow';

/** One event of an execution's log (`StateEntered`, `StateExited`, `ExecutionFailed`, …). */
export type EventLog =
  ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

export interface OfflineWorkflowOptions {
  readonly workflow: SynthesizedWorkflow;
  /** Where `events:putEvents` tasks send their events (the AWS emulator). */
  readonly eventBridgeEndpoint: string;
  /**
   * Real milliseconds each Wait state and each Retry pause takes.
   * @default 0
   */
  readonly realWaitMs?: number;
  /**
   * When given, Wait states advance it by their duration (`Seconds` or `SecondsPath`) instead of sleeping.
   * Each execution keeps its own virtual time (its start plus its waits); the shared clock shows the
   * furthest of them, so concurrent executions wait side by side rather than one after another.
   * @default - waits are not accounted for
   */
  readonly clock?: VirtualClock;
  /** Called with every state-machine event of every execution, as it happens. */
  readonly onEvent?: (executionName: string, event: EventLog) => void;
}

/** An execution's input and identity, as Step Functions gives them. */
export interface OfflineExecution {
  readonly executionArn: string;
  readonly name: string;
  readonly input: unknown;
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

  constructor(options: OfflineWorkflowOptions) {
    this.#options = options;
    this.#machine = new StateMachine(options.workflow.definition as unknown as StateMachineDefinition, {
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

  /** Runs one execution to its end: resolves with its output, or rejects with {@link OfflineExecutionFailure}. */
  async run(execution: OfflineExecution): Promise<unknown> {
    const { workflow } = this.#options;
    const realWaitMs = this.#options.realWaitMs ?? 0;
    const taskResourceLocalHandlers: Record<string, (input: unknown) => Promise<never>> = {};
    for (const [state, module] of Object.entries(workflow.lambdaTasks)) {
      taskResourceLocalHandlers[state] = (input) => invokeLambda(module, input) as Promise<never>;
    }
    for (const state of workflow.putEventsTasks) {
      taskResourceLocalHandlers[state] = (input) => this.#putEvents(input) as Promise<never>;
    }
    const clock = this.#options.clock;
    const startedAt = new Date(clock ? clock.now() : Date.now()).toISOString();
    const run = this.#machine.run(execution.input as never, {
      overrides: {
        taskResourceLocalHandlers: taskResourceLocalHandlers as never,
        // A Wait still takes a real timer turn, so the event log below advances the clock before the next state.
        waitTimeOverrides: Object.fromEntries(workflow.waitStates.map((s) => [s, Math.max(1, realWaitMs)])),
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
    const watching = this.#watch(execution.name, run.eventLogs, Date.parse(startedAt));
    try {
      return await run.result;
    } catch (error) {
      throw toFailure(error);
    } finally {
      await watching;
    }
  }

  async #watch(executionName: string, events: AsyncGenerator<EventLog>, startedAt: number): Promise<void> {
    const { workflow, clock, onEvent } = this.#options;
    let localTime = startedAt;
    for await (const event of events) {
      if (event.type === 'StateEntered') {
        this.#stateTransitions += 1;
        if (clock && event.state.type === 'Wait') {
          const state = workflow.definition.States[event.state.name] ?? {};
          localTime = Math.max(localTime, clock.now() - 0) + waitSeconds(state, event.state.input) * 1000;
          clock.advanceTo(localTime);
        }
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

function toFailure(error: unknown): OfflineExecutionFailure {
  const cause =
    error instanceof ExecutionError ? (error.cause as Error | undefined) : (error as Error | undefined);
  return new OfflineExecutionFailure(cause?.name ?? 'States.Runtime', cause?.message ?? String(error));
}

/** The seconds a Wait state waits for this input: `Seconds`, or the number at its `SecondsPath`. */
function waitSeconds(state: Record<string, unknown>, input: unknown): number {
  if (typeof state.Seconds === 'number') return state.Seconds;
  if (typeof state.SecondsPath === 'string') {
    let value: unknown = input;
    for (const key of state.SecondsPath.replace(/^\$\.?/, '')
      .split('.')
      .filter(Boolean)) {
      value = value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
    }
    return typeof value === 'number' ? value : 0;
  }
  return 0;
}
