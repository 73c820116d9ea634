/**
 * The package as people install it. `npm pack` builds it (`prepack`), the tarball goes into a new CDK app
 * in a temporary folder outside this repository that has only aws-cdk-lib, constructs, aws-cdk and cdk-nag,
 * and the app is README's "Use it in your own CDK app" example, read from README so the two cannot drift.
 * Then `cdk synth`, the template and its assets, the entry points' imports, the types, and `./local`.
 *
 * Slow (pack, install, synth: see the timings it prints), so it runs as `npm run test:package`, which
 * `.ci/run` calls after `npm test`. npm installs with --prefer-offline, at the versions this repository locks.
 */
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HandlerFunction } from '../../infra/HandlerFunction';
import { registeredHandlerModules } from '../../infra/handlerRegistry';
import { WorkflowHandlers } from '../../infra/handlers';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const PACKAGE = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
};
const STACK = 'MyAtlasPrivateLink';

let work: string;
let app: string;
let installed: string;
const timings: [string, number][] = [];

// ---------------------------------------------------------------------------------------------------
// README's example

function readmeSection(): string {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Use it in your own CDK app\n');
  if (start < 0) throw new Error('README has no "Use it in your own CDK app" section');
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

function codeBlocks(language: string): string[] {
  const pattern = new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``, 'g');
  return [...readmeSection().matchAll(pattern)].map((m) => m[1] ?? '');
}

/** The packages README's `npm install` line adds besides the tarball. */
function readmePackages(): string[] {
  const line = codeBlocks('sh')
    .flatMap((block) => block.split('\n'))
    .find((l) => l.startsWith('npm install ') && l.includes('$TARBALL'));
  if (!line) throw new Error('README\'s example has no "npm install … $TARBALL" line');
  return line
    .split(/\s+/)
    .slice(2)
    .filter((arg) => !arg.includes('$TARBALL'));
}

// ---------------------------------------------------------------------------------------------------
// Processes

/** The environment of a child process: this one's, without what `npm run` and vitest add to it. */
function childEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^(npm_|VITEST|NODE_OPTIONS$)/i.test(key)),
  );
  return { ...env, CDK_DISABLE_CLI_TELEMETRY: 'true', ...extra };
}

function run(
  label: string,
  command: string,
  args: readonly string[],
  cwd: string,
  options: { readonly env?: Record<string, string>; readonly allowFailure?: boolean } = {},
): SpawnSyncReturns<string> {
  const started = performance.now();
  const result = spawnSync(command, args, {
    cwd,
    env: childEnv(options.env),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  timings.push([label, (performance.now() - started) / 1000]);
  if (!options.allowFailure && result.status !== 0) {
    const tail = (text: string | null) => (text ?? '').split('\n').slice(-40).join('\n');
    throw new Error(
      `${label}: ${command} ${args.join(' ')} exited ${result.status}\n${tail(result.stdout)}\n${tail(result.stderr)}`,
    );
  }
  return result;
}

/** The version this repository has installed, so npm finds it in its cache. */
function lockedVersion(name: string): string {
  return (
    JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }
  ).version;
}

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

// ---------------------------------------------------------------------------------------------------

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'atlas-privatelink-consumer-'));
  run('npm pack (prepack builds dist/)', 'npm', ['pack', '--silent', '--pack-destination', work], ROOT);
  const tarball = join(work, `${PACKAGE.name}-${PACKAGE.version}.tgz`);

  app = join(work, 'my-atlas-app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), `${JSON.stringify({ name: 'my-atlas-app', private: true })}\n`);
  const packages = readmePackages().map((name) => `${name}@${lockedVersion(name)}`);
  run(
    'npm install',
    'npm',
    ['install', '--prefer-offline', '--no-audit', '--no-fund', ...packages, tarball],
    app,
  );
  installed = join(app, 'node_modules', PACKAGE.name);

  const [example] = codeBlocks('js');
  if (!example) throw new Error("README's example has no js block");
  writeFileSync(join(app, 'app.mjs'), example);
  writeFileSync(join(app, 'cdk.json'), `${JSON.stringify({ app: 'node app.mjs' })}\n`);
  run('cdk synth', join(app, 'node_modules/.bin/cdk'), ['synth', '--quiet', '--no-notices'], app);
}, 900_000);

