import type { DeletionProgress, DeprovisioningTarget } from '../../domain/deprovisioning';
import { removeRegistration } from '../../services/deprovisioning';
import { atlasFromSecret } from '../capabilities/atlasFromSecret';
import { lambdaRuntime, type Runtime, withExecution } from '../runtime';

export interface DeleteRegistrationEvent {
  readonly executionName: string;
  readonly target: DeprovisioningTarget;
  /** `{ passes: 0 }` on the first pass. */
  readonly registration: { readonly passes: number; readonly startedAt?: number };
}

/**
 * "Delete Atlas registration": asks Atlas to delete the endpoint's registration and reports, pass after pass,
 * whether Atlas answers 404 yet. The VPC endpoint is deleted only then: while the registration exists, the
 * endpoint and its tags are the only record of where it is.
 */
export const createDeleteRegistrationHandler =
  (runtime: Runtime) =>
  (event: DeleteRegistrationEvent): Promise<DeletionProgress> =>
    withExecution(runtime, event.executionName, async () => {
      const progress = await removeRegistration(
        await runtime.atlas(),
        event.target,
        event.registration,
        runtime.now(),
      );
      runtime.logger.info('registration deletion pass', {
        ...progress,
        vpcEndpointId: event.target.vpcEndpointId,
      });
      return progress;
    });

export const handler = createDeleteRegistrationHandler(lambdaRuntime({ atlas: atlasFromSecret }));
