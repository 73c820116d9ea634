/**
 * `npm run mutation`: mutation testing with Stryker, one target (one source file) at a time, each against the
 * tests meant to protect it, then a table of the scores against their goals. A target is a
 * `mutation/<name>.config.mjs`; a group names several.
 *
 * Exits 0 when every target ran reaches its goal, 1 when one does not (or Stryker failed), 2 on a usage error.
 *
 * @example
 * npm run mutation                       # every target (tens of minutes)
 * npm run mutation -- digest             # digestAuth and challenge
 * npm run mutation -- retryPolicy --concurrency 2
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(HERE);

const GROUPS: Readonly<Record<string, readonly string[]>> = {
  digest: ['digestAuth', 'challenge'],
  atlas: ['digestAuth', 'challenge', 'retryPolicy'],
  services: ['endpointRemoval', 'sweep'],
  domain: [
    'request',
    'decisions',
    'workflowState',
    'apiRequest',
    'callers',
    'registration',
    'executionHistory',
  ],
};

class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

interface Target {
  readonly name: string;
  readonly configFile: string;
  readonly mutate: string;
  readonly goal: number;
  readonly reportFile: string;
}

/** Counts of one file's mutants by what became of them, and the score Stryker computes from them. */
interface Score {
  readonly file: string;
  readonly killed: number;
  readonly timeout: number;
  readonly survived: number;
  readonly noCoverage: number;
  readonly invalid: number;
  readonly score: number;
}

function help(targets: readonly string[]): string {
  const groups = Object.entries(GROUPS)
    .map(([name, members]) => `  ${name.padEnd(10)} ${members.join(', ')}`)
    .join('\n');
  return `Usage: npm run mutation -- [target or group ...] [options]

Mutation testing with Stryker: each target mutates one source file and runs the tests that protect it
(mutation/<target>.config.mjs names both, and the score it must reach). Without a target, runs them all.
Reports: reports/mutation/<target>.html and .json. Takes minutes per target.

Targets: ${targets.join(', ')}
Groups:
${groups}

Options:
  --concurrency N  test runner processes (default 1: this is slow, and the machine is shared)
  --incremental    reuse the results of the previous run for mutants and tests that did not change
  --help           this text

Exit: 0 every target reached its goal; 1 one did not, or Stryker failed; 2 usage error.
`;
}

function availableTargets(): string[] {
  return readdirSync(HERE)
    .filter((file) => file.endsWith('.config.mjs'))
    .map((file) => file.slice(0, -'.config.mjs'.length))
    .sort();
}

function chosenTargets(requested: readonly string[], available: readonly string[]): string[] {
  if (requested.length === 0) {
    const grouped = Object.values(GROUPS).flat();
    return [...new Set([...grouped, ...available])].filter((name) => available.includes(name));
  }
  const chosen: string[] = [];
  for (const name of requested) {
    const members = GROUPS[name] ?? (available.includes(name) ? [name] : undefined);
    if (members === undefined) {
      throw new UsageError(
        `unknown target "${name}"; expected one of ${available.join(', ')}, or a group: ${Object.keys(GROUPS).join(', ')}`,
      );
    }
    chosen.push(...members.filter((member) => !chosen.includes(member)));
  }
  return chosen;
}

async function loadTarget(name: string): Promise<Target> {
  const configFile = join(HERE, `${name}.config.mjs`);
  const { default: config } = (await import(pathToFileURL(configFile).href)) as {
    default: { mutate: string[]; thresholds: { break: number }; jsonReporter: { fileName: string } };
  };
  return {
    name,
    configFile,
    mutate: config.mutate[0] ?? '',
    goal: config.thresholds.break,
    reportFile: join(ROOT, config.jsonReporter.fileName),
  };
}

