import type { DeprovisioningTarget, ServiceRemoval } from '../../domain/deprovisioning';
import { removeEndpointService } from '../../services/deprovisioning';
import { atlasFromSecret } from '../capabilities/atlasFromSecret';
import { lambdaRuntime, type Runtime, withExecution } from '../runtime';

export interface DeleteEndpointServiceEvent {
  readonly executionName: string;
  readonly target: DeprovisioningTarget;
  /** `{ passes: 0 }` on the first pass. */
  readonly endpointService: {
    readonly passes: number;
    readonly startedAt?: number;
    readonly requested?: boolean;
  };
}

/**
 * "Delete endpoint service" (only with `deleteEndpointService: true`): deletes the project's endpoint service
 * when no other endpoint uses it, and waits until Atlas answers 404; otherwise leaves it, saying why.
 */
export const createDeleteEndpointServiceHandler =
  (runtime: Runtime) =>
  (event: DeleteEndpointServiceEvent): Promise<ServiceRemoval> =>
    withExecution(runtime, event.executionName, async () => {
      const removal = await removeEndpointService(
        await runtime.atlas(),
        event.target,
        event.endpointService,
        runtime.now(),
      );
      runtime.logger.info('endpoint service deletion pass', {
        ...removal,
        endpointServiceId: event.target.endpointServiceId,
      });
      return removal;
    });

export const handler = createDeleteEndpointServiceHandler(lambdaRuntime({ atlas: atlasFromSecret }));
