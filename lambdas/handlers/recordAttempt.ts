import type { History, ServiceState } from '../domain/decisions';
import type { ProvisioningRequest } from '../domain/request';
import type { SecurityGroupCheck } from '../domain/securityGroups';
import { type AttemptState, type RecordedHistory, recordEndedAttempt } from '../domain/workflowState';
import { lambdaRuntime, type Runtime, withExecution } from './runtime';

export interface RecordAttemptEvent {
  readonly executionName: string;
  readonly executionStartedAt: string;
  readonly request: ProvisioningRequest;
  readonly service: ServiceState;
  readonly attempt: AttemptState;
  readonly history: History;
  /** On success only: what "Check security groups" found. */
  readonly securityGroupCheck?: SecurityGroupCheck;
}

/** "Record failed attempt" / "Record success": adds the ended attempt to the history; no I/O. */
export const createRecordAttemptHandler =
  (runtime: Runtime) =>
  (event: RecordAttemptEvent): Promise<RecordedHistory> =>
    withExecution(runtime, event.executionName, async () => {
      const recorded = recordEndedAttempt({ ...event, now: runtime.now() });
      runtime.logger.info('attempt ended', { ...recorded.last.attempt, willRetry: recorded.last.willRetry });
      return recorded;
    });

export const handler = createRecordAttemptHandler(lambdaRuntime());
