/**
 * The shape of the state machine's data between states, and of its output and events. The workflow
 * construct's JSONPaths (`$.request`, `$.attempt.poll`, …) address these fields.
 */
import type { ConnectionStringsOutcome } from './connectionStrings';
import type { AttemptRecord, History, PollState, RegistrationAnswer, ServiceState } from './decisions';
import { describeExhaustedAttempts, recordAttempt } from './decisions';
import type { ProvisioningRequest } from './request';
import type { SecurityGroupCheck } from './securityGroups';

/**
 * Names of the provisioning's states that code besides the construct relies on: the sweep finds the
 * endpoints an execution created by this state's exits in its history.
 */
export const StateNames = {
  createVpcEndpoint: 'Create VPC endpoint',
} as const;

export interface ExecutionInfo {
  readonly name: string;
  readonly startedAt: string;
}

/** What "Validate request" hands to the rest of the workflow. */
export interface InitialState {
  readonly request: ProvisioningRequest;
  readonly execution: ExecutionInfo;
  readonly service: { readonly checks: number };
  readonly history: History;
}

/** One attempt in flight: written by "Create VPC endpoint", then added to by later states. */
export interface AttemptState {
  readonly number: number;
  readonly vpcEndpointId: string;
  readonly clientToken: string;
  readonly startedAt: string;
  readonly poll: PollState;
  readonly registration?: RegistrationAnswer;
}

/** The history after an attempt was recorded, with what the next states need. */
export interface RecordedHistory extends History {
  /** The event detail for the attempt just recorded. */
  readonly last: AttemptEventDetail;
  /** A readable account of every attempt, used as the Cause when none is left. */
  readonly summary: string;
  /** The workflow's output, when the attempt succeeded. */
  readonly result?: ProvisioningResult;
}

/** Detail of `Atlas Private Endpoint Attempt Failed` (and of the last attempt in general). */
export interface AttemptEventDetail {
  readonly executionName: string;
  readonly groupId: string;
  readonly endpointServiceId: string;
  readonly attempt: AttemptRecord;
  readonly maxAttempts: number;
  readonly willRetry: boolean;
}

/** The workflow's output on success, and the detail of `Atlas Private Endpoint Available`. */
export interface ProvisioningResult {
  readonly status: 'AVAILABLE';
  readonly executionName: string;
  readonly groupId: string;
  readonly endpointServiceId: string;
  readonly endpointServiceName: string;
  readonly vpcEndpointId: string;
  readonly attempts: AttemptRecord[];
  readonly durationSeconds: number;
  /** Whether the endpoint's security groups admit Atlas's ports (TCP 1024–65535) from the VPC: a warning when not. */
  readonly securityGroupCheck: SecurityGroupCheck;
}

/**
 * The workflow's output once it stopped looking for connection strings, and the detail of
 * `Atlas Private Endpoint Available`: the endpoint, and how to connect through it.
 */
export type AvailableResult = ProvisioningResult &
  ConnectionStringsOutcome & {
    /** Seconds from the start until the endpoint was AVAILABLE; `durationSeconds` includes the wait for strings. */
    readonly availableAfterSeconds: number;
  };

/** The result with what the clusters said: `connectionStrings`, `clustersNotCovered` and a note when there is one. */
export function withConnectionStrings(
  result: ProvisioningResult,
  outcome: ConnectionStringsOutcome,
  now: number,
  executionStartedAt: string,
): AvailableResult {
  return {
    ...result,
    connectionStrings: outcome.connectionStrings,
    clustersNotCovered: outcome.clustersNotCovered,
    ...(outcome.connectionStringsNote ? { connectionStringsNote: outcome.connectionStringsNote } : {}),
    availableAfterSeconds: result.durationSeconds,
    durationSeconds: Math.max(0, Math.round((now - Date.parse(executionStartedAt)) / 1000)),
  };
}

/** The detail of `Atlas Private Endpoint Failed`, and where the Fail state reads Error and Cause. */
export interface FailureOutcome {
  readonly status: 'FAILED';
  readonly executionName: string;
  readonly error: string;
  readonly cause: string;
  readonly groupId: string | null;
  readonly endpointServiceId: string | null;
  readonly attempts: AttemptRecord[];
  readonly cleanup: {
    readonly complete: boolean;
    readonly vpcEndpointIds: string[];
    readonly remaining: string[];
  };
}

/** Records an ended attempt into the history, with the event detail and, on success, the output. */
export function recordEndedAttempt(args: {
  readonly executionName: string;
  readonly request: ProvisioningRequest;
  readonly service: ServiceState;
  readonly attempt: AttemptState;
  readonly history: History;
  readonly executionStartedAt: string;
  readonly securityGroupCheck?: SecurityGroupCheck;
  readonly now: number;
}): RecordedHistory {
  const { attempt, request, service } = args;
  const poll = attempt.poll;
  const record: AttemptRecord = {
    attempt: attempt.number,
    vpcEndpointId: attempt.vpcEndpointId,
    outcome: poll.outcome ?? 'REJECTED',
    connectionStatus: poll.connectionStatus,
    errorMessage: poll.errorMessage,
    startedAt: attempt.startedAt,
    endedAt: new Date(args.now).toISOString(),
  };
  const history = recordAttempt(args.history, record, request.maxAttempts);
  const succeeded = record.outcome === 'AVAILABLE';
  const last: AttemptEventDetail = {
    executionName: args.executionName,
    groupId: request.groupId,
    endpointServiceId: service.endpointServiceId,
    attempt: record,
    maxAttempts: request.maxAttempts,
    willRetry: !succeeded && history.attemptsLeft,
  };
  const recorded: RecordedHistory = {
    ...history,
    attemptsLeft: !succeeded && history.attemptsLeft,
    last,
    summary: describeExhaustedAttempts(history.attempts),
  };
  if (!succeeded) return recorded;
  return {
    ...recorded,
    result: {
      status: 'AVAILABLE',
      executionName: args.executionName,
      groupId: request.groupId,
      endpointServiceId: service.endpointServiceId,
      endpointServiceName: service.endpointServiceName ?? '',
      vpcEndpointId: attempt.vpcEndpointId,
      attempts: history.attempts,
      durationSeconds: Math.max(0, Math.round((args.now - Date.parse(args.executionStartedAt)) / 1000)),
      securityGroupCheck: args.securityGroupCheck ?? {
        ok: null,
        detail: 'the security groups were not checked',
        securityGroupIds: [],
      },
    },
  };
}

/**
 * Turns a caught error (Step Functions' `{ Error, Cause }`) into a readable cause: a Lambda's Cause is a
 * JSON document `{ errorType, errorMessage, trace }`; only its message is kept (never the trace).
 */
export function readableCause(failure: { readonly Error?: unknown; readonly Cause?: unknown } | undefined): {
  error: string;
  cause: string;
} {
  const error = typeof failure?.Error === 'string' && failure.Error ? failure.Error : 'States.Runtime';
  const raw = typeof failure?.Cause === 'string' ? failure.Cause : '';
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    // A Cause that is not a Lambda's JSON (a States.* error, or our own Pass state's text) is already readable.
  }
  const cause =
    parsed && typeof parsed === 'object' && 'errorMessage' in parsed
      ? String((parsed as { errorMessage: unknown }).errorMessage)
      : raw;
  return { error, cause: cause || `${error} (no cause given)` };
}
