/**
 * The bench: five sections, measured in one run (or the ones asked for), with the sizes of `npm run bench`
 * or tiny ones for the smoke test. Sections that start an offline environment run in a fresh process
 * each (see `child.ts`).
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
import { SECTIONS, type Section } from './sections';
import {
  measureServiceAccounts,
  type ServiceAccountFigures,
  type ServiceAccountOptions,
} from './serviceAccounts';

export interface ScaleSizes {
  readonly executions: number;
  readonly rateLimit: { readonly capacity: number; readonly refillPerMinute: number };
  /** One run per entry: the executions start over this many seconds (0: all at the same instant). */
  readonly arrivalsSeconds: readonly number[];
}

export interface BenchSizes {
  readonly digestCalls: number;
  readonly polling: PollingOptions;
  readonly coldStart: ColdStartOptions;
  readonly scale: ScaleSizes;
  readonly serviceAccounts: ServiceAccountOptions;
}

/** `npm run bench`: about three minutes on two cores. */
export const FULL_SIZES: BenchSizes = {
  digestCalls: 500,
  polling: { targetsSeconds: [30, 120, 300, 900, 2700], phases: 16 },
  coldStart: { runs: 5 },
  scale: {
    executions: 200,
    rateLimit: { capacity: 100, refillPerMinute: 100 },
    arrivalsSeconds: [0, 600],
  },
  serviceAccounts: { instances: 50, tokenRateLimit: { capacity: 10, refillPerMinute: 10 } },
};

/** `--smoke`: every section, tiny, to show the harness works. */
export const SMOKE_SIZES: BenchSizes = {
  digestCalls: 5,
  polling: { targetsSeconds: [30], phases: 1 },
  coldStart: { runs: 1, handlers: ['recordAttempt'] },
  scale: { executions: 3, rateLimit: { capacity: 100, refillPerMinute: 100 }, arrivalsSeconds: [0] },
  serviceAccounts: { instances: 3, tokenRateLimit: { capacity: 1, refillPerMinute: 10 } },
};

export interface ScaleSection {
  readonly runs: readonly ScaleFigures[];
}

/** The figures of the sections that ran (the others are absent). */
export interface BenchReport {
  readonly digest?: DigestFigures;
  readonly polling?: PollingFigures;
  readonly coldStart?: ColdStartFigures;
  readonly scale?: ScaleSection;
  readonly serviceAccounts?: ServiceAccountFigures;
  readonly sections: readonly Section[];
  /** The seed of the jitter in the polling, scale and serviceAccounts sections. */
  readonly seed: number;
  readonly machine: Machine;
  readonly sizes: BenchSizes;
  /** Real seconds the whole bench took. */
  readonly benchSeconds: number;
}

export interface BenchRun {
  /** @default every section */
  readonly sections?: readonly Section[];
  /** @default 1 */
  readonly seed?: number;
  readonly progress?: (message: string) => void;
}

export async function runBench(sizes: BenchSizes, run: BenchRun = {}): Promise<BenchReport> {
  const started = performance.now();
  const wanted = new Set(run.sections ?? SECTIONS);
  const sections = SECTIONS.filter((s) => wanted.has(s));
  const seed = run.seed ?? 1;
  const progress = run.progress ?? (() => {});
  const figures: { -readonly [K in Section]?: BenchReport[K] } = {};
  for (const section of sections) {
    switch (section) {
      case 'digest':
        progress(`digest: ${sizes.digestCalls} calls per client`);
        figures.digest = await measureDigest(sizes.digestCalls);
        break;
      case 'polling':
        progress(
          `polling: T = ${sizes.polling.targetsSeconds.join(', ')} s, ${sizes.polling.phases} phases each`,
        );
        figures.polling = await inFreshProcess<PollingFigures>('polling', { ...sizes.polling, seed });
        break;
      case 'coldStart':
        progress(`cold start: ${sizes.coldStart.runs} runs per handler`);
        figures.coldStart = await measureColdStart(sizes.coldStart);
        break;
      case 'scale': {
        const runs: ScaleFigures[] = [];
        for (const arrivalSeconds of sizes.scale.arrivalsSeconds) {
          progress(
            `scale: ${sizes.scale.executions} executions ${arrivalSeconds === 0 ? 'at once' : `over ${arrivalSeconds} s`}`,
          );
          const options: ScaleOptions = { ...sizes.scale, arrivalSeconds, seed };
          runs.push(await inFreshProcess<ScaleFigures>('scale', options));
        }
        figures.scale = { runs };
        break;
      }
      case 'serviceAccounts':
        progress(`service accounts: ${sizes.serviceAccounts.instances} cold starts at once`);
        figures.serviceAccounts = await measureServiceAccounts({ ...sizes.serviceAccounts, seed });
        break;
    }
  }
  return {
    ...figures,
    sections,
    seed,
    machine: machine(),
    sizes,
    benchSeconds: Math.round((performance.now() - started) / 1000),
  };
}

/** A section that failed to produce its figures; the message is one line. */
export class BenchSectionError extends Error {
  constructor(section: string, detail: string) {
    super(`the ${section} section failed: ${detail}`);
    this.name = 'BenchSectionError';
  }
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
      const lines = Buffer.concat(stderr).toString().trim().split('\n');
      const message = lines.find((line) => /error/i.test(line)) ?? lines.at(-1) ?? '';
      throw new BenchSectionError(section, `exit ${code}: ${message.trim()}`);
    }
    return JSON.parse(readFileSync(outFile, 'utf8')) as T;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
