/**
 * Scenarios: what the offline emulators do during one provisioning. A scenario is the Atlas emulator's
 * script format (`endpointService`, `attempts`, `deletingPolls`, `faults`, `clusters`) plus `request` (fields
 * merged over the demo request), `ec2.faults`, `credentials` and `existingServices` (what the project has
 * before). Built-in ones ship as files in `local/scenarios/`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { WorkflowHandlers } from '../../infra/handlers';
import { builtPackage, shippedPath } from '../../infra/packageLayout';
import { atlasRegion, awsRegion } from '../../lambdas/regions';
import { type AtlasScript, validateAtlasScript } from '../atlas-emulator';
import type { AwsFault, Ec2IngressRule } from '../aws-emulator';
import { type LambdaFault, lambdaFaultProblems } from '../runner/lambdaFaults';
import { fileProblem } from '../shared/fileProblem';
import { parseJsonText } from '../shared/jsonText';

/**
 * The demo project's clusters when a scenario names none: one replica set in the demo region, whose strings
 * Atlas lists one read after the endpoint is AVAILABLE (`"clusters": []` for a project without clusters).
 */
export const DEMO_CLUSTERS: NonNullable<AtlasScript['clusters']> = [
  { name: 'Cluster0', regions: ['US_EAST_1'], stringsAfterReads: 1 },
];

export interface Scenario extends AtlasScript {
  /** Shown in progress output and in `--json`. */
  readonly name?: string;
  readonly description?: string;
  /** Fields merged over the demo request (set one to `null` to remove it). */
  readonly request?: Readonly<Record<string, unknown>>;
  readonly ec2?: {
    readonly faults?: readonly AwsFault[];
    /** Seconds a new VPC endpoint stays invisible to EC2's reads (eventual consistency). @default 0 */
    readonly visibilityDelaySeconds?: number;
    /** The demo security group's inbound rules. @default - from itself, and TCP 1024–65535 from the VPC */
    readonly securityGroupIngress?: readonly Ec2IngressRule[];
  };
  /** Faults of the Lambda service in the workflow's tasks (throttled, timed-out invocations). */
  readonly lambda?: { readonly faults?: readonly LambdaFault[] };
  /** `wrong`: the secret holds a key Atlas refuses. @default 'valid' */
  readonly credentials?: 'valid' | 'wrong';
  /**
   * AWS endpoint services the project has before the run, AVAILABLE: `region` in either form, the remote
   * regions they support in Atlas's (`EU_WEST_1`). @default - none
   */
  readonly existingServices?: readonly ExistingService[];
  /** What a run of this scenario should end with; the test suite checks every built-in scenario against it. */
  readonly expect?: { readonly status: 'SUCCEEDED' | 'FAILED'; readonly error?: string };
}

export interface ExistingService {
  readonly region: string;
  readonly supportedRemoteRegions?: readonly string[];
}

const SCENARIO_KEYS = new Set([
  'name',
  'description',
  'request',
  'ec2',
  'lambda',
  'credentials',
  'existingServices',
  'expect',
  'endpointService',
  'attempts',
  'deletingPolls',
  'faults',
  'clusters',
  'apiAccessList',
]);

/** A scenario file is refused with every problem named, before anything starts. */
export class ScenarioError extends Error {
  constructor(source: string, problems: readonly string[]) {
    super(`${source} is not a valid scenario: ${problems.join('; ')}`);
    this.name = 'ScenarioError';
  }
}