function scoresOf(reportFile: string): Score[] {
  const report = JSON.parse(readFileSync(reportFile, 'utf8')) as {
    files: Record<string, { mutants: { status: string }[] }>;
  };
  return Object.entries(report.files).map(([file, { mutants }]) => {
    const count = (...statuses: string[]) => mutants.filter((m) => statuses.includes(m.status)).length;
    const killed = count('Killed');
    const timeout = count('Timeout');
    const survived = count('Survived');
    const noCoverage = count('NoCoverage');
    const detected = killed + timeout;
    const valid = detected + survived + noCoverage;
    return {
      file,
      killed,
      timeout,
      survived,
      noCoverage,
      invalid: count('CompileError', 'RuntimeError'),
      // Stryker's mutation score: detected over valid mutants; ignored and invalid ones do not count.
      score: valid === 0 ? 100 : (100 * detected) / valid,
    };
  });
}

/** Text columns (target, file, verdict) to the left, figures to the right. */
function table(rows: readonly string[][]): string {
  const widths =
    rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  const last = widths.length - 1;
  return rows
    .map((row) =>
      row
        .map((cell, column) => {
          const width = widths[column] ?? 0;
          return column < 2 || column === last ? cell.padEnd(width) : cell.padStart(width);
        })
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    options: {
      concurrency: { type: 'string' },
      incremental: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    allowPositionals: true,
    strict: true,
  });
  const available = availableTargets();
  if (values.help) {
    process.stdout.write(help(available));
    return 0;
  }
  const concurrency = values.concurrency === undefined ? undefined : Number(values.concurrency);
  if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1)) {
    throw new UsageError(
      `--concurrency must be a whole number of processes, 1 or more, got "${values.concurrency}"`,
    );
  }
  const targets = await Promise.all(chosenTargets(positionals, available).map(loadTarget));
  const stryker = join(
    dirname(createRequire(import.meta.url).resolve('@stryker-mutator/core/package.json')),
    'bin/stryker.js',
  );

  const rows = [['target', 'file', 'killed', 'timeout', 'survived', 'no cov', 'score', 'goal', '']];
  let allReached = true;
  for (const target of targets) {
    process.stdout.write(`\nmutation: ${target.name} (${target.mutate}, goal ${target.goal} %)\n`);
    const args = [stryker, 'run', relative(ROOT, target.configFile)];
    if (concurrency !== undefined) args.push('--concurrency', String(concurrency));
    if (values.incremental) args.push('--incremental');
    // A report left by an earlier run must not pass for this one's.
    rmSync(target.reportFile, { force: true });
    const started = Date.now();
    const run = spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'inherit' });
    const minutes = ((Date.now() - started) / 60_000).toFixed(1);
    // Stryker exits 1 both when it fails and when the score is under `thresholds.break`; the report tells which.
    if (run.status !== 0 && run.status !== 1) {
      allReached = false;
      rows.push([
        target.name,
        target.mutate,
        '',
        '',
        '',
        '',
        'failed',
        String(target.goal),
        `Stryker exited ${run.status ?? run.signal}`,
      ]);
      continue;
    }
    if (!existsSync(target.reportFile)) {
      allReached = false;
      rows.push([target.name, target.mutate, '', '', '', '', 'failed', String(target.goal), 'no report']);
      continue;
    }
    for (const score of scoresOf(target.reportFile)) {
      const reached = score.score >= target.goal;
      allReached &&= reached;
      rows.push([
        target.name,
        score.file,
        String(score.killed),
        String(score.timeout),
        String(score.survived),
        String(score.noCoverage),
        score.score.toFixed(2),
        String(target.goal),
        `${reached ? 'ok' : 'BELOW GOAL'} (${minutes} min)`,
      ]);
    }
  }
  process.stdout.write(`\nMutation scores (reports in reports/mutation/):\n${table(rows)}\n`);
  return allReached ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const usage =
      error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    process.stderr.write(`mutation: ${error instanceof Error ? error.message : String(error)}\n`);
    if (usage) process.stderr.write('Run npm run mutation -- --help for the targets and options.\n');
    process.exit(usage ? 2 : 1);
  },
);
