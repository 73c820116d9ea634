/** The bench report as plain-text tables for the terminal. */
import type { ColdStartFigures } from './coldStart';
import type { DigestFigures } from './digest';
import type { PollingFigures } from './polling';
import type { BenchReport } from './runBench';
import { type ScaleFigures, ScaleTargets } from './scale';
import type { ServiceAccountFigures } from './serviceAccounts';

type Cell = string | number;

/** Left-aligns the first column, right-aligns the others, pads with spaces. */
export function formatTable(header: readonly Cell[], rows: readonly (readonly Cell[])[]): string {
  const all = [header, ...rows].map((row) => row.map(String));
  const widths = header.map((_, i) => Math.max(...all.map((row) => row[i]?.length ?? 0)));
  const line = (row: readonly string[]) =>
    row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  return [line(all[0]!), line(widths.map((w) => '-'.repeat(w))), ...all.slice(1).map(line)].join('\n');
}

const fixed = (value: number, digits = 1) => value.toFixed(digits);
const kib = (bytes: number) => fixed(bytes / 1024, 0);

export function formatReport(report: BenchReport): string {
  const sections = [
    report.digest && formatDigest(report.digest),
    report.polling && formatPolling(report.polling),
    report.coldStart && formatColdStart(report.coldStart),
    report.scale && formatScale(report.scale.runs),
    report.serviceAccounts && formatServiceAccounts(report.serviceAccounts),
  ].filter((section): section is string => section !== undefined);
  const { machine } = report;
  sections.push(
    `Machine: Node ${machine.node}, ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, ${machine.platform}; ` +
      `seed ${report.seed}; bench took ${report.benchSeconds} s`,
  );
  return sections.join('\n\n');
}

function formatDigest(digest: DigestFigures): string {
  return (
    `Digest: Atlas requests per logical call (${digest.calls} GETs each, emulator)\n` +
    formatTable(
      ['client', 'requests/call', '401 challenges', 'ms/call'],
      [
        [
          'ours: digestAuth interceptor, warm',
          fixed(digest.ours.requestsPerCall, 2),
          digest.ours.challenges,
          fixed(digest.ours.msPerCall, 2),
        ],
        [
          'challenge afresh (curl --digest)',
          fixed(digest.afresh.requestsPerCall, 2),
          digest.afresh.challenges,
          fixed(digest.afresh.msPerCall, 2),
        ],
      ],
    )
  );
}

function formatPolling(polling: PollingFigures): string {
  const phases = polling.rows[0]?.phasesSeconds.length ?? 0;
  return (
    `Polling: endpoint AVAILABLE T after registration (mean over ${phases} phase${phases === 1 ? '' : 's'} in 20 s)\n` +
    formatTable(
      [
        'T',
        'lag ours',
        'lag 10s',
        'lag 20s',
        'max lag ours',
        'GETs ours',
        'GETs 10s',
        'GETs 20s',
        'EC2 ours',
        'transitions ours',
        'goal',
      ],
      polling.rows.map((r) => [
        duration(r.targetSeconds),
        fixed(r.ours.meanLagSeconds),
        fixed(r.fixed10.meanLagSeconds),
        fixed(r.fixed20.meanLagSeconds),
        fixed(r.ours.maxLagSeconds),
        fixed(r.ours.atlasGets),
        fixed(r.fixed10.atlasGets),
        fixed(r.fixed20.atlasGets),
        fixed(r.ours.ec2Describes ?? 0),
        fixed(r.ours.stateTransitions ?? 0, 0),
        goal(r.lagGoalMet, r.getsGoalMet),
      ]),
    ) +
    `\nlag in seconds; GETs = Atlas GET …/endpoint/{id}; EC2 = DescribeVpcEndpoints; transitions per execution` +
    `\nan Atlas errorMessage on a still-pending endpoint is caught within ${polling.errorMessageBoundSeconds} s ` +
    `(Atlas read interval ${polling.schedule.atlasReadIntervalSeconds} s + one wait of at most ${polling.schedule.steadyWaitSeconds} s)`
  );
}

