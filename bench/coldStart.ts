/**
 * Cold start, per Lambda: the bundle as the construct builds it (esbuild: bundle, minify, source map, CJS,
 * node22, every module included) and the time a fresh Node process takes to `require()` it — Lambda's
 * Init phase for these handlers, which build their clients on first use rather than at load. Compared
 * with the same handler unbundled: the same sources transpiled file for file to CommonJS (so no
 * TypeScript transform is timed) and every dependency loaded from `node_modules`, as a zip with
 * `node_modules` would run. Both run with `--enable-source-maps`, as the functions are configured; the
 * bundle is loaded once more without it, to show what parsing its source map costs.
 * Constructing the SDK and Atlas clients (which the first invocation pays) is measured separately.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, build } from 'esbuild';
import { ApiHandlers, HandlerBundling, handlerEntry, WorkflowHandlers } from '../infra/handlers';
import { handlerBuildOptions } from '../scripts/handlerBundle';

export interface ColdStartOptions {
  /** Fresh processes per handler and variant; the median is reported. */
  readonly runs: number;
  /** Handler modules to measure (`checkEndpoint`, `api/startProvisioning`). @default - every handler */
  readonly handlers?: readonly string[];
}

export interface HandlerColdStart {
  readonly handler: string;
  readonly bundleBytes: number;
  readonly sourceMapBytes: number;
  /** Median milliseconds to `require()` the bundle in a fresh process, with `--enable-source-maps`. */
  readonly bundledInitMs: number;
  /** The same without `--enable-source-maps`: what parsing the source map at load costs. */
  readonly bundledNoSourceMapsInitMs: number;
  /** Median milliseconds to `require()` the unbundled handler (dependencies from node_modules). */
  readonly unbundledInitMs: number;
  /** Files Node loaded for the unbundled handler (its own and its dependencies'). */
  readonly unbundledModules: number;
}

export interface ColdStartFigures {
  readonly runs: number;
  readonly handlers: readonly HandlerColdStart[];
  /** Median milliseconds to construct each client once its module is loaded, from a bundle. */
  readonly clientConstructionMs: Readonly<Record<string, number>>;
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const NODE_MODULES = join(ROOT, 'node_modules');

/** The probe's bundle: built as the handlers are (`handlerBuildOptions`). */
const bundleOptions: BuildOptions = {
  bundle: true,
  platform: 'node',
  target: HandlerBundling.target,
  format: 'cjs',
  minify: HandlerBundling.minify,
  sourcemap: HandlerBundling.sourceMap,
  mainFields: [...HandlerBundling.mainFields],
  logLevel: 'silent',
};

/** Loads a module in a fresh process and reports the time `require()` took and the modules it loaded. */
const REQUIRE_PROBE = `
const started = performance.now();
const loaded = require(process.argv[1]);
const requireMs = performance.now() - started;
if (typeof loaded.handler !== 'function' && typeof loaded.constructClients !== 'function') {
  throw new Error(process.argv[1] + ' exports neither handler nor constructClients');
}
const clients = loaded.constructClients ? loaded.constructClients() : undefined;
process.stdout.write(JSON.stringify({ requireMs, modules: Object.keys(require.cache).length, clients }));
`;

interface ProbeResult {
  readonly requireMs: number;
  readonly modules: number;
  readonly clients?: Record<string, number>;
}

function probe(file: string, extraEnv: Record<string, string> = {}, sourceMaps = true): ProbeResult {
  const flags = sourceMaps ? ['--enable-source-maps'] : [];
  const result = spawnSync(process.execPath, [...flags, '-e', REQUIRE_PROBE, file], {
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH ?? '',
      AWS_REGION: 'us-east-1',
      POWERTOOLS_SERVICE_NAME: 'atlas-privatelink',
      ...extraEnv,
    },
  });
  if (result.status !== 0) throw new Error(`loading ${file} failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as ProbeResult;
}

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

const round = (value: number) => Math.round(value * 10) / 10;

function typeScriptFiles(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => join(dir, f));
}

/** Every handler module the stack deploys, as `infra/handlers.ts` lists them today. */
export function allHandlers(): string[] {
  return [...Object.values(WorkflowHandlers), ...Object.values(ApiHandlers)];
}

export async function measureColdStart(options: ColdStartOptions): Promise<ColdStartFigures> {
  const handlers = options.handlers ?? allHandlers();
  const work = mkdtempSync(join(tmpdir(), 'atlas-privatelink-bench-'));
  try {
    // The unbundled variant: lambdas/ transpiled file for file; bare imports resolve via NODE_PATH.
    const unbundledRoot = join(work, 'unbundled');
    await build({
      entryPoints: typeScriptFiles(join(ROOT, 'lambdas')),
      outdir: unbundledRoot,
      outbase: ROOT,
      bundle: false,
      platform: 'node',
      target: 'node22',
      format: 'cjs',
      logLevel: 'silent',
    });
    const bundles = new Map<string, string>();
    for (const handler of handlers) {
      const outfile = join(work, 'bundled', handler, 'index.js');
      await build(handlerBuildOptions(handler, outfile));
      bundles.set(handler, outfile);
    }
    const clientsBundle = join(work, 'bundled', 'constructClients', 'index.js');
    await build({
      ...bundleOptions,
      entryPoints: [fileURLToPath(new URL('./probes/constructClients.ts', import.meta.url))],
      outfile: clientsBundle,
    });

    const bundled = new Map<string, number[]>(handlers.map((h) => [h, []]));
    const withoutMaps = new Map<string, number[]>(handlers.map((h) => [h, []]));
    const unbundled = new Map<string, ProbeResult[]>(handlers.map((h) => [h, []]));
    const clients: Record<string, number>[] = [];
    // Interleaved, so a slow moment of the machine touches both variants alike.
    for (let run = 0; run < options.runs; run++) {
      for (const handler of handlers) {
        bundled.get(handler)?.push(probe(bundles.get(handler)!).requireMs);
        withoutMaps.get(handler)?.push(probe(bundles.get(handler)!, {}, false).requireMs);
        const source = join(unbundledRoot, relative(ROOT, handlerEntry(handler)).replace(/\.ts$/, '.js'));
        unbundled.get(handler)?.push(probe(source, { NODE_PATH: NODE_MODULES }));
      }
      const constructed = probe(clientsBundle).clients;
      if (constructed) clients.push(constructed);
    }

    return {
      runs: options.runs,
      handlers: handlers.map((handler) => {
        const file = bundles.get(handler)!;
        const loads = unbundled.get(handler)!;
        return {
          handler,
          bundleBytes: statSync(file).size,
          sourceMapBytes: statSync(`${file}.map`).size,
          bundledInitMs: round(median(bundled.get(handler)!)),
          bundledNoSourceMapsInitMs: round(median(withoutMaps.get(handler)!)),
          unbundledInitMs: round(median(loads.map((l) => l.requireMs))),
          unbundledModules: loads[0]?.modules ?? 0,
        };
      }),
      clientConstructionMs: Object.fromEntries(
        Object.keys(clients[0] ?? {}).map((name) => [name, round(median(clients.map((c) => c[name]!)))]),
      ),
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
