import { sfnClient } from '../adapters/clients';
import { Executions } from '../adapters/Executions';
import { Defaults } from '../defaults';
import { envNumber } from '../envNumber';
import { deprovisioningStatuses } from '../services/deprovisioning';
import { type SweepPorts, type SweepReport, sweep } from '../services/sweep';
import { atlasFromSecret } from './capabilities/atlasFromSecret';
import { vpcEndpointsFromEnv } from './capabilities/vpcEndpointsFromEnv';
import { SweepEnv } from './environment';
import { lambdaRuntime, type Runtime } from './runtime';

/** A summary of the pass, small enough for the log and the Lambda result. */
export interface SweepResult {
  readonly examined: number;
  readonly orphanExecutions: string[];
  readonly swept: string[];
  readonly kept: number;
  readonly remaining: string[];
  readonly abandoned: SweepReport['abandoned'];
  readonly dryRun: boolean;
}

/**
 * The scheduled sweep: one pass over the VPC endpoints tagged as this deployment's, removing those whose
 * execution ended without success (see `services/sweep`). What a pass leaves under way, the next finishes.
 */
export const createSweepHandler =
  (
    runtime: Runtime,
    executions: () => SweepPorts['executions'],
    deprovisionings: () => SweepPorts['deprovisionings'] = () => undefined,
  ) =>
  async (): Promise<SweepResult> => {
    const deletions = deprovisionings();
    const report = await sweep(
      {
        vpc: runtime.vpcEndpoints(),
        executions: executions(),
        atlas: runtime.atlas,
        ...(deletions ? { deprovisionings: deletions } : {}),
      },
      {
        managedBy: runtime.managedBy(),
        now: runtime.now(),
        graceSeconds: envNumber(SweepEnv.graceSeconds, 'nonNegative') ?? Defaults.sweepGraceSeconds,
        dryRun: process.env[SweepEnv.dryRun] === 'true',
      },
    );
    const result: SweepResult = {
      examined: report.examined,
      orphanExecutions: report.orphans.map((o) => o.executionName),
      swept: report.orphans.flatMap((o) => o.vpcEndpointIds),
      kept: report.kept.length,
      remaining: report.remaining,
      abandoned: report.abandoned,
      dryRun: report.dryRun,
    };
    if (result.swept.length > 0 || result.abandoned.length > 0)
      runtime.logger.warn('sweep removed orphans', { ...result });
    else runtime.logger.info('sweep found nothing to remove', { examined: result.examined });
    return result;
  };

let executions: Executions | undefined;
let deprovisionings: SweepPorts['deprovisionings'];

const runtime = lambdaRuntime({ atlas: atlasFromSecret, vpcEndpoints: vpcEndpointsFromEnv });
export const handler = createSweepHandler(
  runtime,
  () => {
    executions ??= new Executions(sfnClient(), process.env[SweepEnv.stateMachineArn] ?? '');
    return executions;
  },
  () => {
    const arn = process.env[SweepEnv.deprovisioningStateMachineArn];
    if (!arn) return undefined;
    deprovisionings ??= deprovisioningStatuses(new Executions(sfnClient(), arn), runtime.hash);
    return deprovisionings;
  },
);