function formatColdStart(coldStart: ColdStartFigures): string {
  return (
    `Cold start: require() in a fresh Node process, median of ${coldStart.runs}\n` +
    formatTable(
      ['handler', 'bundle KiB', 'map KiB', 'bundled ms', 'no maps ms', 'unbundled ms', 'unbundled files'],
      coldStart.handlers.map((h) => [
        h.handler,
        kib(h.bundleBytes),
        kib(h.sourceMapBytes),
        fixed(h.bundledInitMs),
        fixed(h.bundledNoSourceMapsInitMs),
        fixed(h.unbundledInitMs),
        h.unbundledModules,
      ]),
    ) +
    `\nbundled: --enable-source-maps as deployed; no maps: the same bundle without it; unbundled: the same code as CommonJS files, dependencies from node_modules` +
    `\nconstructing clients (ms): ${Object.entries(coldStart.clientConstructionMs)
      .map(([name, ms]) => `${name} ${fixed(ms)}`)
      .join(', ')}`
  );
}

function formatScale(runs: readonly ScaleFigures[]): string {
  const first = runs[0];
  if (!first) return 'Scale: no runs';
  return (
    `Scale: ${first.executions} executions on one project, Atlas bucket ${first.rateLimit.capacity} + ${first.rateLimit.refillPerMinute}/min\n` +
    formatTable(
      [
        'started',
        'succeeded',
        'failed',
        'Atlas requests',
        'per execution',
        '429s',
        '429 share',
        '401s',
        'provisioning s (median/max)',
        'virtual s',
        'wall s',
        'RSS MiB run (process)',
        `targets (≤ ${ScaleTargets.max429Share * 100} % 429, ≤ ${ScaleTargets.maxRequestsPerExecution}/execution)`,
      ],
      runs.map((scale) => [
        scale.arrivalSeconds === 0 ? 'at once' : `over ${scale.arrivalSeconds} s`,
        `${scale.succeeded}/${scale.executions}`,
        Object.entries(scale.failures)
          .map(([name, count]) => `${name} ×${count}`)
          .join(', ') || '-',
        scale.atlasRequests,
        fixed(scale.atlasRequestsPerExecution),
        scale.atlas429,
        `${fixed(scale.atlas429Share * 100)} %`,
        Object.entries(scale.atlas401)
          .map(([outcome, count]) => `${outcome} ${count}`)
          .join(', ') || '0',
        `${scale.medianDurationSeconds}/${scale.maxDurationSeconds}`,
        scale.virtualSeconds,
        fixed(scale.wallMs / 1000),
        `${scale.peakRssDuringRunMiB} (${scale.peakRssMiB})`,
        targets(scale),
      ]),
    ) +
    `\nAtlas requests by operation (429s): ${runs
      .map(
        (scale) =>
          `${scale.arrivalSeconds === 0 ? 'at once' : `over ${scale.arrivalSeconds} s`}: ` +
          Object.entries(scale.atlasByOperation)
            .map(([operation, { requests, r429 }]) => `${operation} ${requests} (${r429})`)
            .join(', '),
      )
      .join('; ')}`
  );
}

function formatServiceAccounts(figures: ServiceAccountFigures): string {
  const limit = figures.tokenRateLimit;
  return (
    `Service-account cold starts: ${figures.instances} instances at once, each fetching its own token; ` +
    `token endpoint ${limit.capacity} + ${limit.refillPerMinute}/min\n` +
    formatTable(
      [
        'succeeded',
        'token requests',
        '429s',
        'API requests',
        'invocations (max per instance)',
        'longest invocation s',
        'all done s (median)',
      ],
      [
        [
          `${figures.succeeded}/${figures.instances}`,
          figures.tokenRequests,
          figures.token429,
          figures.apiRequests,
          `${figures.invocations} (${figures.maxInvocationsPerInstance})`,
          fixed(figures.maxInvocationSeconds),
          `${figures.lastDoneSeconds} (${figures.medianDoneSeconds})`,
        ],
      ],
    ) +
    `\ntimes virtual; a failed invocation is retried by the state machine's Retry for 429s on the same instance`
  );
}

function targets(scale: ScaleFigures): string {
  const missed = [
    scale.targetsMet.allSucceeded ? undefined : 'failures',
    scale.targetsMet.share429 ? undefined : '429 share',
    scale.targetsMet.requestsPerExecution ? undefined : 'requests',
  ].filter(Boolean);
  return missed.length === 0 ? 'met' : `missed: ${missed.join(', ')}`;
}

function goal(lagMet: boolean, getsMet: boolean): string {
  const missed = [lagMet ? undefined : 'lag', getsMet ? undefined : 'GETs'].filter(Boolean);
  return missed.length === 0 ? 'met' : `missed: ${missed.join(', ')}`;
}

function duration(seconds: number): string {
  return seconds % 60 === 0 ? `${seconds / 60} min` : `${seconds} s`;
}
