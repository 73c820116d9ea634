/**
 * The fault-injection matrix, built from three lists: every external call the workflow makes, every kind
 * of fault, and whether it strikes once or persists. Each cell runs one provisioning in the offline
 * environment (the synthesized state machine, the real handlers and clients, both emulators) and reports
 * what became of it and of what it created.
 */

import { WorkflowHandlers } from '../../infra/handlers';
import { forgetClients } from '../../lambdas/adapters/clients';
import { ErrorName } from '../../lambdas/errors';
import type { AtlasFault, AtlasScript } from '../../local/atlas-emulator';
import { type AwsFault, AwsService } from '../../local/aws-emulator';
import type { OfflineEnvironment } from '../../local/offline/OfflineEnvironment';
import { type RunReport, runScenario } from '../../local/offline/runScenario';
import { sweepOffline } from '../../local/offline/sweepOffline';
import { type LambdaFault, LambdaFaultError } from '../../local/runner/lambdaFaults';

/** Real milliseconds: the functions' client timeouts in the matrix, and the latency injected past them. */
export const MATRIX_TIMEOUT_MS = 200;
export const INJECTED_LATENCY_MS = 600;
/** undici checks its headers timeout on a timer of about one second: Atlas latency must outlast that. */
export const INJECTED_ATLAS_LATENCY_MS = 2500;
/**
 * The Atlas client's own retry budget per operation: short, so a persistent fault reaches the workflow's
 * Retry (and its clean-up loop) at once instead of after 20 s of backoff per pass.
 */
export const MATRIX_RETRY_DEADLINE_MS = 100;
/** Real milliseconds the AWS SDK pauses before each of its own retries (it keeps its 3 attempts). */
export const MATRIX_SDK_RETRY_DELAY_MS = 10;

/** The faults of an AWS or Atlas call. */
export const FaultKind = {
  latency: 'latency',
  reset: 'reset',
  serverError: '500',
  throttling: 'throttling',
  malformed: 'malformed',
} as const;
/** A call's fault, or one of the Lambda service's own faults for a function's invocation. */
export type FaultKind = (typeof FaultKind)[keyof typeof FaultKind] | LambdaFaultError;

export type Persistence = 'once' | 'persistent';

/** An Atlas script, with request fields merged over the demo request. */
export interface MatrixScript extends AtlasScript {
  readonly request?: Readonly<Record<string, unknown>>;
}

/**
 * The Atlas script of every cell: the first registration is REJECTED, so one run makes every call above
 * (the delete-and-retry path included) and succeeds on the second attempt when nothing is injected.
 */
export const MATRIX_SCRIPT: MatrixScript = {
  endpointService: { statuses: ['INITIATING', 'AVAILABLE'] },
  attempts: [
    { statuses: ['PENDING_ACCEPTANCE', 'REJECTED'] },
    { statuses: ['PENDING_ACCEPTANCE', 'AVAILABLE'] },
  ],
  deletingPolls: 1,
};

/** Every registration is rejected and only one attempt is allowed: the provisioning fails, clean-up runs. */
export const FAILING_SCRIPT: MatrixScript = {
  ...MATRIX_SCRIPT,
  attempts: [{ statuses: ['PENDING_ACCEPTANCE', 'REJECTED'] }],
  request: { maxAttempts: 1 },
};

/** An external call (or a function's invocation) and how to make one of its kinds of fault. */
export interface ExternalCall {
  readonly name: string;
  readonly side: 'aws' | 'atlas' | 'lambda';
  /** The kinds of fault it can suffer. */
  readonly kinds: readonly FaultKind[];
  fault(kind: FaultKind, times: number): AwsFault | AtlasFault | LambdaFault;
  /**
   * The Atlas script its cells run, when the standard one would never make the call: clean-up runs only
   * after a failure, so its cells provision an endpoint that is always rejected.
   */
  readonly script?: MatrixScript;
}

const CALL_FAULTS = Object.values(FaultKind);

const awsCall = (service: AwsService, action: string, throttleCode: string, throttleStatus: number) => ({
  name: `${service === AwsService.EC2 ? 'EC2' : 'Secrets Manager'} ${action}`,
  side: 'aws' as const,
  kinds: CALL_FAULTS,
  fault: (kind: FaultKind, times: number): AwsFault => {
    const base = { service, action, times };
    switch (kind) {
      case FaultKind.latency:
        return { ...base, delayMs: INJECTED_LATENCY_MS };
      case FaultKind.reset:
        return { ...base, reset: true };
      case FaultKind.serverError:
        return {
          ...base,
          code: service === AwsService.EC2 ? 'InternalError' : 'InternalServiceError',
          status: 500,
        };
      case FaultKind.throttling:
        return { ...base, code: throttleCode, status: throttleStatus };
      case FaultKind.malformed:
        return { ...base, body: 'malformed' };
      default:
        throw new Error(`${kind} is not a fault of an AWS call`);
    }
  },
});