afterAll(() => {
  const lines = timings.map(([label, seconds]) => `  ${seconds.toFixed(1).padStart(6)} s  ${label}`);
  console.log(`package test timings:\n${lines.join('\n')}`);
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the installed package', () => {
  it('ships a Lambda bundle (index.js and its source map) for every registered handler', () => {
    const missing = registeredHandlerModules().filter(
      (module) =>
        !existsSync(join(installed, 'dist/handlers', module, 'index.js')) ||
        !existsSync(join(installed, 'dist/handlers', module, 'index.js.map')),
    );

    expect(registeredHandlerModules().length).toBeGreaterThan(0);
    expect(missing).toStrictEqual([]);
  });

  it('ships byte for byte the bundles NodejsFunction makes from the sources at synth', () => {
    // Prepare: functions as the construct builds them in this repository, bundled by CDK with the local esbuild.
    const app = new App({ outdir: join(work, 'source-synth') });
    const stack = new Stack(app, 'FromSources');
    const modules = [WorkflowHandlers.validateRequest, WorkflowHandlers.checkEndpoint];
    const functions = modules.map(
      (module, i) => new HandlerFunction(stack, `Function${i}`, { module, serviceName: 'package-test' }),
    );

    // Act
    const started = performance.now();
    const assembly = app.synth();
    timings.push([
      'synth from the sources (NodejsFunction bundles 2 handlers)',
      (performance.now() - started) / 1000,
    ]);

    // Assess
    const template = assembly.getStackByName('FromSources').template as {
      Resources: Record<string, { Properties: { Code: { S3Key: string } } }>;
    };
    functions.forEach((fn, i) => {
      const key =
        template.Resources[stack.getLogicalId(fn.node.defaultChild as CfnFunction)]?.Properties.Code.S3Key;
      const synthesized = join(assembly.directory, `asset.${String(key).replace(/\.zip$/, '')}`, 'index.js');
      const shipped = join(installed, 'dist/handlers', modules[i] ?? '', 'index.js');
      expect(sha256(synthesized), modules[i]).toBe(sha256(shipped));
    });
  });

  it('brought no bundler or TypeScript into the app: no esbuild, tsx or typescript', () => {
    const present = ['esbuild', 'tsx', 'typescript'].filter((name) =>
      existsSync(join(app, 'node_modules', name)),
    );

    expect(present).toStrictEqual([]);
  });

  it("uses the app's own aws-cdk-lib and constructs, not a copy of its own", () => {
    expect(existsSync(join(installed, 'node_modules/aws-cdk-lib'))).toBe(false);
    expect(existsSync(join(installed, 'node_modules/constructs'))).toBe(false);
  });
});

