import {
  claimedBy,
  confirmTags,
  type DeprovisioningRequest,
  type DeprovisioningTarget,
  parseDeprovisioningRequest,
  provenTarget,
} from '../../domain/deprovisioning';
import type { ExecutionInfo } from '../../domain/workflowState';
import { provisioningsFromEnv } from '../capabilities/provisioningsFromEnv';
import { vpcEndpointsFromEnv } from '../capabilities/vpcEndpointsFromEnv';
import { lambdaRuntime, type Runtime, withExecution } from '../runtime';

export interface FindProvisioningEvent {
  /** The execution's raw input: untrusted (console and EventBridge starts bypass the API). */
  readonly input: unknown;
  readonly executionName: string;
  readonly executionStartedAt: string;
}

/** What "Find provisioning" hands to the rest of the deprovisioning. */
export interface DeprovisioningState {
  readonly request: DeprovisioningRequest;
  readonly execution: ExecutionInfo;
  readonly target: DeprovisioningTarget;
}

/**
 * "Find provisioning": checks the request and proves what it may delete, from the provisioning execution's
 * own output (a `vpcEndpointId` request is led to its execution by the endpoint's tags, then checked against
 * that output). Nothing is deleted here; a request that names nothing of this deployment fails typed.
 */
export const createFindProvisioningHandler =
  (runtime: Runtime) =>
  (event: FindProvisioningEvent): Promise<DeprovisioningState> =>
    withExecution(runtime, event.executionName, async () => {
      const request = parseDeprovisioningRequest(event.input);
      const managedBy = runtime.managedBy();
      const vpc = runtime.vpcEndpoints();
      const requestedEndpoint = request.vpcEndpointId;
      const claimed = requestedEndpoint ? await vpc.describe(requestedEndpoint) : undefined;
      const executionId =
        requestedEndpoint !== undefined
          ? claimedBy(claimed, requestedEndpoint, managedBy, runtime.provisionings())
          : (request.executionId as string);
      const provisioning = await runtime.provisionings().describe(executionId);
      const target = provenTarget(provisioning, {
        executionId,
        ...(requestedEndpoint ? { vpcEndpointId: requestedEndpoint } : {}),
      });
      confirmTags(claimed ?? (await vpc.describe(target.vpcEndpointId)), target, managedBy);
      runtime.logger.info('deprovisioning proven', { ...target });
      return {
        request,
        execution: { name: event.executionName, startedAt: event.executionStartedAt },
        target,
      };
    });

export const handler = createFindProvisioningHandler(
  lambdaRuntime({ vpcEndpoints: vpcEndpointsFromEnv, provisionings: provisioningsFromEnv }),
);
