/**
 * `npm run sweep`: removes what crashed executions left behind — the VPC endpoints tagged as managed by
 * this stack whose execution ended without success (stopped, timed out, or its clean-up gave up), and
 * their Atlas registrations. The same service and adapters as the scheduled sweep function
 * (`lambdas/services/sweep`), against real AWS with the SDK's default credential chain, or `--offline`
 * as a self-contained demo against the emulators.
 *
 * Exits 0 when nothing remains to remove, 1 when something does (a deletion still under way, one that
 * failed, or — with `--dry-run` — anything it would remove), 2 on a usage error.
 */
import { parseArgs } from 'node:util';
import { sfnClient } from '../../lambdas/adapters/clients';
import { Executions } from '../../lambdas/adapters/Executions';
import { Defaults } from '../../lambdas/defaults';
import { InvalidRequestError } from '../../lambdas/errors';
import { atlasFromSecret } from '../../lambdas/handlers/capabilities/atlasFromSecret';
import { vpcEndpointsFromEnv } from '../../lambdas/handlers/capabilities/vpcEndpointsFromEnv';
import { RuntimeEnv, SweepEnv } from '../../lambdas/handlers/environment';
import { type SweepPorts, type SweepReport, sweepUntilSettled } from '../../lambdas/services/sweep';
import { startOfflineEnvironment } from '../offline/OfflineEnvironment';
import { offlineSweepPorts, provisionAndCrashBefore } from '../offline/sweepOffline';

const DEFAULT_MANAGED_BY = Defaults.stackName;
const DEFAULT_GRACE_SECONDS = Defaults.sweepGraceSeconds;
/** Atlas takes a minute or two to delete a registration; the sweep waits for it before deleting in EC2. */
const MAX_PASSES = 30;
const PAUSE_SECONDS = 10;
const CRASH_STATE = 'Check endpoint';

const HELP = `Usage: npm run sweep -- [options]

Finds the VPC endpoints tagged atlas-privatelink:managed-by=<managed-by> whose execution is not running
and did not succeed, older than the grace period, and removes them from Atlas, then from EC2. Uses the
AWS SDK's default credential chain (AWS_PROFILE, environment, SSO, instance role…).

Options:
  --state-machine-arn ARN  the workflow's state machine (stack output StateMachineArn); required
  --secret-arn ARN         the Atlas credentials secret (stack output AtlasSecretArn); required
  --managed-by VALUE       the managed-by tag value (default: ${DEFAULT_MANAGED_BY}, the stack name)
  --grace-seconds N        leave endpoints younger than this alone (default: ${DEFAULT_GRACE_SECONDS})
  --dry-run                list what it would remove, remove nothing
  --region REGION          default: the state machine's region
  --offline                a demo on the emulators: crash a provisioning, then sweep what it left
  --help                   this text

Up to ${MAX_PASSES} passes, ${PAUSE_SECONDS} s apart, until nothing is under way. Set ATLAS_BASE_URL for Atlas for Government.
Exit: 0 nothing remains to remove; 1 something does; 2 usage error.
`;

class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

interface SweepRun {
  readonly ports: SweepPorts;
  readonly managedBy: string;
  readonly graceSeconds: number;
  readonly dryRun: boolean;
  readonly now: () => number;
  readonly pause: () => Promise<void>;
}

const log = (line: string) => process.stdout.write(`${line}\n`);

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      'state-machine-arn': { type: 'string' },
      'secret-arn': { type: 'string' },
      'managed-by': { type: 'string' },
      'grace-seconds': { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      region: { type: 'string' },
      offline: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  const graceSeconds = Number(values['grace-seconds'] ?? DEFAULT_GRACE_SECONDS);
  if (!Number.isInteger(graceSeconds) || graceSeconds < 0) {
    throw new UsageError(
      `--grace-seconds must be a whole number of seconds ≥ 0, got "${values['grace-seconds']}"`,
    );
  }
  if (values.offline) return offlineDemo(graceSeconds, values['dry-run'], values['managed-by']);

  const stateMachineArn = values['state-machine-arn'];
  const secretArn = values['secret-arn'];
  if (!stateMachineArn)
    throw new UsageError('--state-machine-arn is required (the stack output StateMachineArn)');
  if (!secretArn) throw new UsageError('--secret-arn is required (the stack output AtlasSecretArn)');
  const region = values.region ?? stateMachineArn.split(':')[3];
  const managedBy = values['managed-by'] ?? DEFAULT_MANAGED_BY;
  // The Lambda capabilities read their configuration from the environment, as a deployed function does.
  Object.assign(process.env, {
    [RuntimeEnv.secretArn]: secretArn,
    [RuntimeEnv.managedBy]: managedBy,
    [SweepEnv.stateMachineArn]: stateMachineArn,
    ...(region ? { AWS_REGION: region } : {}),
  });
  let executions: Executions;
  try {
    executions = new Executions(sfnClient(), stateMachineArn);
  } catch (error) {
    const problem = error instanceof InvalidRequestError ? error.violations[0]?.message : String(error);
    throw new UsageError(`--state-machine-arn: ${problem}`);
  }
  return runSweep({
    ports: { vpc: vpcEndpointsFromEnv(), executions, atlas: atlasFromSecret },
    managedBy,
    graceSeconds,
    dryRun: values['dry-run'],
    now: () => Date.now(),
    pause: () => new Promise((resolve) => setTimeout(resolve, PAUSE_SECONDS * 1000)),
  });
}

