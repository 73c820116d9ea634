import type { BuildOptions } from 'esbuild';
import { HandlerBundling, handlerEntry } from '../infra/handlers';

/**
 * The esbuild options that bundle handler `module` into `outfile` as `HandlerFunction` has `NodejsFunction`
 * bundle it at synth: CommonJS for Node, every dependency inside, with {@link HandlerBundling}'s settings.
 * The package build ships these bundles; the bundle tests run them.
 */
export function handlerBuildOptions(module: string, outfile: string): BuildOptions {
  return {
    entryPoints: [handlerEntry(module)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: HandlerBundling.target,
    minify: HandlerBundling.minify,
    sourcemap: HandlerBundling.sourceMap,
    mainFields: [...HandlerBundling.mainFields],
    logLevel: 'silent',
  };
}
