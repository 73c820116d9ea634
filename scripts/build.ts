/**
 * `npm run build` (and `npm pack`, through `prepack`): the package as people install it, in `dist/`.
 *
 * - `index.js` (`"."`), `local.js` (`"./local"`) and the chunks they share: the library as ES modules for
 *   Node. aws-cdk-lib, constructs, undici and aws-local-stepfunctions stay imports, resolved in the
 *   consumer's node_modules (peer dependencies and a dependency); what else the offline rig runs — the
 *   handlers' AWS SDK clients and logger — is bundled in, at the versions this repository tests.
 * - `handlers/<module>/index.js`: every handler registered in `infra/handlers.ts`, bundled for Lambda with
 *   the settings `HandlerFunction` uses, which the construct deploys from the built package.
 * - `scenarios/*.json`: the built-in offline scenarios.
 * - `types/`: the declarations, for `"."` (`types/index.d.ts`) and `"./local"` (`types/local/index.d.ts`).
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { registeredHandlerModules } from '../infra/handlerRegistry';
import { handlerBuildOptions } from './handlerBundle';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(ROOT, 'dist');

/** Packages the library imports rather than bundles: the consumer's own copies. */
const LIBRARY_EXTERNALS = ['aws-cdk-lib', 'constructs', 'undici', 'aws-local-stepfunctions'];

async function buildLibrary(): Promise<void> {
  await build({
    entryPoints: { index: join(ROOT, 'index.ts'), local: join(ROOT, 'local/index.ts') },
    outdir: DIST,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    mainFields: ['module', 'main'],
    external: LIBRARY_EXTERNALS.flatMap((name) => [name, `${name}/*`]),
    // infra/packageLayout.ts: the code knows it runs from dist/, beside the handlers and scenarios it ships.
    define: { ATLAS_PRIVATELINK_BUILT: 'true' },
    // Bundled CommonJS dependencies may require() Node's built-in modules; ES modules have no require.
    banner: {
      js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
}

async function buildHandlers(): Promise<string[]> {
  const modules = registeredHandlerModules();
  const handlersDir = join(DIST, 'handlers');
  for (const module of modules) {
    await build(handlerBuildOptions(module, join(handlersDir, module, 'index.js')));
  }
  // Lambda loads index.js as CommonJS (no package.json in the asset); so does Node loading it from here,
  // though the package itself is "type": "module". This file sits above the asset folders, not in them.
  writeFileSync(join(handlersDir, 'package.json'), `${JSON.stringify({ type: 'commonjs' })}\n`);
  return modules;
}

function copyScenarios(): void {
  cpSync(join(ROOT, 'local/scenarios'), join(DIST, 'scenarios'), { recursive: true });
}

/**
 * `tsc` writes the declarations with the sources' extensionless relative imports, which Node's own module
 * resolution (`"moduleResolution": "node16"` in a consumer's tsconfig) does not follow: each becomes the
 * `.js` path of the declaration it names.
 */
function buildDeclarations(): void {
  const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json')], { stdio: 'inherit' });
  const typesDir = join(DIST, 'types');
  for (const file of declarationFiles(typesDir)) {
    const text = readFileSync(file, 'utf8');
    const fixed = text.replace(
      /(\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"]*)\2/g,
      (whole, prefix: string, quote: string, specifier: string) => {
        const target = join(dirname(file), specifier);
        if (existsSync(`${target}.d.ts`)) return `${prefix}${quote}${specifier}.js${quote}`;
        if (existsSync(join(target, 'index.d.ts'))) return `${prefix}${quote}${specifier}/index.js${quote}`;
        if (specifier.endsWith('.js')) return whole;
        throw new Error(`${relative(ROOT, file)}: cannot resolve ${specifier}`);
      },
    );
    writeFileSync(file, fixed);
  }
}

function declarationFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return declarationFiles(path);
    return entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

async function main(): Promise<void> {
  const started = performance.now();
  rmSync(DIST, { recursive: true, force: true });
  mkdirSync(DIST);
  await buildLibrary();
  const handlers = await buildHandlers();
  copyScenarios();
  buildDeclarations();
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  process.stdout.write(
    `dist/: the library, ${handlers.length} handler bundles, scenarios, types (${seconds} s)\n`,
  );
}

const USAGE = `Usage: npm run build [-- --help]

Builds the package into dist/: the library ("." and "./local"), every registered Lambda handler bundled for
Lambda, the built-in scenarios and the type declarations. npm pack runs it (prepack). It takes no options.

Exit codes:
  0  dist/ was built
  1  the build failed (the message says where)
  2  the command line was wrong; nothing was built
`;

const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  process.stdout.write(USAGE);
} else if (args.length > 0) {
  process.stderr.write(
    `npm run build: unknown option ${JSON.stringify(args[0])}; it takes none (see --help)\n`,
  );
  process.exitCode = 2;
} else {
  try {
    await main();
  } catch (error) {
    process.stderr.write(`npm run build: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