describe("GIVEN README's example app, synthesized with `cdk synth` and cdk-nag", () => {
  const template = () =>
    JSON.parse(readFileSync(join(app, 'cdk.out', `${STACK}.template.json`), 'utf8')) as {
      Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
    };
  const ofType = (type: string) => Object.entries(template().Resources).filter(([, r]) => r.Type === type);

  it('THEN the template holds the state machines: the provisioning and its deprovisioning', () => {
    expect(ofType('AWS::StepFunctions::StateMachine')).toHaveLength(2);
  });

  it('THEN every function runs a bundle the package ships, unchanged, with its source map', () => {
    // Prepare: the shipped bundles by content, and the assets cdk synth staged.
    const shipped = new Map(
      registeredHandlerModules().map((module) => [
        sha256(join(installed, 'dist/handlers', module, 'index.js')),
        module,
      ]),
    );
    const assets = JSON.parse(readFileSync(join(app, 'cdk.out', `${STACK}.assets.json`), 'utf8')) as {
      files: Record<string, { source: { path: string; packaging: string } }>;
    };

    // Act
    const functions = ofType('AWS::Lambda::Function').map(([id, fn]) => {
      const code = fn.Properties.Code as { S3Key?: string };
      const asset = assets.files[(code.S3Key ?? '').replace(/\.zip$/, '')];
      const dir = asset ? join(app, 'cdk.out', asset.source.path) : undefined;
      return {
        id,
        handler: fn.Properties.Handler,
        packaging: asset?.source.packaging,
        module:
          dir && existsSync(join(dir, 'index.js')) ? shipped.get(sha256(join(dir, 'index.js'))) : undefined,
        sourceMap: dir ? existsSync(join(dir, 'index.js.map')) : false,
      };
    });

    // Assess
    expect(functions.length).toBeGreaterThan(0);
    for (const fn of functions) {
      expect(fn, fn.id).toMatchObject({ handler: 'index.handler', packaging: 'zip', sourceMap: true });
      expect(fn.module, `${fn.id} runs no shipped bundle`).toBeDefined();
    }
    const modules = functions.map((f) => f.module);
    expect(modules).toEqual(expect.arrayContaining(Object.values(WorkflowHandlers)));
  });

  it('THEN cdk-nag (AwsSolutions) ran and found nothing unacknowledged', () => {
    const report = JSON.parse(readFileSync(join(app, 'cdk.out', 'validation-report.json'), 'utf8')) as {
      pluginReports: { pluginName: string; conclusion: string; violations: unknown[] }[];
    };

    expect(report.pluginReports).toMatchObject([
      { pluginName: 'AwsSolutions', conclusion: 'success', violations: [] },
    ]);
  });
});

// ---------------------------------------------------------------------------------------------------
// The entry points

const RESOLVE_HOOKS = `
import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  appendFileSync(process.env.RESOLVED_LOG, resolved.url + '\\n');
  return resolved;
}
`;

/** Every module URL Node resolves while importing `specifier` in the app (ES module imports). */
function resolvedWhileImporting(specifier: string, label: string): string[] {
  writeFileSync(join(app, 'resolve-hooks.mjs'), RESOLVE_HOOKS);
  writeFileSync(
    join(app, 'record-resolutions.mjs'),
    "import { register } from 'node:module';\nregister('./resolve-hooks.mjs', import.meta.url);\n",
  );
  const log = join(work, `resolved-${label}.log`);
  rmSync(log, { force: true });
  run(
    `import ${specifier} (${label})`,
    process.execPath,
    ['--import', './record-resolutions.mjs', '--input-type=module', '-e', `await import('${specifier}');`],
    app,
    { env: { RESOLVED_LOG: log } },
  );
  return readFileSync(log, 'utf8').split('\n').filter(Boolean);
}

/** The packages among `urls`, by name. */
const packagesOf = (urls: readonly string[]) =>
  [
    ...new Set(
      urls
        .filter((url) => url.includes('/node_modules/') && !url.includes(`/node_modules/${PACKAGE.name}/`))
        .map((url) => {
          const [scopeOrName, name] = url.split('/node_modules/').at(-1)?.split('/') ?? [];
          return scopeOrName?.startsWith('@') ? `${scopeOrName}/${name}` : (scopeOrName ?? '');
        }),
    ),
  ].sort();

describe("GIVEN the app without the offline rig's optional peer, aws-local-stepfunctions", () => {
  it('THEN importing "." loads only aws-cdk-lib, constructs, undici and none of the offline code', () => {
    expect(existsSync(join(app, 'node_modules/aws-local-stepfunctions'))).toBe(false);

    const urls = resolvedWhileImporting(PACKAGE.name, 'root');

    expect(packagesOf(urls)).toStrictEqual(['aws-cdk-lib', 'constructs', 'undici']);
    const ours = urls.filter((url) => url.includes(`/node_modules/${PACKAGE.name}/dist/`));
    expect(ours.length).toBeGreaterThan(0);
    const offline = ours.filter((url) =>
      /\/\/ (local\/|node_modules\/@aws-sdk\/|node_modules\/@aws-lambda-powertools\/)/.test(
        readFileSync(fileURLToPath(url), 'utf8'),
      ),
    );
    expect(offline).toStrictEqual([]);
  });

  it('THEN importing "./local" fails, naming the package to install', () => {
    const result = run(
      'import ./local without aws-local-stepfunctions',
      process.execPath,
      ['--input-type=module', '-e', `await import('${PACKAGE.name}/local');`],
      app,
      { allowFailure: true },
    );

    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("Cannot find package 'aws-local-stepfunctions'");
  });
});

