/**
 * `npm run sweep`: removes what crashed executions left behind — the VPC endpoints tagged as managed by
 * this stack whose execution ended without success (stopped, timed out, or its clean-up gave up), and
 * their Atlas registrations. The same service and adapters as the scheduled sweep function
 * (`lambdas/services/sweep`), against real AWS with the SDK's default credential chain, or `--offline`
 * as a self-contained demo against the emulators.
 *
 * Exits 0 when nothing remains to remove, 1 when something does (a deletion still under way, one that
 * failed, or — with `--dry-run` — anything it would remove), 2 on a usage error, 3 when AWS or Atlas
 * cannot be reached or refuses a call.
 */
import { Defaults } from '../../lambdas/defaults';
import { AtlasPrivateLinkError, ErrorName, InvalidRequestError } from '../../lambdas/errors';
import { RuntimeEnv, SweepEnv } from '../../lambdas/handlers/environment';
import type { SweepPorts, SweepReport } from '../../lambdas/services/sweep';
import { ExitCode, parseCommandLine, runCli, UnavailableError, UsageError } from './commandLine';

const DEFAULT_GRACE_SECONDS = Defaults.sweepGraceSeconds;
/** Atlas takes a minute or two to delete a registration; the sweep waits for it before deleting in EC2. */
const MAX_PASSES = 30;
const PAUSE_SECONDS = 10;
const CRASH_STATE = 'Check endpoint';

const HELP = `Usage: npm run sweep -- [options]

Finds the VPC endpoints tagged atlas-privatelink:managed-by=<managed-by> whose execution is not running
and did not succeed, older than the grace period, and removes those the execution's history shows it
created from Atlas, then from EC2. Uses the AWS SDK's default credential chain (AWS_PROFILE,
environment, SSO, instance role…).

Options:
  --state-machine-arn ARN  the workflow's state machine (stack output StateMachineArn); required
  --secret-arn ARN         the Atlas credentials secret (stack output AtlasSecretArn); required
  --managed-by VALUE       the managed-by tag value (stack output ManagedBy); required
  --grace-seconds N        leave endpoints younger than this alone (default: ${DEFAULT_GRACE_SECONDS})
  --dry-run                list what it would remove, remove nothing
  --region REGION          default: the state machine's region
  --offline                a demo on the emulators: crash a provisioning, then sweep what it left
  --help                   this text

Up to ${MAX_PASSES} passes, ${PAUSE_SECONDS} s apart, until nothing is under way. Set ATLAS_BASE_URL for Atlas for Government.

Exit status:
  0  nothing remains to remove
  1  something does: a deletion still under way (run it again later), one that failed, or, with
     --dry-run, anything it would remove
  2  a bad or missing option: nothing was called
  3  AWS or Atlas could not be reached, or refused a call (no credentials, access denied, an unusable
     Atlas secret): the message names the call
  4  an unexpected error (a bug)
`;

const SCRIPT = 'npm run sweep';
const STATE_MACHINE_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[A-Za-z0-9_-]+$/;
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d$/;

interface SweepRun {
  readonly ports: SweepPorts;
  readonly managedBy: string;
  readonly graceSeconds: number;
  readonly dryRun: boolean;
  readonly now: () => number;
  readonly pause: () => Promise<void>;
}

const log = (line: string) => process.stdout.write(`${line}\n`);

const OPTIONS = {
  'state-machine-arn': { type: 'string' },
  'secret-arn': { type: 'string' },
  'managed-by': { type: 'string' },
  'grace-seconds': { type: 'string' },
  'dry-run': { type: 'boolean', default: false },
  region: { type: 'string' },
  offline: { type: 'boolean', default: false },
  help: { type: 'boolean', default: false },
} as const;