export function validateScenario(value: unknown, source = 'scenario'): Scenario {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ScenarioError(source, ['expected a JSON object']);
  }
  const scenario = value as Record<string, unknown>;
  const problems: string[] = [];
  for (const key of Object.keys(scenario)) {
    if (!SCENARIO_KEYS.has(key))
      problems.push(`${key}: unknown field; expected one of ${[...SCENARIO_KEYS].join(', ')}`);
  }
  for (const key of ['name', 'description'] as const) {
    if (scenario[key] !== undefined && typeof scenario[key] !== 'string')
      problems.push(`${key}: expected a string`);
  }
  if (
    scenario.request !== undefined &&
    (typeof scenario.request !== 'object' || scenario.request === null || Array.isArray(scenario.request))
  ) {
    problems.push('request: expected an object of request fields');
  }
  if (
    scenario.credentials !== undefined &&
    scenario.credentials !== 'valid' &&
    scenario.credentials !== 'wrong'
  ) {
    problems.push('credentials: expected "valid" or "wrong"');
  }
  const ec2 = scenario.ec2 as { faults?: unknown; visibilityDelaySeconds?: unknown } | undefined;
  if (
    ec2 !== undefined &&
    (typeof ec2 !== 'object' ||
      ec2 === null ||
      Object.keys(ec2).some(
        (k) => !['faults', 'visibilityDelaySeconds', 'securityGroupIngress'].includes(k),
      ) ||
      (ec2.faults !== undefined && !Array.isArray(ec2.faults)))
  ) {
    problems.push(
      'ec2: expected { "faults": [ { "action", "code", "status", "times" } ], "visibilityDelaySeconds": N, "securityGroupIngress": [ { "protocol", "fromPort", "toPort", "cidrs", "groupIds" } ] }',
    );
  }
  if (
    ec2?.visibilityDelaySeconds !== undefined &&
    !(typeof ec2.visibilityDelaySeconds === 'number' && ec2.visibilityDelaySeconds >= 0)
  ) {
    problems.push('ec2.visibilityDelaySeconds: expected a number of seconds ≥ 0');
  }
  const lambda = scenario.lambda as { faults?: unknown } | undefined;
  if (lambda !== undefined) {
    if (typeof lambda !== 'object' || lambda === null || Array.isArray(lambda)) {
      problems.push('lambda: expected { "faults": [ { "function", "error", "times" } ] }');
    } else if (lambda.faults !== undefined) {
      problems.push(...lambdaFaultProblems(lambda.faults, 'lambda.faults', Object.keys(WorkflowHandlers)));
    }
  }
  const ingress = (ec2 as { securityGroupIngress?: unknown } | undefined)?.securityGroupIngress;
  if (
    ingress !== undefined &&
    !(
      Array.isArray(ingress) &&
      ingress.every((r) => typeof r === 'object' && r && typeof r.protocol === 'string')
    )
  ) {
    problems.push(
      'ec2.securityGroupIngress: expected an array of { "protocol", "fromPort", "toPort", "cidrs", "groupIds" }',
    );
  }
  problems.push(...existingServiceProblems(scenario.existingServices));
  const expect = scenario.expect as { status?: unknown } | undefined;
  if (expect !== undefined && expect.status !== 'SUCCEEDED' && expect.status !== 'FAILED') {
    problems.push('expect.status: expected "SUCCEEDED" or "FAILED"');
  }
  if (problems.length > 0) throw new ScenarioError(source, problems);
  try {
    validateAtlasScript(atlasScriptOf(scenario as Scenario), source);
  } catch (error) {
    throw new ScenarioError(source, [error instanceof Error ? error.message : String(error)]);
  }
  return scenario as Scenario;
}

function existingServiceProblems(value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    return ['existingServices: expected an array of { "region", "supportedRemoteRegions" }'];
  }
  return value.flatMap((service: unknown, i): string[] => {
    const at = `existingServices[${i}]`;
    if (typeof service !== 'object' || service === null || Array.isArray(service)) {
      return [`${at}: expected { "region", "supportedRemoteRegions" }`];
    }
    const { region, supportedRemoteRegions, ...rest } = service as Record<string, unknown>;
    const problems = Object.keys(rest).map((key) => `${at}.${key}: unknown field`);
    if (awsRegion(region) === undefined)
      problems.push(`${at}.region: expected an AWS region such as "eu-west-1"`);
    if (
      supportedRemoteRegions !== undefined &&
      !(
        Array.isArray(supportedRemoteRegions) &&
        supportedRemoteRegions.every((r) => typeof r === 'string' && atlasRegion(r) === r)
      )
    ) {
      problems.push(
        `${at}.supportedRemoteRegions: expected AWS regions in Atlas's form, such as "US_EAST_1"`,
      );
    } else if (supportedRemoteRegions?.includes(atlasRegion(region))) {
      problems.push(`${at}.supportedRemoteRegions: the service's own region is not a remote one`);
    }
    return problems;
  });
}

/** The Atlas emulator's part of a scenario. */
export function atlasScriptOf(scenario: Scenario): AtlasScript {
  const { endpointService, attempts, deletingPolls, faults, clusters, apiAccessList } = scenario;
  return {
    ...(endpointService ? { endpointService } : {}),
    ...(attempts ? { attempts } : {}),
    ...(deletingPolls !== undefined ? { deletingPolls } : {}),
    ...(faults ? { faults } : {}),
    clusters: clusters ?? DEMO_CLUSTERS,
    ...(apiAccessList ? { apiAccessList } : {}),
  };
}

// The built package ships them in dist/scenarios/, next to its bundled code.
const SCENARIO_DIR = builtPackage
  ? shippedPath('scenarios/')
  : fileURLToPath(new URL('../scenarios/', import.meta.url));

/** The names of the built-in scenarios (`local/scenarios/<name>.json`). */
export function builtInScenarioNames(): string[] {
  return readdirSync(SCENARIO_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}

export function loadScenarioFile(path: string): Scenario {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ScenarioError(path, [`cannot be read (${fileProblem(error)})`]);
  }
  let parsed: unknown;
  try {
    parsed = parseJsonText(text);
  } catch (error) {
    throw new ScenarioError(path, [(error as Error).message]);
  }
  return validateScenario(parsed, path);
}

export function loadBuiltInScenario(name: string): Scenario {
  if (!builtInScenarioNames().includes(name)) {
    throw new ScenarioError(`--scenario ${name}`, [
      `no such built-in scenario; choose one of ${builtInScenarioNames().join(', ')}`,
    ]);
  }
  return { name, ...loadScenarioFile(`${SCENARIO_DIR}${name}.json`) };
}