describe('GIVEN the app with aws-local-stepfunctions installed', () => {
  beforeAll(() => {
    const name = 'aws-local-stepfunctions';
    run(
      `npm install ${name}`,
      'npm',
      ['install', '--prefer-offline', '--no-audit', '--no-fund', `${name}@${lockedVersion(name)}`],
      app,
    );
  }, 600_000);

  it('THEN importing "." still does not load it', () => {
    const urls = resolvedWhileImporting(PACKAGE.name, 'root-with-peer');

    expect(urls.some((url) => url.includes('/aws-local-stepfunctions/'))).toBe(false);
  });

  it("THEN README's offline example runs a provisioning that succeeds on its second attempt", () => {
    const [, example] = codeBlocks('js');
    if (!example) throw new Error("README's example has no second js block (./local)");
    writeFileSync(join(app, 'offline.mjs'), example);

    const { stdout } = run('README offline example (./local)', process.execPath, ['offline.mjs'], app, {
      env: { POWERTOOLS_LOG_LEVEL: 'ERROR' },
    });

    expect(stdout.trim()).toBe('SUCCEEDED 2 { vpcEndpoints: 1, atlasEndpoints: 1 }');
  });
});

describe("GIVEN a TypeScript file in the app, checked with Node's own module resolution (node16)", () => {
  it('THEN the declarations type both entry points: correct use compiles, misuse does not', () => {
    writeFileSync(join(app, 'check.mts'), TYPES_CHECK);
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'node16',
          moduleResolution: 'node16',
          target: 'ES2022',
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: [],
        },
        files: ['check.mts'],
      }),
    );

    // This repository's compiler, run from outside: the app itself has no TypeScript.
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc');
    const { status, stdout } = run('tsc on the app', process.execPath, [tsc, '-p', 'tsconfig.json'], app, {
      allowFailure: true,
    });

    expect(stdout).toBe('');
    expect(status).toBe(0);
  });
});

/** Each `@ts-expect-error` fails the check if the declarations were missing (everything `any`). */
const TYPES_CHECK = `import { App, Stack } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import {
  AllowList,
  AtlasPrivateEndpointWorkflow,
  InvalidRequestError,
  type ProvisioningRequestInput,
  SweepSchedule,
  WorkflowEvents,
} from '${PACKAGE.name}';
import { type OfflineEnvironment, startOfflineEnvironment } from '${PACKAGE.name}/local';

const stack = new Stack(new App(), 'Types');
const atlasSecret = secretsmanager.Secret.fromSecretNameV2(stack, 'AtlasSecret', 'atlas/api-key');
const lists = { allowedVpcIds: AllowList.of('vpc-0123456789abcdef0'), allowedGroupIds: AllowList.any() };
const workflow = new AtlasPrivateEndpointWorkflow(stack, 'Workflow', { atlasSecret, ...lists, managedBy: 'team-a' });
new SweepSchedule(stack, 'Sweep', { workflow, atlasSecret });
const arn: string = workflow.stateMachine.stateMachineArn;
// @ts-expect-error atlasSecret is required
new AtlasPrivateEndpointWorkflow(stack, 'NoSecret', { ...lists });
// @ts-expect-error the allow-lists are required
new AtlasPrivateEndpointWorkflow(stack, 'NoLists', { atlasSecret });
// @ts-expect-error managedBy is a string
new AtlasPrivateEndpointWorkflow(stack, 'BadManagedBy', { atlasSecret, ...lists, managedBy: 42 });
const request: ProvisioningRequestInput = { groupId: 'g', region: 'us-east-1', vpcId: 'v', subnetIds: ['s'] };
const fields: readonly string[] = new InvalidRequestError([]).violations.map((v) => v.field);
const available: 'Atlas Private Endpoint Available' = WorkflowEvents.available;
const start: (options?: object) => Promise<OfflineEnvironment> = startOfflineEnvironment;
void [arn, request, fields, available, start];
`;