async function main(): Promise<number> {
  const values = parseCommandLine(OPTIONS);
  if (values.help) {
    process.stdout.write(HELP);
    return ExitCode.ok;
  }
  const graceText = values['grace-seconds'];
  const graceSeconds = graceText === undefined ? DEFAULT_GRACE_SECONDS : Number(graceText);
  if (graceText !== undefined && !/^\d+$/.test(graceText)) {
    throw new UsageError(
      `--grace-seconds: expected a whole number of seconds ≥ 0, got ${JSON.stringify(graceText)}`,
    );
  }
  if (values['managed-by'] === '') throw new UsageError('--managed-by: expected a tag value, got ""');
  if (values.offline) return offlineDemo(graceSeconds, values['dry-run'], values['managed-by']);

  const stateMachineArn = values['state-machine-arn'];
  const secretArn = values['secret-arn'];
  if (!stateMachineArn)
    throw new UsageError('--state-machine-arn is required (the stack output StateMachineArn)');
  if (!STATE_MACHINE_ARN.test(stateMachineArn)) {
    throw new UsageError(
      `--state-machine-arn: expected arn:aws:states:<region>:<account>:stateMachine:<name> (the stack output StateMachineArn), got ${JSON.stringify(stateMachineArn)}`,
    );
  }
  if (!secretArn) throw new UsageError('--secret-arn is required (the stack output AtlasSecretArn)');
  const managedBy = values['managed-by'];
  if (!managedBy) throw new UsageError('--managed-by is required (the stack output ManagedBy)');
  if (values.region !== undefined && !REGION.test(values.region)) {
    throw new UsageError(
      `--region: expected a region such as us-east-1, got ${JSON.stringify(values.region)}`,
    );
  }
  const region = values.region ?? stateMachineArn.split(':')[3];
  // The locked SDK versions support Node 20 (README, "Development"); the SDK's notice about its 2027
  // releases is not this command's business.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // The Lambda capabilities read their configuration from the environment, as a deployed function does.
  Object.assign(process.env, {
    [RuntimeEnv.secretArn]: secretArn,
    [RuntimeEnv.managedBy]: managedBy,
    [SweepEnv.stateMachineArn]: stateMachineArn,
    ...(region ? { AWS_REGION: region } : {}),
  });
  // Loaded once the options are read: --help and a bad option answer without loading the SDKs.
  const { sfnClient } = await import('../../lambdas/adapters/clients');
  const { Executions } = await import('../../lambdas/adapters/Executions');
  const { atlasFromSecret } = await import('../../lambdas/handlers/capabilities/atlasFromSecret');
  const { vpcEndpointsFromEnv } = await import('../../lambdas/handlers/capabilities/vpcEndpointsFromEnv');
  let executions: InstanceType<typeof Executions>;
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
  const atlas = new AtlasWatch();
  const outOfReach = () => {
    const failure = atlas.everyCallFailed();
    atlas.startPass();
    if (failure) {
      return new UnavailableError(
        `Atlas could not be reached, or refused every call: ${failure.name}: ${failure.message.split('\n')[0]}`,
      );
    }
    return undefined;
  };
  const { sweepUntilSettled } = await import('../../lambdas/services/sweep');
  const reports = await sweepUntilSettled(
    { ...run.ports, atlas: atlas.watch(run.ports.atlas) },
    {
      ...run,
      maxPasses: MAX_PASSES,
      // Waiting 30 passes for an Atlas that answers nothing would only delay saying so.
      pause: async () => {
        const failure = outOfReach();
        if (failure) throw failure;
        await run.pause();
      },
    },
  );
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
      `  ${kept.vpcEndpointId}  execution ${kept.executionArn ?? '-'}, EC2 ${kept.state}  → kept: ${kept.reason}`,
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
  const failure = unfinished.size > 0 ? outOfReach() : undefined;
  if (failure) throw failure;
  return unfinished.size === 0 ? ExitCode.ok : ExitCode.failed;
}