// Atlas faults match on method and a substring of the path. `endpointService/` (with the slash) is only
// in the paths below a service, so it tells the endpoint registration apart from the service creation;
// the service list is the first GET of every execution, before any endpoint read.
const atlasCall = (name: string, method: string, path: string) => ({
  name: `Atlas ${name}`,
  side: 'atlas' as const,
  kinds: CALL_FAULTS,
  fault: (kind: FaultKind, times: number): AtlasFault => {
    const base = { method, path, times };
    switch (kind) {
      case FaultKind.latency:
        return { ...base, delayMs: INJECTED_ATLAS_LATENCY_MS };
      case FaultKind.reset:
        return { ...base, reset: true };
      case FaultKind.serverError:
        return { ...base, status: 500 };
      case FaultKind.throttling:
        return { ...base, status: 429, retryAfter: 1 };
      case FaultKind.malformed:
        return { ...base, body: 'malformed' };
      default:
        throw new Error(`${kind} is not a fault of an Atlas call`);
    }
  },
});

/** A workflow function whose invocations the Lambda service throttles, fails or times out. */
const lambdaCall = (handler: string): ExternalCall => ({
  name: `Lambda ${handler}`,
  side: 'lambda',
  kinds: Object.values(LambdaFaultError),
  fault: (kind, times) => ({ function: handler, error: kind as LambdaFaultError, times }),
  ...(handler === 'cleanUp' ? { script: FAILING_SCRIPT } : {}),
});

export const EXTERNAL_CALLS: readonly ExternalCall[] = [
  awsCall(AwsService.SECRETS_MANAGER, 'GetSecretValue', 'ThrottlingException', 400),
  awsCall(AwsService.EC2, 'CreateVpcEndpoint', 'RequestLimitExceeded', 503),
  awsCall(AwsService.EC2, 'DescribeVpcEndpoints', 'RequestLimitExceeded', 503),
  awsCall(AwsService.EC2, 'DeleteVpcEndpoints', 'RequestLimitExceeded', 503),
  atlasCall('read service', 'GET', '/endpointService'),
  atlasCall('create endpoint', 'POST', 'endpointService/'),
  atlasCall('read endpoint', 'GET', '/endpoint/vpce-'),
  atlasCall('delete endpoint', 'DELETE', '/endpoint/vpce-'),
  ...Object.keys(WorkflowHandlers).map(lambdaCall),
];

export interface Cell {
  readonly call: ExternalCall;
  readonly kind: FaultKind;
  readonly persistence: Persistence;
  /**
   * The persistent fault lifts after the first deletion pass or when clean-up starts (marked †). Only for
   * latency on the Atlas endpoint reads and deletes: the deletion loops would otherwise spend their whole
   * 900-second bound (180 passes of a real second-long timeout each) before giving up.
   */
  readonly liftAtCleanUp: boolean;
}

const LIFT_AT_CLEAN_UP = new Set(['Atlas read endpoint', 'Atlas delete endpoint']);

export const cellName = (cell: Cell): string => `${cell.call.name} × ${cell.kind} × ${cell.persistence}`;

export function buildMatrix(calls: readonly ExternalCall[] = EXTERNAL_CALLS): Cell[] {
  return calls.flatMap((call) =>
    call.kinds.flatMap((kind) =>
      (['once', 'persistent'] as const).map((persistence) => ({
        call,
        kind,
        persistence,
        liftAtCleanUp:
          persistence === 'persistent' && kind === FaultKind.latency && LIFT_AT_CLEAN_UP.has(call.name),
      })),
    ),
  );
}

/** What the environment's `onEvent` calls: set per cell. */
export const cellEvents: { onStateEntered?: (state: string) => void } = {};

/**
 * Error names a failed execution may end with: the project's typed errors, and the Lambda service's own
 * when it fails every retry of a function's invocation. No `States.*` is accepted.
 */
export const TYPED_ERROR_NAMES: ReadonlySet<string> = new Set([
  ...Object.values(ErrorName),
  ...Object.values(LambdaFaultError),
]);

export interface CellResult {
  readonly cell: Cell;
  readonly status: RunReport['status'];
  readonly error?: string;
  /** How many times the fault fired. */
  readonly hits: number;
  /** What the execution left in EC2 / Atlas when it stopped. */
  readonly leftovers: { readonly vpcEndpoints: number; readonly atlasEndpoints: number };
  /** Who removed what a failed execution created: its own clean-up, or the sweep once the fault lifted. */
  readonly cleanedBy: 'nothing to clean' | 'workflow' | 'sweep' | 'NOT CLEANED';
  /** Left after the sweep (for a success: its endpoint, 1 / 1). */
  readonly after: { readonly vpcEndpoints: number; readonly atlasEndpoints: number };
  readonly ms: number;
  readonly pass: boolean;
}

let cellNumber = 0;

