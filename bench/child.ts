/**
 * Runs one bench section that needs an offline environment in a process of its own, so that the peak RSS
 * measured is the section's own and no warm client or cache of an earlier section helps it.
 * `node --import tsx bench/child.ts <section> <options JSON> <out file>`.
 */
import { writeFileSync } from 'node:fs';
import { measurePolling, type PollingOptions } from './polling';
import { measureScale, type ScaleOptions } from './scale';

const [section, optionsJson, outFile] = process.argv.slice(2);
if (!section || !optionsJson || !outFile) {
  console.error('usage: bench/child.ts <polling|scale> <options JSON> <out file> (npm run bench runs it)');
  process.exit(2);
}
const options = JSON.parse(optionsJson) as unknown;
const result =
  section === 'polling'
    ? await measurePolling(options as PollingOptions)
    : section === 'scale'
      ? await measureScale(options as ScaleOptions)
      : undefined;
if (result === undefined) {
  console.error(`unknown section ${section}`);
  process.exit(2);
}
writeFileSync(outFile, JSON.stringify(result));
// Keep-alive sockets of the handlers' clients would hold the process open for their idle timeout.
process.exit(0);
