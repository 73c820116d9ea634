/**
 * The bench: four sections measured in one run, with the sizes of `npm run bench` or tiny ones for the
 * smoke test. Sections that start an offline environment run in a fresh process each (see `child.ts`).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ColdStartFigures, type ColdStartOptions, measureColdStart } from './coldStart';
import { type DigestFigures, measureDigest } from './digest';
import { type Machine, machine } from './machine';
import type { PollingFigures, PollingOptions } from './polling';
import type { ScaleFigures, ScaleOptions } from './scale';

export interface BenchSizes {
  readonly digestCalls: number;
  readonly polling: PollingOptions;
  readonly coldStart: ColdStartOptions;
  readonly scale: ScaleOptions;
}

/** `npm run bench`: about 75 s on two cores. */
export const FULL_SIZES: BenchSizes = {
  digestCalls: 500,
  polling: { targetsSeconds: [30, 120, 300, 900, 2700], phases: 16 },
  coldStart: { runs: 5 },
  scale: { executions: 200, rateLimit: { capacity: 100, refillPerMinute: 100 } },
};

/** `--smoke`: every section, tiny, to show the harness works. */
export const SMOKE_SIZES: BenchSizes = {
  digestCalls: 5,
  polling: { targetsSeconds: [30], phases: 1 },
  coldStart: { runs: 1, handlers: ['recordAttempt'] },
  scale: { executions: 3, rateLimit: { capacity: 100, refillPerMinute: 100 } },
};

export interface BenchReport {
  readonly digest: DigestFigures;
  readonly polling: PollingFigures;
  readonly coldStart: ColdStartFigures;
  readonly scale: ScaleFigures;
  readonly machine: Machine;
  readonly sizes: BenchSizes;
  /** Real seconds the whole bench took. */
  readonly benchSeconds: number;
}

export async function runBench(
  sizes: BenchSizes,
  progress: (message: string) => void = () => {},
): Promise<BenchReport> {
  const started = performance.now();
  progress(`digest: ${sizes.digestCalls} calls per client`);
  const digest = await measureDigest(sizes.digestCalls);
  progress(`polling: T = ${sizes.polling.targetsSeconds.join(', ')} s, ${sizes.polling.phases} phases each`);
  const polling = await inFreshProcess<PollingFigures>('polling', sizes.polling);
  progress(`cold start: ${sizes.coldStart.runs} runs per handler`);
  const coldStart = await measureColdStart(sizes.coldStart);
  progress(`scale: ${sizes.scale.executions} concurrent executions`);
  const scale = await inFreshProcess<ScaleFigures>('scale', sizes.scale);
  return {
    digest,
    polling,
    coldStart,
    scale,
    machine: machine(),
    sizes,
    benchSeconds: Math.round((performance.now() - started) / 1000),
  };
}

async function inFreshProcess<T>(section: 'polling' | 'scale', options: unknown): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'atlas-privatelink-bench-'));
  const outFile = join(dir, `${section}.json`);
  const child = fileURLToPath(new URL('./child.ts', import.meta.url));
  try {
    const stderr: Buffer[] = [];
    const code = await new Promise<number | null>((resolve, reject) => {
      const proc = spawn(
        process.execPath,
        ['--import', 'tsx', child, section, JSON.stringify(options), outFile],
        {
          stdio: ['ignore', 'ignore', 'pipe'],
        },
      );
      proc.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
      proc.once('error', reject);
      proc.once('exit', resolve);
    });
    if (code !== 0) {
      throw new Error(`the ${section} section failed (exit ${code}): ${Buffer.concat(stderr).toString()}`);
    }
    return JSON.parse(readFileSync(outFile, 'utf8')) as T;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
