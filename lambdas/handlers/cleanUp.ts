import { type AttemptRecord, PollSchedule } from '../domain/decisions';
import { type FailureOutcome, readableCause } from '../domain/workflowState';
import { removeExecutionEndpoints } from '../services/endpointRemoval';
import { atlasFromSecret } from './capabilities/atlasFromSecret';
import { vpcEndpointsFromEnv } from './capabilities/vpcEndpointsFromEnv';
import { lambdaRuntime, type Runtime, withExecution } from './runtime';

/** The workflow's data when an error was caught; any part may be missing, depending on where it failed. */
export interface FailedWorkflowState {
  readonly execution?: { readonly startedAt?: string };
  readonly request?: { readonly groupId?: string; readonly vpcId?: string };
  readonly service?: { readonly endpointServiceId?: string; readonly endpointServiceName?: string };
  readonly attempt?: { readonly vpcEndpointId?: string };
  readonly history?: { readonly attempts?: AttemptRecord[] };
  readonly failure?: { readonly Error?: string; readonly Cause?: string };
  readonly cleanup: { readonly passes: number; readonly startedAt?: number };
}

export interface CleanUpEvent {
  /** From the context object (`$$.Execution.Name`), never from the state: it decides what gets deleted. */
  readonly executionName: string;
  /** From the context object (`$$.Execution.Id`): the execution tag its endpoints carry. */
  readonly executionArn: string;
  readonly state: FailedWorkflowState;
}

export interface CleanUpState {
  readonly passes: number;
  readonly startedAt: number;
  readonly done: boolean;
  readonly outcome: FailureOutcome;
}

/**
 * "Clean up": after any unhandled error, removes what this execution created — the endpoints its state
 * recorded, and tagged ones it provably created (after it started, in its VPC, to its service; a planted
 * tag is not enough) — and builds the failure's readable outcome. Called in a loop until both sides report it gone.
 */
export const createCleanUpHandler =
  (runtime: Runtime) =>
  (event: CleanUpEvent): Promise<CleanUpState> =>
    withExecution(runtime, event.executionName, async () => {
      const { state } = event;
      const now = runtime.now();
      const startedAt = state.cleanup.startedAt ?? now;
      const pass = await removeExecutionEndpoints(
        {
          executionArn: event.executionArn,
          managedBy: runtime.managedBy(),
          groupId: state.request?.groupId,
          endpointServiceId: state.service?.endpointServiceId,
          knownVpcEndpointIds: [
            state.attempt?.vpcEndpointId,
            ...(state.history?.attempts ?? []).map((a) => a.vpcEndpointId),
          ],
          ...(state.execution?.startedAt
            ? {
                provenance: {
                  startedAt: state.execution.startedAt,
                  vpcId: state.request?.vpcId,
                  serviceName: state.service?.endpointServiceName,
                },
              }
            : {}),
        },
        runtime.vpcEndpoints(),
        runtime.atlas,
      );
      const timedOut = now - startedAt > PollSchedule.cleanUpTimeoutSeconds * 1000;
      const settled = pass.remaining.length === 0;
      const { error, cause } = readableCause(state.failure);
      const leftBehind = [...pass.remaining, ...pass.abandoned.map((a) => a.id)];
      const outcome: FailureOutcome = {
        status: 'FAILED',
        executionName: event.executionName,
        error,
        cause:
          settled && pass.abandoned.length === 0
            ? cause
            : `${cause} (clean-up incomplete: ${leftBehind.join(', ')} may remain)`,
        groupId: state.request?.groupId ?? null,
        endpointServiceId: state.service?.endpointServiceId ?? null,
        attempts: state.history?.attempts ?? [],
        cleanup: {
          complete: settled && pass.abandoned.length === 0,
          vpcEndpointIds: pass.vpcEndpointIds,
          remaining: leftBehind,
        },
      };
      runtime.logger.info('clean-up pass', {
        error,
        remaining: leftBehind,
        passes: state.cleanup.passes + 1,
      });
      return { passes: state.cleanup.passes + 1, startedAt, done: settled || timedOut, outcome };
    });

export const handler = createCleanUpHandler(
  lambdaRuntime({ atlas: atlasFromSecret, vpcEndpoints: vpcEndpointsFromEnv }),
);
