/**
 * What synthesis loads: the CDK app bundled the way esbuild would bundle it, every package left out and
 * listed. The app needs aws-cdk-lib, constructs and cdk-nag, and none of the functions' runtime (the AWS
 * SDK, undici, Powertools): those belong in the Lambda bundles.
 */
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

async function packagesImportedBy(entry: string): Promise<{ packages: string[]; sources: string[] }> {
  const result = await build({
    entryPoints: [fileURLToPath(new URL(entry, import.meta.url))],
    bundle: true,
    write: false,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    metafile: true,
    logLevel: 'silent',
  });
  const inputs = Object.values(result.metafile.inputs);
  const packages = new Set(
    inputs.flatMap((input) =>
      input.imports
        .filter((i) => i.external && !i.path.startsWith('node:'))
        .map((i) =>
          i.path
            .split('/')
            .slice(0, i.path.startsWith('@') ? 2 : 1)
            .join('/'),
        ),
    ),
  );
  return { packages: [...packages].sort(), sources: Object.keys(result.metafile.inputs) };
}

describe('the CDK app, bundled', () => {
  it('imports only aws-cdk-lib, constructs and cdk-nag: no AWS SDK, no undici, no Powertools', async () => {
    // Act
    const { packages } = await packagesImportedBy('../../infra/main.ts');

    // Assess
    expect(packages).toStrictEqual(['aws-cdk-lib', 'cdk-nag', 'constructs']);
  });

  it('holds no handler, adapter or Atlas client module', async () => {
    // Act
    const { sources } = await packagesImportedBy('../../infra/main.ts');

    // Assess
    // sdkLimits is the SDK clients' limits as plain numbers, kept apart so that the time budget can read them.
    const runtime = sources.filter((s) =>
      /lambdas\/(adapters\/(?!sdkLimits)|atlas\/(AtlasClient|digest|exchange)|handlers\/(?!environment))/.test(
        s,
      ),
    );
    expect(runtime).toStrictEqual([]);
  });
});
