import {
  type DeprovisioningFailure,
  type DeprovisioningResult,
  type DeprovisioningTarget,
  ServiceOutcome,
} from '../../domain/deprovisioning';
import { readableCause } from '../../domain/workflowState';
import { lambdaRuntime, type Runtime, withExecution } from '../runtime';

/** The deprovisioning's data at its end; any part may be missing when it failed early. */
export interface EndedDeprovisioningState {
  readonly target?: DeprovisioningTarget;
  readonly endpointService?: { readonly outcome?: string; readonly reason?: string };
  /** What was caught: a task's error, or (from "Deletion refused") the request's. */
  readonly failure?: { readonly Error?: string; readonly Cause?: string };
}

export interface RecordDeprovisioningEvent {
  readonly executionName: string;
  readonly executionStartedAt: string;
  readonly state: EndedDeprovisioningState;
}

/**
 * "Record deprovisioning" / "Record deprovisioning failure": the output (and the event's detail) of a
 * deprovisioning, DELETED or FAILED with a readable cause; no I/O.
 */
export const createRecordDeprovisioningHandler =
  (runtime: Runtime) =>
  (event: RecordDeprovisioningEvent): Promise<DeprovisioningResult | DeprovisioningFailure> =>
    withExecution(runtime, event.executionName, async () => {
      const { state } = event;
      if (state.failure || !state.target) {
        const { error, cause } = readableCause(state.failure);
        runtime.logger.warn('deprovisioning failed', { error });
        return {
          status: 'FAILED',
          deprovisioningId: event.executionName,
          executionId: state.target?.executionId ?? null,
          vpcEndpointId: state.target?.vpcEndpointId ?? null,
          error,
          cause,
        };
      }
      const outcome = (state.endpointService?.outcome ?? ServiceOutcome.KEPT) as ServiceOutcome;
      const result: DeprovisioningResult = {
        status: 'DELETED',
        executionId: state.target.executionId,
        deprovisioningId: event.executionName,
        groupId: state.target.groupId,
        endpointServiceId: state.target.endpointServiceId,
        vpcEndpointId: state.target.vpcEndpointId,
        endpointService: {
          outcome,
          ...(state.endpointService?.reason ? { reason: state.endpointService.reason } : {}),
        },
        durationSeconds: Math.max(
          0,
          Math.round((runtime.now() - Date.parse(event.executionStartedAt)) / 1000),
        ),
      };
      runtime.logger.info('endpoint deleted', {
        ...result.endpointService,
        vpcEndpointId: result.vpcEndpointId,
      });
      return result;
    });

export const handler = createRecordDeprovisioningHandler(lambdaRuntime());
