/**
 * `npm start`: provisions a MongoDB Atlas PrivateLink endpoint end to end on this machine — the Atlas
 * and AWS emulators, the local API and the state machine CDK synthesizes — and shows it happen.
 * With `--then-delete` it goes on to delete what it made (DELETE /endpoints/{id}, the deprovisioning).
 * Exits 0 if and only if the provisioning succeeded (and, with `--then-delete`, nothing is left in place).
 */
import { parseArgs } from 'node:util';
import { startOfflineEnvironment } from '../offline/OfflineEnvironment';
import { type DeprovisioningReport, runDeprovisioning } from '../offline/runDeprovisioning';
import { runScenario } from '../offline/runScenario';
import {
  builtInScenarioNames,
  loadBuiltInScenario,
  loadScenarioFile,
  type Scenario,
} from '../offline/scenario';
import { progressPrinter } from './progress';

const HELP = `Usage: npm start -- [options]

Runs one provisioning offline: the Atlas and AWS emulators, the local API and the synthesized state machine.

Options:
  --scenario NAME       a built-in scenario (default: happy-path): ${builtInScenarioNames().join(', ')}
  --scenario-file PATH  your own scenario (see README, "Scenarios")
  --then-delete         once AVAILABLE, delete it again (DELETE /endpoints/{id}) and end with nothing in place
  --json                progress on stderr; one JSON report on stdout
  --fast                no real pause at Wait states (default: 25 ms each, to watch it go)
  --help                this text
`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      scenario: { type: 'string' },
      'scenario-file': { type: 'string' },
      json: { type: 'boolean', default: false },
      'then-delete': { type: 'boolean', default: false },
      fast: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (values.scenario && values['scenario-file'])
    throw new Error('give --scenario or --scenario-file, not both');
  const scenario: Scenario = values['scenario-file']
    ? { name: values['scenario-file'], ...loadScenarioFile(values['scenario-file']) }
    : loadBuiltInScenario(values.scenario ?? 'happy-path');

  const log = (line: string) => (values.json ? process.stderr : process.stdout).write(`${line}\n`);
  log(`Scenario ${scenario.name}: ${scenario.description ?? ''}`);
  log('Synthesizing the CDK stack and starting the emulators…');
  let print: ReturnType<typeof progressPrinter> | undefined;
  const env = await startOfflineEnvironment({
    scenario,
    realWaitMs: values.fast ? 0 : 25,
    onEvent: (name, event) => print?.(name, event),
  });
  const wallStart = Date.now();
  try {
    print = progressPrinter(env.clock.now, log);
    log(`Atlas emulator ${env.atlas.url} · AWS emulator ${env.aws.url} · API ${env.api.url}`);
    log(`POST ${env.api.url}/endpoints ${JSON.stringify(env.request)}`);
    const report = await runScenario(env, { scenario: scenario.name ?? 'custom' });
    const wallSeconds = ((Date.now() - wallStart) / 1000).toFixed(1);
    log('');
    if (report.status === 'SUCCEEDED') {
      log(
        `SUCCEEDED: VPC endpoint ${report.vpcEndpointId} is AVAILABLE in Atlas after ${report.attempts} attempt(s).`,
      );
    } else {
      log(`FAILED: ${report.error?.name}: ${report.error?.cause}`);
    }
    log(
      `${report.durationSeconds} s of provisioning time in ${wallSeconds} s; ${report.atlasRequests} Atlas requests, ` +
        `${report.awsRequests} AWS requests, ${report.stateTransitions} state transitions.`,
    );
    log(
      report.status === 'SUCCEEDED'
        ? `In place: ${report.leftovers.vpcEndpoints} VPC endpoint, ${report.leftovers.atlasEndpoints} Atlas registration (the connection).`
        : `Left behind: ${report.leftovers.vpcEndpoints} VPC endpoint(s), ${report.leftovers.atlasEndpoints} Atlas registration(s).`,
    );
    let deprovisioning: DeprovisioningReport | undefined;
    if (values['then-delete'] && report.status === 'SUCCEEDED' && report.executionId) {
      log('');
      log(`DELETE ${env.api.url}/endpoints/${report.executionId}`);
      deprovisioning = await runDeprovisioning(env, report.executionId);
      const { vpcEndpoints, atlasEndpoints } = deprovisioning.leftovers;
      log(
        deprovisioning.status === 'DELETED'
          ? `DELETED: deprovisioning ${deprovisioning.deprovisioningId}; in place now: ${vpcEndpoints} VPC endpoint(s), ${atlasEndpoints} Atlas registration(s).`
          : `Deprovisioning FAILED: ${deprovisioning.error?.name}: ${deprovisioning.error?.cause}`,
      );
    }
    if (values.json) {
      const { rejected: _rejected, durationSeconds: _d, executionId: _e, ...json } = report;
      const summary = deprovisioning
        ? { ...json, deprovisioning: { status: deprovisioning.status, leftovers: deprovisioning.leftovers } }
        : json;
      process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    }
    if (report.status !== 'SUCCEEDED') return 1;
    if (!deprovisioning) return 0;
    const { vpcEndpoints, atlasEndpoints } = deprovisioning.leftovers;
    return deprovisioning.status === 'DELETED' && vpcEndpoints + atlasEndpoints === 0 ? 0 : 1;
  } finally {
    await env.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
