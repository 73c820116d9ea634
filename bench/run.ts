/**
 * `npm run bench`: what provisioning costs, measured side by side in one run (Digest requests per call,
 * polling lag and Atlas reads against the incumbents' fixed intervals, cold start, and many executions
 * against an Atlas rate limit). Prints tables, or with `--json` the same figures as JSON
 * (`digest`, `polling`, `coldStart`, `scale`, plus `machine`, `sizes` and `benchSeconds`).
 *
 * @example
 * npx tsx bench/run.ts            # tables
 * npx tsx bench/run.ts --json     # JSON on stdout, progress on stderr
 * npx tsx bench/run.ts --smoke    # every section, tiny sizes
 */
import { parseArgs } from 'node:util';
import { FULL_SIZES, runBench, SMOKE_SIZES } from './runBench';
import { formatReport } from './table';

const { values } = parseArgs({
  options: { json: { type: 'boolean', default: false }, smoke: { type: 'boolean', default: false } },
});
const report = await runBench(values.smoke ? SMOKE_SIZES : FULL_SIZES, (message) =>
  process.stderr.write(`bench: ${message}\n`),
);
process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`);
