/**
 * Turns the state machine's event log into one line per step a person cares about: the state entered,
 * the Atlas and EC2 status, the attempt number and the (virtual) time since the execution started.
 *
 * `aws-local-stepfunctions` reports a state that ends in an error as `StateFailed` (with Error and Cause),
 * then `StateRetried` or `StateCaught`, and a caught state still ends with `StateExited`, whose output is
 * the Catch's: so a state's success line is printed only when no error was caught on the way out, and a
 * caught error prints the error, its cause and where the workflow goes next instead.
 */
import type { EventLog } from '../runner/OfflineWorkflow';
import { valueAt } from '../shared/valueAt';

export interface ProgressOptions {
  /**
   * Start each line with a short execution id (the first 12 characters of its name), for several
   * executions at once.
   * @default false
   */
  readonly executionIds?: boolean;
  /**
   * Print how each execution ended: SUCCEEDED with its endpoint, FAILED with its error and cause, ABORTED.
   * @default true
   */
  readonly outcomes?: boolean;
}

/** A caught error, kept between `StateFailed` and the `StateExited` that follows `StateCaught`. */
interface Failure {
  readonly error: string;
  readonly cause: string;
}

/** What the printer remembers of one execution. */
interface ExecutionProgress {
  readonly startedAt: number;
  failure?: Failure;
  caughtBy?: string;
  /** VPC endpoints clean-up had to wait for: what it removed, once it is done. */
  readonly cleanUpRemoving: Set<string>;
}

/** The shortest name a person can tell executions apart by: `key-73a3b9e4`. */
export function shortExecutionId(executionName: string): string {
  return executionName.slice(0, 12);
}

/** A formatter of progress lines; `now` is the virtual clock. */
export function progressPrinter(
  now: () => number,
  write: (line: string) => void,
  options: ProgressOptions = {},
): (executionName: string, event: EventLog) => void {
  const executions = new Map<string, ExecutionProgress>();
  const progressOf = (name: string): ExecutionProgress => {
    let progress = executions.get(name);
    if (!progress) {
      progress = { startedAt: now(), cleanUpRemoving: new Set() };
      executions.set(name, progress);
    }
    return progress;
  };

  return (executionName, event) => {
    const progress = progressOf(executionName);
    const seconds = String(Math.round((now() - progress.startedAt) / 1000)).padStart(5);
    const prefix = options.executionIds ? `[${shortExecutionId(executionName)}] ` : '';
    const line = (text: string) => write(`${prefix}t+${seconds}s  ${text}`);

    switch (event.type) {
      case 'StateFailed':
        progress.failure = { error: event.Error, cause: causeText(event.Cause) };
        return;
      case 'StateRetried':
        line(
          `${event.state.name}: ${describeFailure(progress.failure)}; retrying (retry ${event.retry.attempt})`,
        );
        progress.failure = undefined;
        return;
      case 'StateCaught':
        progress.caughtBy = event.catch.catcher.Next;
        return;
      case 'StateExited':
        if (progress.caughtBy !== undefined) {
          line(
            event.state.name === 'Validate request'
              ? `Request refused: ${describeFailure(progress.failure)}`
              : `${event.state.name} failed: ${describeFailure(progress.failure)}; next: ${progress.caughtBy}`,
          );
          progress.failure = undefined;
          progress.caughtBy = undefined;
          return;
        }
        stateExited(event.state.name, event.state.output as Output, progress, line);
        return;
      case 'ExecutionSucceeded':
        if ((options.outcomes ?? true) && valueAt(event.output, 'status') === 'DELETED') {
          line(
            `DELETED: VPC endpoint ${valueAt(event.output, 'vpcEndpointId')} and its Atlas registration are gone`,
          );
        } else if (options.outcomes ?? true) {
          line(
            `SUCCEEDED: VPC endpoint ${valueAt(event.output, 'vpcEndpointId')} is AVAILABLE in Atlas ` +
              `after ${(valueAt(event.output, 'attempts') as unknown[] | undefined)?.length ?? 0} attempt(s)`,
          );
        }
        executions.delete(executionName);
        return;
      case 'ExecutionFailed':
        if (options.outcomes ?? true) line(`FAILED: ${event.Error}: ${causeText(event.Cause)}`);
        executions.delete(executionName);
        return;
      case 'ExecutionAborted':
        if (options.outcomes ?? true) {
          line('ABORTED: the execution was stopped; no Catch runs, so nothing was cleaned up');
        }
        executions.delete(executionName);
        return;
      default:
        return;
    }
  };
}

type Output = Record<string, unknown> | undefined;

