import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  ListExecutionsCommand,
  type ListExecutionsCommandOutput,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { canonicalJson } from '../canonicalJson';
import { type CreatedVpcEndpoint, createdVpcEndpoints } from '../domain/executionHistory';
import { InvalidRequestError } from '../errors';
import { isExecutionName } from '../ids';

/** What {@link Executions.start} did. */
export type StartResult =
  | {
      /** A new execution (or, as Step Functions answers it, the running one of this name and input). */
      readonly kind: 'started';
      readonly executionArn: string;
      /** ISO 8601. */
      readonly startDate: string;
    }
  | {
      /** An execution of this name and input ran before (or runs): it is not started again. */
      readonly kind: 'existing';
      readonly executionArn: string;
      /** ISO 8601. */
      readonly startDate: string;
      /** `RUNNING`, `SUCCEEDED`, `FAILED`, `TIMED_OUT`, `ABORTED` or `PENDING_REDRIVE`. */
      readonly status: string;
    }
  | {
      /** An execution of this name exists with another input: the name is taken. */
      readonly kind: 'conflict';
      readonly executionArn: string;
    };

/** An execution as the API reports it. */
export interface ExecutionView {
  readonly executionArn: string;
  readonly name: string;
  /** `RUNNING`, `SUCCEEDED`, `FAILED`, `TIMED_OUT`, `ABORTED` or `PENDING_REDRIVE`. */
  readonly status: string;
  /** ISO 8601. */
  readonly startedAt: string;
  /** ISO 8601, once the execution has stopped. */
  readonly stoppedAt?: string;
  /** The parsed input (the raw string if it is not JSON). */
  readonly input?: unknown;
  /** The parsed output, once it succeeded (the raw string if it is not JSON). */
  readonly output?: unknown;
  readonly error?: string;
  readonly cause?: string;
}

/** One page of executions, newest first, as ListExecutions returns them (no input or output). */
export interface ExecutionPage {
  readonly executions: readonly Omit<ExecutionView, 'output' | 'error' | 'cause'>[];
  /** Step Functions' token for the next page (valid for 24 hours), when there is one. */
  readonly nextToken?: string;
}

export { isExecutionName } from '../ids';

/**
 * Executions of one state machine: starts them idempotently by name and reads them back.
 *
 * SDK errors other than the two this class interprets (`ExecutionAlreadyExists`,
 * `ExecutionDoesNotExist`) are rethrown as they are; the SDK retries throttling itself.
 *
 * @example
 * ```ts
 * const executions = new Executions(sfnClient(), process.env.STATE_MACHINE_ARN!);
 * const result = await executions.start(requestId, input);
 * if (result.kind === 'conflict') return { statusCode: 409 };
 * ```
 */
export class Executions {
  readonly #client: SFNClient;
  readonly #stateMachineArn: string;

  constructor(client: SFNClient, stateMachineArn: string) {
    if (!/^arn:[^:]+:states:[^:]*:[^:]*:stateMachine:[^:]+$/.test(stateMachineArn)) {
      throw new InvalidRequestError([
        {
          field: 'stateMachineArn',
          message: `expected a state machine ARN ("arn:aws:states:<region>:<account>:stateMachine:<name>"), got ${JSON.stringify(stateMachineArn)}`,
        },
      ]);
    }
    this.#client = client;
    this.#stateMachineArn = stateMachineArn;
  }

