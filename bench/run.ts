/**
 * `npm run bench`: what provisioning costs, measured side by side in one run (Digest requests per call,
 * polling lag and Atlas reads against the incumbents' fixed intervals, cold start, many executions
 * against an Atlas rate limit, service-account cold starts against the token endpoint's limit). Prints
 * tables, or with `--json` the same figures as JSON. `npm run bench -- --help` lists the options and the
 * exit codes.
 *
 * @example
 * npm run bench
 * npm run bench -- --json --only scale
 */
import { BenchUsageError, ExitCode, parseBenchArgs, USAGE } from './cli';

/** One line on stderr, never a stack trace. */
function fail(message: string, code: number): never {
  process.stderr.write(`bench: ${message.split('\n')[0]}\n`);
  process.exit(code);
}

let command: ReturnType<typeof parseBenchArgs>;
try {
  command = parseBenchArgs(process.argv.slice(2));
} catch (error) {
  const message = error instanceof BenchUsageError ? error.message : String(error);
  fail(`${message} (npm run bench -- --help lists the options)`, ExitCode.usage);
}
if (command.kind === 'help') {
  process.stdout.write(`${USAGE}\n`);
  process.exit(ExitCode.ok);
}

try {
  // Loaded only now, so that --help and a bad flag answer at once.
  const { FULL_SIZES, runBench, SMOKE_SIZES } = await import('./runBench');
  const { formatReport } = await import('./table');
  const report = await runBench(command.smoke ? SMOKE_SIZES : FULL_SIZES, {
    sections: command.sections,
    seed: command.seed,
    progress: (message) => process.stderr.write(`bench: ${message}\n`),
  });
  process.stdout.write(command.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`);
  process.exit(ExitCode.ok);
} catch (error) {
  fail(error instanceof Error ? error.message : String(error), ExitCode.sectionFailed);
}