/** Atlas errors that mean it cannot be used now: no answer, a server failure, refused credentials. */
const ATLAS_OUT_OF_REACH = new Set<string>([
  ErrorName.AtlasNetwork,
  ErrorName.AtlasServer,
  ErrorName.AtlasAuth,
]);

/**
 * Watches the sweep's Atlas calls. The sweep service counts an Atlas network failure as a deletion
 * still under way (a scheduled sweep simply tries again next hour); this command wants to say, with
 * exit 3, that Atlas is out of reach when every Atlas call of a pass failed that way.
 */
class AtlasWatch {
  #calls = 0;
  #failures: Error[] = [];

  watch(atlas: SweepPorts['atlas']): SweepPorts['atlas'] {
    return async () => {
      const client = await atlas();
      const observe = <T>(call: Promise<T>): Promise<T> => {
        this.#calls += 1;
        return call.catch((error: unknown) => {
          if (error instanceof Error && ATLAS_OUT_OF_REACH.has(error.name)) this.#failures.push(error);
          throw error;
        });
      };
      return {
        getEndpoint: (...args) => observe(client.getEndpoint(...args)),
        deleteEndpoint: (...args) => observe(client.deleteEndpoint(...args)),
      };
    };
  }

  /** The last failure, when this pass made Atlas calls and every one of them failed out of reach. */
  everyCallFailed(): Error | undefined {
    return this.#calls > 0 && this.#failures.length === this.#calls ? this.#failures.at(-1) : undefined;
  }

  startPass(): void {
    this.#calls = 0;
    this.#failures = [];
  }
}

/** The whole story on the emulators: a crash between register and AVAILABLE, its leftovers, the sweep. */
async function offlineDemo(
  graceSeconds: number,
  dryRun: boolean,
  managedBy: string | undefined,
): Promise<number> {
  log('Offline: synthesizing the CDK stack and starting the Atlas and AWS emulators…');
  const { startOfflineEnvironment } = await import('../offline/OfflineEnvironment');
  const { offlineSweepPorts, provisionAndCrashBefore } = await import('../offline/sweepOffline');
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
    log(`Execution ${report.executionId}: ${report.status}; no Catch ran, so no clean-up.`);
    log(`Left behind: ${left.vpcEndpoints} VPC endpoint(s), ${left.atlasEndpoints} Atlas registration(s).`);
    env.clock.advance((graceSeconds + 60) * 1000);
    log(`(virtual clock moved ${graceSeconds + 60} s on, past the grace period)`);
    const code = await runSweep({
      ports: offlineSweepPorts(env),
      // The offline environment sets the synthesized stack's own value, as the deployed functions read it.
      managedBy: managedBy ?? process.env[RuntimeEnv.managedBy] ?? '',
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

/** Network failures Node and the SDK report by code, not by class. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
]);

/**
 * Exit 3 for a call AWS or Atlas did not answer or refused: the project's typed errors (EC2, Atlas, the
 * Atlas secret), the SDK's service errors (they carry `$metadata`), no credentials, a network failure.
 */
function classify(error: unknown): { code: ExitCode; message: string } | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = (error as { code?: string }).code;
  const reached =
    error instanceof AtlasPrivateLinkError ||
    '$metadata' in error ||
    error.name === 'TimeoutError' ||
    (code !== undefined && NETWORK_CODES.has(code));
  const causes: unknown[] = [];
  for (let e: unknown = error; e instanceof Error && causes.length < 5; e = e.cause) causes.push(e);
  if (causes.some((e) => (e as Error).name === 'CredentialsProviderError')) {
    return {
      code: ExitCode.unavailable,
      message:
        'no AWS credentials found: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run aws sso login',
    };
  }
  if (!reached) return undefined;
  const text = error.message.startsWith(error.name) ? error.message : `${error.name}: ${error.message}`;
  return { code: ExitCode.unavailable, message: `could not finish: ${text.split('\n')[0]}` };
}

runCli(SCRIPT, main, classify);
