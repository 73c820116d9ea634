/**
 * `npm start`: provisions a MongoDB Atlas PrivateLink endpoint end to end on this machine — the Atlas
 * and AWS emulators, the local API and the state machine CDK synthesizes — and shows it happen.
 * With `--then-delete` it goes on to delete what it made (DELETE /endpoints/{id}, the deprovisioning).
 * Exits 0 if and only if the provisioning succeeded (and, with `--then-delete`, nothing is left in place).
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import type { DeprovisioningReport } from '../offline/runDeprovisioning';
import type { RunReport } from '../offline/runScenario';
import {
  builtInScenarioNames,
  loadBuiltInScenario,
  loadScenarioFile,
  type Scenario,
} from '../offline/scenario';
import { fileProblem } from '../shared/fileProblem';
import { ExitCode, parseCommandLine, runCli, UsageError } from './commandLine';
import { progressPrinter } from './progress';

const SCRIPT = 'npm start';

const HELP = `Usage: npm start -- [options]
       npm start --silent -- --json     (npm prints a banner on stdout unless --silent)

Runs one provisioning offline: the Atlas and AWS emulators, the local API and the state machine CDK
synthesizes, with the deployed Lambda handlers. Progress goes to stdout (to stderr with --json).

Options:
  --scenario NAME       a built-in scenario (default: happy-path):
                        ${builtInScenarioNames().join(', ')}
  --scenario-file PATH  your own scenario, a JSON file (see README, "Scenarios")
  --then-delete         once it succeeded, delete it again (DELETE /endpoints/{id}) and end with
                        nothing in place
  --json                one JSON report on stdout, progress on stderr
  --json-file PATH      write the JSON report to PATH (progress stays on stdout)
  --fast                no real pause at Wait states (default: 25 ms each, to watch it go)
  --help                this text

The JSON report: { scenario, status, connectionStatus, attempts, vpcEndpointId, connectionStrings,
connectionStringsNote?, atlasRequests, awsRequests, stateTransitions, inPlace, leftovers,
deprovisioning?, error? }. inPlace counts what the provisioning created and keeps (its VPC endpoint and
Atlas registration); leftovers counts anything else that remains. With --then-delete, deprovisioning is
{ status: DELETED | FAILED, leftovers: { vpcEndpoints, atlasEndpoints } }: what remains after it.

Exit status:
  0  the provisioning SUCCEEDED (with --then-delete: and then nothing was left in place)
  1  it FAILED, was refused by the API, or its deprovisioning failed: the error and cause are printed
  2  a bad option or scenario file: nothing was started
  4  an unexpected error (a bug)
`;

const OPTIONS = {
  scenario: { type: 'string' },
  'scenario-file': { type: 'string' },
  json: { type: 'boolean', default: false },
  'json-file': { type: 'string' },
  'then-delete': { type: 'boolean', default: false },
  fast: { type: 'boolean', default: false },
  help: { type: 'boolean', default: false },
} as const;

async function main(): Promise<number> {
  const values = parseCommandLine(OPTIONS);
  if (values.help) {
    process.stdout.write(HELP);
    return ExitCode.ok;
  }
  if (values.scenario !== undefined && values['scenario-file'] !== undefined) {
    throw new UsageError('give --scenario or --scenario-file, not both');
  }
  if (values['json-file'] === '') throw new UsageError('--json-file needs a file name');
  const scenario: Scenario =
    values['scenario-file'] !== undefined
      ? { name: values['scenario-file'], ...loadScenarioFile(values['scenario-file']) }
      : loadBuiltInScenario(values.scenario ?? 'happy-path');
  // Opened now, so a path that cannot be written is a usage error before ten seconds of synthesis.
  const jsonFile = values['json-file'] !== undefined ? openReportFile(values['json-file']) : undefined;

  const log = (line: string) => (values.json ? process.stderr : process.stdout).write(`${line}\n`);
  if (values.json && process.env.npm_lifecycle_event && process.env.npm_config_loglevel !== 'silent') {
    process.stderr.write(
      'note: npm printed its "> … start" banner on stdout, before the JSON; for clean JSON run ' +
        'npm start --silent -- --json, or use --json-file PATH\n',
    );
  }
  log(`Scenario ${scenario.name}: ${scenario.description ?? ''}`);
  log('Synthesizing the CDK stack and starting the emulators…');
  // Loaded once the options are read: --help and a bad option answer without loading the CDK and the SDKs.
  const { startOfflineEnvironment } = await import('../offline/OfflineEnvironment');
  const { runScenario } = await import('../offline/runScenario');
  const { runDeprovisioning } = await import('../offline/runDeprovisioning');
  let print: ReturnType<typeof progressPrinter> | undefined;
  const env = await startOfflineEnvironment({
    scenario,
    realWaitMs: values.fast ? 0 : 25,
    onEvent: (name, event) => print?.(name, event),
  });
  const wallStart = Date.now();
  try {
    // The summary below says how it ended: the progress lines need not.
    print = progressPrinter(env.clock.now, log, { outcomes: false });
    log(`Atlas emulator ${env.atlas.url} · AWS emulator ${env.aws.url} · API ${env.api.url}`);
    log(`POST ${env.api.url}/endpoints ${JSON.stringify(env.request)}`);
    const report = await runScenario(env, { scenario: scenario.name ?? 'custom' });
    for (const line of summary(report, (Date.now() - wallStart) / 1000)) log(line);
    let deprovisioning: DeprovisioningReport | undefined;
    if (values['then-delete'] && report.status === 'SUCCEEDED' && report.executionId) {
      log('');
      log(`DELETE ${env.api.url}/endpoints/${report.executionId}`);
      deprovisioning = await runDeprovisioning(env, report.executionId);
      const { vpcEndpoints, atlasEndpoints } = deprovisioning.leftovers;
      log('');
      log(
        deprovisioning.status === 'DELETED'
          ? `DELETED: deprovisioning ${deprovisioning.deprovisioningId}; in place now: ${vpcEndpoints} VPC endpoint(s), ${atlasEndpoints} Atlas registration(s).`
          : `Deprovisioning FAILED: ${deprovisioning.error?.name}: ${deprovisioning.error?.cause}`,
      );
    }
    const document = `${JSON.stringify(reportDocument(report, deprovisioning), null, 2)}\n`;
    if (values.json) process.stdout.write(document);
    if (jsonFile !== undefined) {
      writeSync(jsonFile.fd, document);
      closeSync(jsonFile.fd);
      log(`Report written to ${jsonFile.path}`);
    }
    if (report.status !== 'SUCCEEDED') return ExitCode.failed;
    if (!deprovisioning) return ExitCode.ok;
    const { vpcEndpoints, atlasEndpoints } = deprovisioning.leftovers;
    return deprovisioning.status === 'DELETED' && vpcEndpoints + atlasEndpoints === 0
      ? ExitCode.ok
      : ExitCode.failed;
  } finally {
    await env.close();
  }
}

/** The lines after the progress: how it ended, what it cost, what is in place and what is left over. */
function summary(report: RunReport, wallSeconds: number): string[] {
  const lines = [''];
  if (report.status === 'SUCCEEDED') {
    lines.push(
      `SUCCEEDED: VPC endpoint ${report.vpcEndpointId} is AVAILABLE in Atlas after ${report.attempts} attempt(s).`,
    );
  } else if (report.status === 'ABORTED') {
    lines.push('ABORTED: the execution was stopped before it ended; no clean-up ran.');
  } else {
    lines.push(`FAILED: ${report.error?.name}: ${report.error?.cause}`);
  }
  lines.push(
    `${report.durationSeconds} s of provisioning time in ${wallSeconds.toFixed(1)} s; ${report.atlasRequests} Atlas requests, ` +
      `${report.awsRequests} AWS requests, ${report.stateTransitions} state transitions.`,
  );
  const { inPlace, leftovers } = report;
  if (inPlace.vpcEndpoints + inPlace.atlasEndpoints > 0) {
    lines.push(
      `In place: ${inPlace.vpcEndpoints} VPC endpoint, ${inPlace.atlasEndpoints} Atlas registration (the connection).`,
    );
  }
  lines.push(
    `Left over: ${leftovers.vpcEndpoints} VPC endpoint(s), ${leftovers.atlasEndpoints} Atlas registration(s).`,
  );
  return lines;
}

/** The JSON document `--json` and `--json-file` write. */
function reportDocument(report: RunReport, deprovisioning?: DeprovisioningReport): Record<string, unknown> {
  const { rejected: _rejected, durationSeconds: _duration, executionId: _execution, ...document } = report;
  return deprovisioning
    ? { ...document, deprovisioning: { status: deprovisioning.status, leftovers: deprovisioning.leftovers } }
    : document;
}

function openReportFile(path: string): { readonly path: string; readonly fd: number } {
  try {
    return { path, fd: openSync(path, 'w') };
  } catch (error) {
    throw new UsageError(`--json-file: cannot write ${path} (${fileProblem(error)})`);
  }
}

runCli(SCRIPT, main);