  /** The ARN an execution of this state machine named `name` has. */
  executionArnFor(name: string): string {
    return `${this.#stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  }

  /**
   * Starts an execution named `name` with `input` (serialised as JSON).
   *
   * When the name is taken, compares the existing execution's input with `input` (as JSON values,
   * key order ignored): the same → `existing`, different → `conflict`. A running execution with the
   * same name and input comes back as `started`: Step Functions itself answers that call with the
   * running execution instead of an error.
   *
   * @throws {InvalidRequestError} when `name` is not a valid execution name.
   */
  async start(name: string, input: unknown): Promise<StartResult> {
    if (!isExecutionName(name)) {
      throw new InvalidRequestError([
        {
          field: 'name',
          message: '1 to 80 characters, without whitespace, brackets, wildcards or "#%\\^|~`$&,;:/',
        },
      ]);
    }
    const json = JSON.stringify(input ?? null);
    try {
      const out = await this.#client.send(
        new StartExecutionCommand({ stateMachineArn: this.#stateMachineArn, name, input: json }),
      );
      return {
        kind: 'started',
        executionArn: out.executionArn ?? this.executionArnFor(name),
        startDate: iso(out.startDate),
      };
    } catch (error) {
      if (nameOf(error) !== 'ExecutionAlreadyExists') throw error;
    }
    const executionArn = this.executionArnFor(name);
    const existing = await this.#client.send(new DescribeExecutionCommand({ executionArn }));
    if (
      existing.input === undefined ||
      canonicalJson(parseJson(existing.input)) !== canonicalJson(JSON.parse(json))
    ) {
      return { kind: 'conflict', executionArn };
    }
    return {
      kind: 'existing',
      executionArn: existing.executionArn ?? executionArn,
      startDate: iso(existing.startDate),
      status: existing.status ?? 'UNKNOWN',
    };
  }

  /**
   * One page of this state machine's executions, newest first (ListExecutions).
   *
   * @throws {InvalidRequestError} naming `nextToken` when Step Functions refuses the token (expired, or another list's).
   */
  async list(options: { readonly maxResults: number; readonly nextToken?: string }): Promise<ExecutionPage> {
    let out: ListExecutionsCommandOutput;
    try {
      out = await this.#client.send(
        new ListExecutionsCommand({
          stateMachineArn: this.#stateMachineArn,
          maxResults: options.maxResults,
          ...(options.nextToken ? { nextToken: options.nextToken } : {}),
        }),
      );
    } catch (error) {
      if (nameOf(error) !== 'InvalidToken') throw error;
      throw new InvalidRequestError([
        { field: 'nextToken', message: 'expired or not a token of this list; start again without it' },
      ]);
    }
    return {
      executions: (out.executions ?? []).map((e) => ({
        executionArn: e.executionArn ?? '',
        name: e.name ?? '',
        status: e.status ?? 'UNKNOWN',
        startedAt: iso(e.startDate),
        ...(e.stopDate ? { stoppedAt: iso(e.stopDate) } : {}),
      })),
      ...(out.nextToken ? { nextToken: out.nextToken } : {}),
    };
  }

  /**
   * The name of the execution `executionArn` names when it is an execution of this state machine, else
   * `undefined` (another state machine's, a replaced stack's, or not an execution ARN at all).
   */
  nameOf(executionArn: string): string | undefined {
    const prefix = this.executionArnFor('');
    if (!executionArn.startsWith(prefix)) return undefined;
    const name = executionArn.slice(prefix.length);
    return isExecutionName(name) ? name : undefined;
  }

  /** The execution named `executionId`, or `undefined` when there is none (or the name is not valid). */
  async describe(executionId: string): Promise<ExecutionView | undefined> {
    if (!isExecutionName(executionId)) return undefined;
    return this.#describe(this.executionArnFor(executionId), executionId);
  }

  /**
   * The execution `executionArn` names, or `undefined` when there is none or it is not an execution of this
   * state machine (then no call is made).
   */
  async describeArn(executionArn: string): Promise<ExecutionView | undefined> {
    const name = this.nameOf(executionArn);
    return name === undefined ? undefined : this.#describe(executionArn, name);
  }

  /**
   * The VPC endpoints the execution's "Create VPC endpoint" state produced, by its history (every page of
   * GetExecutionHistory); `undefined` when the execution does not exist or is not of this state machine.
   * Step Functions keeps a history for 90 days after the execution ended.
   */
  async createdVpcEndpoints(executionArn: string): Promise<CreatedVpcEndpoint[] | undefined> {
    if (this.nameOf(executionArn) === undefined) return undefined;
    const events: HistoryEvent[] = [];
    let nextToken: string | undefined;
    do {
      try {
        const page = await this.#client.send(
          new GetExecutionHistoryCommand({
            executionArn,
            maxResults: MAX_EVENTS_PER_PAGE,
            includeExecutionData: true,
            ...(nextToken ? { nextToken } : {}),
          }),
        );
        events.push(...(page.events ?? []));
        nextToken = page.nextToken;
      } catch (error) {
        if (nameOf(error) === 'ExecutionDoesNotExist') return undefined;
        throw error;
      }
    } while (nextToken);
    return createdVpcEndpoints(events);
  }

  async #describe(executionArn: string, executionId: string): Promise<ExecutionView | undefined> {
    let out: DescribeExecutionCommandOutput;
    try {
      out = await this.#client.send(new DescribeExecutionCommand({ executionArn }));
    } catch (error) {
      if (nameOf(error) === 'ExecutionDoesNotExist') return undefined;
      throw error;
    }
    return {
      executionArn: out.executionArn ?? executionArn,
      name: out.name ?? executionId,
      status: out.status ?? 'UNKNOWN',
      ...(out.input !== undefined ? { input: parseJson(out.input) } : {}),
      startedAt: iso(out.startDate),
      ...(out.stopDate ? { stoppedAt: iso(out.stopDate) } : {}),
      ...(out.output !== undefined ? { output: parseJson(out.output) } : {}),
      ...(out.error !== undefined ? { error: out.error } : {}),
      ...(out.cause !== undefined ? { cause: out.cause } : {}),
    };
  }
}

/** The most executions one ListExecutions page may hold. */
export const MAX_EXECUTIONS_PER_PAGE = 1000;

/** The most events one GetExecutionHistory page may hold. */
const MAX_EVENTS_PER_PAGE = 1000;

function nameOf(error: unknown): unknown {
  return (error as { name?: unknown } | null)?.name;
}

function iso(date: Date | undefined): string {
  return date instanceof Date ? date.toISOString() : '';
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