/** Runs one cell in `env` (reset first): arms the fault, provisions, sweeps if it must, and judges. */
export async function runCell(env: OfflineEnvironment, cell: Cell): Promise<CellResult> {
  const started = Date.now();
  env.atlas.reset();
  env.aws.reset();
  // A new client per cell, like a cold start: the secret is read again (and the Secrets faults can fire).
  forgetClients();
  env.lambdaFaults.clear();
  const { request, ...script } = cell.call.script ?? MATRIX_SCRIPT;
  const fault = cell.call.fault(cell.kind, cell.persistence === 'once' ? 1 : -1);
  const faults: AtlasFault[] = cell.call.side === 'atlas' ? [fault as AtlasFault] : [];
  env.atlas.setScript({ ...script, faults });
  if (cell.call.side === 'aws') env.aws.addFault(fault as AwsFault);
  if (cell.call.side === 'lambda') env.lambdaFaults.add(fault as LambdaFault);

  cellEvents.onStateEntered = cell.liftAtCleanUp
    ? (state) => {
        if (state === 'Start clean-up' || state === 'Wait for deletion') env.atlas.setScript(script);
      }
    : undefined;
  cellNumber += 1;
  const report = await runScenario(env, {
    idempotencyKey: `fault-matrix-${cellNumber}`,
    request: { ...env.request, ...request },
  });
  cellEvents.onStateEntered = undefined;
  const hits = countHits(env, cell);
  const leftovers = env.leftovers();

  const created = env.aws.requests.some((r) => r.action === 'CreateVpcEndpoint' && r.status === 200);

  // Lift the fault, then let the sweep find whatever the execution could not remove.
  env.atlas.setScript(script);
  env.aws.clearFaults();
  env.lambdaFaults.clear();
  let after = leftovers;
  let cleanedBy: CellResult['cleanedBy'] = 'nothing to clean';
  if (report.status === 'FAILED' && leftovers.vpcEndpoints + leftovers.atlasEndpoints > 0) {
    await sweepOffline(env);
    after = env.leftovers();
    cleanedBy = after.vpcEndpoints + after.atlasEndpoints === 0 ? 'sweep' : 'NOT CLEANED';
  } else if (report.status === 'FAILED' && created) {
    cleanedBy = 'workflow';
  }
  // A fault that strikes once never changes the outcome: the standard script succeeds (one endpoint, one
  // registration, nothing else), the failing one fails as scripted and leaves nothing. A persistent fault
  // may fail the execution, but only with a typed error, and nothing it created outlives it.
  const nothingLeft = after.vpcEndpoints === 0 && after.atlasEndpoints === 0;
  const pass =
    cell.persistence === 'once'
      ? cell.call.script
        ? report.status === 'FAILED' && report.error?.name === ErrorName.AttemptsExhausted && nothingLeft
        : report.status === 'SUCCEEDED' && leftovers.vpcEndpoints === 1 && leftovers.atlasEndpoints === 1
      : report.status === 'SUCCEEDED'
        ? !cell.call.script && leftovers.vpcEndpoints === 1 && leftovers.atlasEndpoints === 1
        : TYPED_ERROR_NAMES.has(report.error?.name ?? '') && nothingLeft;
  return {
    cell,
    status: report.status,
    ...(report.error ? { error: report.error.name } : {}),
    hits,
    leftovers,
    cleanedBy,
    after,
    ms: Date.now() - started,
    pass,
  };
}

/** How many requests the fault struck (for Atlas: requests it matched, the first of which it always strikes). */
function countHits(env: OfflineEnvironment, cell: Cell): number {
  if (cell.call.side === 'lambda') return env.lambdaFaults.hits;
  if (cell.call.side === 'aws') return env.aws.faultHits();
  const fault = cell.call.fault(cell.kind, 1) as AtlasFault;
  return env.atlas.requestLog.filter((e) => e.method === fault.method && e.path.includes(fault.path ?? ''))
    .length;
}

/** The matrix as a table, one row per call and fault, once and persistent side by side. */
export function renderMatrix(results: readonly CellResult[]): string {
  const show = (r: CellResult | undefined) => {
    if (!r) return '-';
    const outcome = r.status === 'SUCCEEDED' ? 'SUCCEEDED' : `FAILED ${r.error}`;
    const clean = r.status === 'FAILED' ? ` [${r.cleanedBy}]` : '';
    const marks = `${r.cell.liftAtCleanUp ? ' †' : ''}`;
    return `${r.pass ? 'ok' : 'FAIL'} ${outcome}${clean} ×${r.hits}${marks}`;
  };
  const rows: string[][] = [['call', 'fault', 'once', 'persistent']];
  for (const call of new Set(results.map((r) => r.cell.call))) {
    for (const kind of call.kinds) {
      const of = (p: Persistence) =>
        results.find((r) => r.cell.call === call && r.cell.kind === kind && r.cell.persistence === p);
      if (!of('once') && !of('persistent')) continue;
      rows.push([call.name, kind, show(of('once')), show(of('persistent'))]);
    }
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const line = (row: string[]) => row.map((c, i) => c.padEnd(widths[i]!)).join(' | ');
  const passed = results.filter((r) => r.pass).length;
  return [
    line(rows[0]!),
    widths.map((w) => '-'.repeat(w)).join('-|-'),
    ...rows.slice(1).map(line),
    `${passed}/${results.length} cells pass. ×n: requests the fault struck; [who cleaned up]; † the fault lifted when clean-up began.`,
  ].join('\n');
}
