/**
 * One provisioning, offline, from request to report: submits the request through the local API (as a
 * user would, through API Gateway), follows the execution to its end and reads both emulators.
 */
import type { ConnectionString } from '../../lambdas/domain/connectionStrings';
import type { AvailableResult } from '../../lambdas/domain/workflowState';
import type { Leftovers, OfflineEnvironment } from './OfflineEnvironment';

/** What `npm start -- --json` prints (without the fields it leaves out: see `local/cli/start.ts`). */
export interface RunReport {
  readonly scenario: string;
  /** The execution's status; `FAILED` too when the API refused the request and nothing started. */
  readonly status: 'SUCCEEDED' | 'FAILED' | 'ABORTED';
  readonly executionId: string | null;
  readonly connectionStatus: string | null;
  readonly attempts: number;
  readonly vpcEndpointId: string | null;
  /** What a client connects with: the clusters' private endpoint strings through this endpoint. */
  readonly connectionStrings: readonly ConnectionString[];
  /** Why there are fewer strings than clusters, when there is a reason to say (no cluster, a timeout). */
  readonly connectionStringsNote?: string;
  readonly atlasRequests: number;
  readonly awsRequests: number;
  readonly stateTransitions: number;
  /** Virtual seconds from start to end, as the workflow measured them (Wait states included). */
  readonly durationSeconds: number;
  /**
   * What this provisioning created and keeps: its AVAILABLE VPC endpoint and that endpoint's Atlas
   * registration (1 and 1 after a success, 0 and 0 otherwise).
   */
  readonly inPlace: Leftovers;
  /** What remains in either emulator besides that: nothing, unless something was not cleaned up. */
  readonly leftovers: Leftovers;
  readonly error?: { readonly name: string; readonly cause: string };
  /** The API's answer when it refused the request (no execution was started). */
  readonly rejected?: { readonly status: number; readonly body: unknown };
}

interface Attempt {
  readonly vpcEndpointId?: string;
  readonly connectionStatus?: string | null;
}

/** Submits `request` through the local API and waits for the execution to stop. */
export async function runScenario(
  env: OfflineEnvironment,
  options: { readonly scenario?: string; readonly request?: unknown; readonly idempotencyKey?: string } = {},
): Promise<RunReport> {
  const transitionsBefore = env.workflow.stateTransitions;
  const atlasBefore = env.atlas.requestLog.length;
  const awsBefore = env.aws.requests.length;
  const startedAt = env.clock.now();
  const response = await fetch(`${env.api.url}/endpoints`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      ...(options.idempotencyKey ? { 'Idempotency-Key': options.idempotencyKey } : {}),
    },
    body: JSON.stringify(options.request ?? env.request),
  });
  const body = (await response.json()) as { executionArn?: string; executionId?: string };
  const counts = () => ({
    atlasRequests: env.atlas.requestLog.length - atlasBefore,
    awsRequests: env.aws.requests.length - awsBefore,
    stateTransitions: env.workflow.stateTransitions - transitionsBefore,
  });
  const scenario = options.scenario ?? 'custom';
  if (response.status !== 202 || !body.executionArn) {
    return {
      scenario,
      status: 'FAILED',
      executionId: null,
      connectionStatus: null,
      attempts: 0,
      vpcEndpointId: null,
      connectionStrings: [],
      ...counts(),
      durationSeconds: 0,
      ...endpointsAfter(env, null),
      error: { name: `HTTP ${response.status}`, cause: JSON.stringify(body) },
      rejected: { status: response.status, body },
    };
  }
  const execution = await env.aws.waitForExecution(body.executionArn, { timeoutMs: 120_000 });
  const output = execution.output ? (JSON.parse(execution.output) as Partial<AvailableResult>) : undefined;
  const attempts = output?.attempts ?? [];
  const failedAttempts = env.aws.events.filter(
    (e) =>
      e.detailType === 'Atlas Private Endpoint Failed' &&
      (e.detail as { executionName?: string }).executionName === body.executionId,
  );
  const failure = failedAttempts.at(-1)?.detail as { attempts?: Attempt[] } | undefined;
  const allAttempts = attempts.length > 0 ? attempts : (failure?.attempts ?? []);
  const status =
    execution.status === 'SUCCEEDED' || execution.status === 'ABORTED' ? execution.status : 'FAILED';
  return {
    scenario,
    status,
    executionId: body.executionId ?? null,
    connectionStatus: allAttempts.at(-1)?.connectionStatus ?? null,
    attempts: allAttempts.length,
    vpcEndpointId: output?.vpcEndpointId ?? null,
    connectionStrings: output?.connectionStrings ?? [],
    ...(output?.connectionStringsNote ? { connectionStringsNote: output.connectionStringsNote } : {}),
    ...counts(),
    durationSeconds: Math.round((env.clock.now() - startedAt) / 1000),
    ...endpointsAfter(env, status === 'SUCCEEDED' ? (output?.vpcEndpointId ?? null) : null),
    ...(status === 'FAILED'
      ? { error: { name: execution.error ?? 'unknown', cause: execution.cause ?? '' } }
      : {}),
  };
}

/** Splits what the emulators hold into the provisioned endpoint (`kept`, on both sides) and the rest. */
function endpointsAfter(
  env: OfflineEnvironment,
  kept: string | null,
): { inPlace: Leftovers; leftovers: Leftovers } {
  const { vpcEndpointIds, atlasEndpointIds } = env.remaining();
  const count = (ids: readonly string[], wanted: boolean) =>
    ids.filter((id) => (id === kept) === wanted).length;
  return {
    inPlace: { vpcEndpoints: count(vpcEndpointIds, true), atlasEndpoints: count(atlasEndpointIds, true) },
    leftovers: { vpcEndpoints: count(vpcEndpointIds, false), atlasEndpoints: count(atlasEndpointIds, false) },
  };
}
