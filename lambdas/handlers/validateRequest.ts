import { parseProvisioningRequest } from '../domain/request';
import type { InitialState } from '../domain/workflowState';
import { lambdaRuntime, type Runtime, withExecution } from './runtime';

export interface ValidateRequestEvent {
  /** The execution's raw input: untrusted (console and EventBridge starts bypass the API). */
  readonly input: unknown;
  readonly executionName: string;
  readonly executionStartedAt: string;
}

/** "Validate request": refuses a bad input naming each field, or hands on the request with its defaults. */
export const createValidateRequestHandler =
  (runtime: Runtime) =>
  (event: ValidateRequestEvent): Promise<InitialState> =>
    withExecution(runtime, event.executionName, async () => {
      const request = parseProvisioningRequest(event.input, runtime.requestContext());
      runtime.logger.info('request accepted', { groupId: request.groupId, vpcId: request.vpcId });
      return {
        request,
        execution: { name: event.executionName, startedAt: event.executionStartedAt },
        service: { checks: 0 },
        history: { attempts: [], attemptsLeft: true },
      };
    });

export const handler = createValidateRequestHandler(lambdaRuntime());
