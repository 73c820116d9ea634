import { fileURLToPath } from 'node:url';

/**
 * Set to `true` by the package build (`npm run build`, esbuild `define`); undeclared when this code runs
 * from this repository's TypeScript sources.
 */
declare const ATLAS_PRIVATELINK_BUILT: boolean | undefined;

/**
 * Whether this code runs from the built package rather than from this repository's sources. The build
 * bundles the library into `dist/` (entry points and their chunks side by side) and ships beside them
 * what the sources keep elsewhere: each Lambda handler already bundled, in `dist/handlers/<module>/`, and
 * the built-in scenarios, in `dist/scenarios/`.
 */
export const builtPackage: boolean = typeof ATLAS_PRIVATELINK_BUILT === 'boolean' && ATLAS_PRIVATELINK_BUILT;

/**
 * The absolute path of something the built package ships in `dist/` (`handlers/checkEndpoint`,
 * `scenarios/`). Meaningful only when {@link builtPackage}: in the bundle, this module's URL is a file
 * directly in `dist/`.
 */
export function shippedPath(relative: string): string {
  return fileURLToPath(new URL(relative, import.meta.url));
}