/** The line (if any) for a state that ended without an error. */
function stateExited(
  name: string,
  output: Output,
  progress: ExecutionProgress,
  line: (text: string) => void,
): void {
  const at = (path: string) => valueAt(output, path);
  const attempt = `Attempt ${at('attempt.number')}`;
  switch (name) {
    case 'Validate request':
      line(`Request accepted for project ${at('request.groupId')}`);
      return;
    case 'Find endpoint service': {
      const remote = at('service.remoteRegion.region');
      const remoteStatus = at('service.remoteRegion.status');
      const crossRegion =
        remote === undefined
          ? ''
          : remoteStatus === 'SUPPORTED'
            ? `, reachable from ${remote}`
            : remoteStatus === 'ADDING'
              ? `, adding ${remote} to its remote regions`
              : `, ${remote} not among its remote regions yet`;
      line(
        `Endpoint service ${at('service.endpointServiceId')}: ${at('service.status')}` +
          crossRegion +
          (at('service.next') === 'READY' ? ` (${at('service.endpointServiceName')})` : ', waiting'),
      );
      return;
    }
    case 'Create VPC endpoint':
      line(`${attempt}: created VPC endpoint ${at('attempt.vpcEndpointId')}`);
      return;
    case 'Register with Atlas':
      line(`${attempt}: registered with Atlas`);
      return;
    case 'Check endpoint': {
      const poll = at('attempt.poll');
      line(
        `${attempt}: Atlas ${valueAt(poll, 'connectionStatus') ?? '-'}, ` +
          `EC2 ${valueAt(poll, 'ec2State')} → ${valueAt(poll, 'verdict')}` +
          (valueAt(poll, 'errorMessage') ? ` (errorMessage: ${valueAt(poll, 'errorMessage')})` : ''),
      );
      return;
    }
    case 'Record failed attempt':
      line(
        `Attempt ${at('history.last.attempt.attempt')} failed (${at('history.last.attempt.outcome')}); ` +
          (at('history.attemptsLeft') ? 'deleting it and trying again' : 'deleting it; no attempts left'),
      );
      return;
    case 'Delete attempt':
      if (at('deletion.done')) line(`${attempt}: ${at('attempt.vpcEndpointId')} deleted from Atlas and EC2`);
      return;
    case 'Clean up': {
      for (const id of (at('cleanup.outcome.cleanup.remaining') as string[] | undefined) ?? []) {
        progress.cleanUpRemoving.add(id);
      }
      if (!at('cleanup.done')) return;
      const remaining = (at('cleanup.outcome.cleanup.remaining') as string[] | undefined) ?? [];
      const removed = [...progress.cleanUpRemoving].filter((id) => !remaining.includes(id));
      if (remaining.length > 0) line(`Clean-up gave up: ${remaining.join(', ')} may remain`);
      else if (removed.length > 0) line(`Cleaned up: removed ${removed.join(', ')} from Atlas and EC2`);
      else line('Cleaned up: this execution had nothing left to remove');
      return;
    }
    case 'Record success':
      line('AVAILABLE');
      return;
    case 'Look for connection strings': {
      const strings = at('strings') as Output;
      if (valueAt(strings, 'next') !== 'DONE') {
        line(
          `Connection strings: ${(valueAt(strings, 'waitingFor') as string[]).join(', ')} ` +
            `not listing the endpoint yet (read ${valueAt(strings, 'reads')}), waiting`,
        );
        return;
      }
      writeConnectionStrings(valueAt(strings, 'result') as Output, line);
      return;
    }
    case 'Result without connection strings':
      writeConnectionStrings(at('strings.result') as Output, line);
      return;
    // The deprovisioning.
    case 'Find provisioning':
      line(
        `Deleting what provisioning ${at('target.executionId')} made: VPC endpoint ${at('target.vpcEndpointId')}`,
      );
      return;
    case 'Delete Atlas registration':
      line(`Atlas registration: ${at('registration.done') ? 'gone (404)' : 'deleting, waiting'}`);
      return;
    case 'Delete VPC endpoint':
      line(`VPC endpoint: ${at('vpcEndpoint.done') ? 'deleted' : `${at('vpcEndpoint.observed')}, waiting`}`);
      return;
    case 'Keep endpoint service':
    case 'Delete endpoint service': {
      const outcome = at('endpointService.outcome');
      if (outcome) {
        const reason = at('endpointService.reason');
        line(`Endpoint service: ${outcome}${reason ? ` (${reason})` : ''}`);
      }
      return;
    }
    default:
      return;
  }
}

function writeConnectionStrings(result: Output, line: (text: string) => void): void {
  const strings = (valueAt(result, 'connectionStrings') ?? []) as {
    clusterName: string;
    type: string;
    srvConnectionString: string;
  }[];
  for (const s of strings)
    line(`Connection string for ${s.clusterName} (${s.type}): ${s.srvConnectionString}`);
  const notCovered = (valueAt(result, 'clustersNotCovered') ?? []) as {
    clusterName: string;
    reason: string;
  }[];
  for (const c of notCovered) line(`Not covered: ${c.clusterName}: ${c.reason}`);
  const note = valueAt(result, 'connectionStringsNote');
  if (typeof note === 'string') line(`Note: ${note}`);
}

function describeFailure(failure: Failure | undefined): string {
  return failure ? `${failure.error}: ${failure.cause}` : 'an error';
}

/** A Cause as text: Lambda errors arrive as `{errorType, errorMessage}` (as JSON or as an object). */
function causeText(cause: unknown): string {
  let value = cause;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return value as string;
    }
  }
  if (value && typeof value === 'object' && 'errorMessage' in value) {
    return String((value as { errorMessage: unknown }).errorMessage);
  }
  return typeof value === 'string' ? value : JSON.stringify(value);
}
