import type { DeletionProgress, DeprovisioningTarget } from '../../domain/deprovisioning';
import { removeVpcEndpoint } from '../../services/deprovisioning';
import { vpcEndpointsFromEnv } from '../capabilities/vpcEndpointsFromEnv';
import { lambdaRuntime, type Runtime, withExecution } from '../runtime';

export interface DeleteVpcEndpointEvent {
  readonly executionName: string;
  readonly target: DeprovisioningTarget;
  /** `{ passes: 0 }` on the first pass. */
  readonly vpcEndpoint: { readonly passes: number; readonly startedAt?: number };
}

/** "Delete VPC endpoint": `DeleteVpcEndpoints` once, then reads until EC2 reports it `deleted`. */
export const createDeleteVpcEndpointHandler =
  (runtime: Runtime) =>
  (event: DeleteVpcEndpointEvent): Promise<DeletionProgress> =>
    withExecution(runtime, event.executionName, async () => {
      const progress = await removeVpcEndpoint(
        runtime.vpcEndpoints(),
        event.target,
        runtime.managedBy(),
        event.vpcEndpoint,
        runtime.now(),
      );
      runtime.logger.info('VPC endpoint deletion pass', {
        ...progress,
        vpcEndpointId: event.target.vpcEndpointId,
      });
      return progress;
    });

export const handler = createDeleteVpcEndpointHandler(lambdaRuntime({ vpcEndpoints: vpcEndpointsFromEnv }));
