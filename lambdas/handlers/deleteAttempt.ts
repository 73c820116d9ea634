import { PollSchedule } from '../domain/decisions';
import { DeletionTimeoutError } from '../errors';
import { type Provenance, removeExecutionEndpoints } from '../services/endpointRemoval';
import { atlasFromSecret } from './capabilities/atlasFromSecret';
import { vpcEndpointsFromEnv } from './capabilities/vpcEndpointsFromEnv';
import { lambdaRuntime, type Runtime, withExecution } from './runtime';

export interface DeleteAttemptEvent {
  readonly executionName: string;
  /** From the context object (`$$.Execution.Id`): the execution tag its endpoints carry. */
  readonly executionArn: string;
  readonly groupId: string;
  readonly endpointServiceId: string;
  readonly vpcEndpointId: string;
  /** When the execution started, its VPC and its service: another endpoint of it must agree with them. */
  readonly provenance?: Provenance;
  /** `{ passes: 0 }` on the first pass. */
  readonly deletion: { readonly passes: number; readonly startedAt?: number };
}

export interface DeletionState {
  readonly passes: number;
  readonly startedAt: number;
  readonly done: boolean;
  readonly remaining: string[];
}

/**
 * "Delete attempt": deletes the failed attempt's Atlas registration and VPC endpoint, as Atlas advises
 * before trying again, and reports whether both are gone yet (Atlas answers 404, EC2 `deleted`).
 */
export const createDeleteAttemptHandler =
  (runtime: Runtime) =>
  (event: DeleteAttemptEvent): Promise<DeletionState> =>
    withExecution(runtime, event.executionName, async () => {
      const now = runtime.now();
      const startedAt = event.deletion.startedAt ?? now;
      const pass = await removeExecutionEndpoints(
        {
          executionArn: event.executionArn,
          managedBy: runtime.managedBy(),
          groupId: event.groupId,
          endpointServiceId: event.endpointServiceId,
          knownVpcEndpointIds: [event.vpcEndpointId],
          ...(event.provenance ? { provenance: event.provenance } : {}),
        },
        runtime.vpcEndpoints(),
        runtime.atlas,
      );
      if (pass.abandoned.length > 0) {
        throw new DeletionTimeoutError(
          `could not delete ${pass.abandoned.map((a) => `${a.id} (${a.reason})`).join(', ')}`,
        );
      }
      const done = pass.remaining.length === 0;
      if (!done && now - startedAt > PollSchedule.deletionTimeoutSeconds * 1000) {
        throw new DeletionTimeoutError(
          `${pass.remaining.join(', ')} still not deleted after ${PollSchedule.deletionTimeoutSeconds} s`,
        );
      }
      runtime.logger.info('deletion pass', { remaining: pass.remaining, passes: event.deletion.passes + 1 });
      return { passes: event.deletion.passes + 1, startedAt, done, remaining: pass.remaining };
    });

export const handler = createDeleteAttemptHandler(
  lambdaRuntime({ atlas: atlasFromSecret, vpcEndpoints: vpcEndpointsFromEnv }),
);
