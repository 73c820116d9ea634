/**
 * The sweep against the offline environment: the same service and adapters the scheduled Lambda uses,
 * built from the environment variables the offline environment sets, on its virtual clock.
 */
import { sfnClient } from '../../lambdas/adapters/clients';
import { Executions } from '../../lambdas/adapters/Executions';
import { atlasFromSecret } from '../../lambdas/handlers/capabilities/atlasFromSecret';
import { vpcEndpointsFromEnv } from '../../lambdas/handlers/capabilities/vpcEndpointsFromEnv';
import { lambdaRuntime } from '../../lambdas/handlers/runtime';
import { deprovisioningStatuses } from '../../lambdas/services/deprovisioning';
import { type SweepPorts, type SweepReport, sweepUntilSettled } from '../../lambdas/services/sweep';
import type { OfflineEnvironment } from './OfflineEnvironment';
import { type RunReport, runScenario } from './runScenario';

export function offlineSweepPorts(env: OfflineEnvironment): SweepPorts {
  return {
    vpc: vpcEndpointsFromEnv(),
    executions: new Executions(sfnClient(), env.synthesized.stateMachineArn),
    atlas: atlasFromSecret,
    deprovisionings: deprovisioningStatuses(
      new Executions(sfnClient(), env.synthesized.deprovisioning.stateMachineArn),
      lambdaRuntime().hash,
    ),
  };
}

/**
 * Sweeps the emulators until nothing is under way (at most `maxPasses` passes, each followed by five
 * virtual seconds). The grace period defaults to 0: the demo's crashes are seconds old.
 */
export function sweepOffline(
  env: OfflineEnvironment,
  options: { readonly graceSeconds?: number; readonly dryRun?: boolean; readonly maxPasses?: number } = {},
): Promise<SweepReport[]> {
  return sweepUntilSettled(offlineSweepPorts(env), {
    managedBy: lambdaRuntime().managedBy(),
    now: env.clock.now,
    graceSeconds: options.graceSeconds ?? 0,
    dryRun: options.dryRun ?? false,
    maxPasses: options.maxPasses ?? 20,
    pause: async () => env.clock.advanceTo(env.clock.now() + 5000),
  });
}

/**
 * Provisions the environment's request and crashes the execution just before Lambda task `state` runs, the
 * way `StopExecution` or a lost runtime would: no Catch, so no clean-up; what it created stays for the sweep.
 */
export function provisionAndCrashBefore(
  env: OfflineEnvironment,
  state: string,
  options: { readonly idempotencyKey?: string } = {},
): Promise<RunReport> {
  env.workflow.abortBefore(state);
  return runScenario(env, { scenario: `crash before "${state}"`, ...options });
}