/** Sweeps until settled and prints what it found and did; the exit code. */
async function runSweep(run: SweepRun): Promise<number> {
  log(
    `Sweeping VPC endpoints tagged atlas-privatelink:managed-by=${run.managedBy} ` +
      `(grace ${run.graceSeconds} s${run.dryRun ? ', dry run' : ''})`,
  );
  const reports = await sweepUntilSettled(run.ports, { ...run, maxPasses: MAX_PASSES });
  const first = reports[0] as SweepReport;
  const last = reports.at(-1) as SweepReport;
  log(`${first.examined} managed endpoint(s) found`);
  for (const orphan of first.orphans) {
    for (const e of orphan.endpoints) {
      log(
        `  ${e.vpcEndpointId}  execution ${orphan.executionName} ${orphan.executionStatus}, EC2 ${e.state}` +
          `  → ${run.dryRun ? 'would remove' : 'remove'} (Atlas registration in ${orphan.endpointServiceId}, then the VPC endpoint)`,
      );
    }
  }
  for (const kept of first.kept) {
    log(
      `  ${kept.vpcEndpointId}  execution ${kept.executionName ?? '-'}, EC2 ${kept.state}  → kept: ${kept.reason}`,
    );
  }
  if (run.dryRun) {
    const count = first.orphans.reduce((n, o) => n + o.vpcEndpointIds.length, 0);
    log(count === 0 ? 'Nothing to remove.' : `Would remove ${count} endpoint(s); run without --dry-run.`);
    return count === 0 ? 0 : 1;
  }
  const unfinished = new Set([...last.remaining, ...last.abandoned.map((a) => a.id)]);
  const removed = first.orphans.flatMap((o) => o.vpcEndpointIds).filter((id) => !unfinished.has(id));
  for (const id of removed) log(`Removed ${id} from Atlas and EC2`);
  for (const a of last.abandoned) log(`NOT removed ${a.id}: ${a.reason}`);
  for (const id of last.remaining)
    log(`Still deleting ${id} after ${reports.length} passes: run again later`);
  if (unfinished.size === 0) log(`Nothing remains to remove (${reports.length} pass(es)).`);
  return unfinished.size === 0 ? 0 : 1;
}

/** The whole story on the emulators: a crash between register and AVAILABLE, its leftovers, the sweep. */
async function offlineDemo(
  graceSeconds: number,
  dryRun: boolean,
  managedBy: string | undefined,
): Promise<number> {
  log('Offline: synthesizing the CDK stack and starting the Atlas and AWS emulators…');
  const env = await startOfflineEnvironment({
    logLevel: 'CRITICAL',
    scenario: {
      endpointService: { statuses: ['AVAILABLE'] },
      attempts: [{ statuses: ['PENDING_ACCEPTANCE', 'PENDING', 'AVAILABLE'] }],
    },
  });
  try {
    log(
      `Provisioning the demo request and stopping its execution before "${CRASH_STATE}" (like StopExecution)…`,
    );
    const report = await provisionAndCrashBefore(env, CRASH_STATE, { idempotencyKey: 'sweep-demo' });
    const left = env.leftovers();
    log(
      `Execution ${report.executionId}: ${report.status} (${report.error?.name}); no Catch ran, so no clean-up.`,
    );
    log(`Left behind: ${left.vpcEndpoints} VPC endpoint(s), ${left.atlasEndpoints} Atlas registration(s).`);
    env.clock.advance((graceSeconds + 60) * 1000);
    log(`(virtual clock moved ${graceSeconds + 60} s on, past the grace period)`);
    const code = await runSweep({
      ports: offlineSweepPorts(env),
      managedBy: managedBy ?? process.env[RuntimeEnv.managedBy] ?? DEFAULT_MANAGED_BY,
      graceSeconds,
      dryRun,
      now: env.clock.now,
      pause: async () => env.clock.advance(PAUSE_SECONDS * 1000),
    });
    const after = env.leftovers();
    log(
      `After the sweep: ${after.vpcEndpoints} VPC endpoint(s), ${after.atlasEndpoints} Atlas registration(s).`,
    );
    return code;
  } finally {
    await env.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const usage =
      error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    if (usage) process.stderr.write('Run with --help for the options.\n');
    process.exit(usage ? 2 : 1);
  },
);
