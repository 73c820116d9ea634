import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as registry from './handlers';
import { builtPackage, shippedPath } from './packageLayout';

/**
 * Every handler module registered in `infra/handlers.ts`: the values of each export whose name ends in
 * `Handlers` (`WorkflowHandlers`, `ApiHandlers`, …). The package build bundles each of them, and
 * {@link handlerCode} refuses any other, so a handler added to a registry, or a new registry, ships
 * with no other change.
 */
export function registeredHandlerModules(): string[] {
  const modules = Object.entries(registry)
    .filter(([name, value]) => name.endsWith('Handlers') && typeof value === 'object' && value !== null)
    .flatMap(([, group]) => Object.values(group as Record<string, unknown>))
    .filter((module): module is string => typeof module === 'string');
  return [...new Set(modules)].sort();
}

/** Where the built package ships handler `module`, bundled for Lambda: a folder holding `index.js`. */
export function shippedHandlerDir(module: string): string {
  return shippedPath(`handlers/${module}`);
}

/**
 * Where the code of handler `module` comes from. From this repository's sources: its TypeScript entry,
 * which `NodejsFunction` bundles at synth. From the built package: the folder the build bundled it into
 * with the same settings, so a consumer's synth needs neither esbuild nor TypeScript.
 *
 * @throws Error when `module` is not registered in `infra/handlers.ts` (the package would not ship it),
 *   or the built package lacks its bundle.
 */
export function handlerCode(module: string): { readonly entry: string } | { readonly assetDir: string } {
  if (!registeredHandlerModules().includes(module)) {
    throw new Error(
      `handler module "${module}" is not registered in infra/handlers.ts (an export named …Handlers): the package would not ship it`,
    );
  }
  if (!builtPackage) return { entry: registry.handlerEntry(module) };
  const assetDir = shippedHandlerDir(module);
  if (!existsSync(join(assetDir, 'index.js'))) {
    throw new Error(
      `this build of the package ships no bundle for handler "${module}" (${assetDir}): rebuild it`,
    );
  }
  return { assetDir };
}
