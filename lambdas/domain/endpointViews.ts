/**
 * What the API shows of provisionings: one in full (`GET /endpoints/{id}`) or a page of them
 * (`GET /endpoints`), from the executions (their status, input and output) and, for an endpoint the output
 * does not name yet, the endpoints' tags. Pure; the list's token is ours, wrapping Step Functions' own.
 */
import type { FieldViolation } from '../errors';
import { describeReceived, IdForm } from '../ids';
import { awsRegion } from '../regions';
import { type LifecycleStatus, lifecycleStatus } from './deprovisioning';
import { ManagedTag } from './request';

/** An execution as the adapters describe it. */
export interface ExecutionFacts {
  /** The execution tag the provisioning's endpoints carry. */
  readonly executionArn: string;
  readonly name: string;
  readonly status: string;
  readonly startedAt: string;
  readonly stoppedAt?: string;
  readonly input?: unknown;
  readonly output?: unknown;
  readonly error?: string;
  readonly cause?: string;
}

/** A VPC endpoint as EC2 describes it: its id, state and tags. */
export interface TaggedEndpoint {
  readonly vpcEndpointId: string;
  readonly state: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** One provisioning in the list. */
export interface ProvisioningSummary {
  readonly executionId: string;
  readonly groupId: string | null;
  /** AWS form (`us-east-1`). */
  readonly region: string | null;
  readonly vpcEndpointId: string | null;
  readonly status: LifecycleStatus;
  readonly startedAt: string;
}

const record = (value: unknown): Record<string, unknown> =>
  value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
const matching = (value: unknown, pattern: RegExp): string | null =>
  typeof value === 'string' && pattern.test(value) ? value : null;

/**
 * The endpoint of a provisioning: the one its output recorded, else (while it runs) its latest attempt's
 * endpoint that EC2 still shows, by the execution tag and this deployment's managed-by value.
 */
function endpointOf(
  provisioning: ExecutionFacts,
  tagged: readonly TaggedEndpoint[],
  managedBy: string,
): { readonly vpcEndpointId: string | null; readonly groupId: string | null } {
  const output = record(provisioning.output);
  const recorded = matching(output.vpcEndpointId, IdForm.vpcEndpointId.pattern);
  const ours = tagged
    .filter(
      (e) =>
        e.tags[ManagedTag.execution] === provisioning.executionArn &&
        e.tags[ManagedTag.managedBy] === managedBy &&
        e.state.toLowerCase() !== 'deleted',
    )
    .sort((a, b) => Number(b.tags[ManagedTag.attempt] ?? 0) - Number(a.tags[ManagedTag.attempt] ?? 0));
  const latest = ours[0];
  return {
    vpcEndpointId: recorded ?? latest?.vpcEndpointId ?? null,
    groupId:
      matching(output.groupId, IdForm.groupId.pattern) ??
      matching(latest?.tags[ManagedTag.groupId], IdForm.groupId.pattern),
  };
}

/** One line of `GET /endpoints`. */
export function summarize(args: {
  readonly provisioning: ExecutionFacts;
  readonly deprovisioningStatus?: string | undefined;
  readonly tagged: readonly TaggedEndpoint[];
  readonly managedBy: string;
  readonly deploymentRegion?: string | undefined;
}): ProvisioningSummary {
  const { provisioning } = args;
  const input = record(provisioning.input);
  const endpoint = endpointOf(provisioning, args.tagged, args.managedBy);
  return {
    executionId: provisioning.name,
    groupId: matching(input.groupId, IdForm.groupId.pattern) ?? endpoint.groupId,
    region: awsRegion(input.region) ?? args.deploymentRegion ?? null,
    vpcEndpointId: endpoint.vpcEndpointId,
    status: lifecycleStatus(provisioning.status, args.deprovisioningStatus),
    startedAt: provisioning.startedAt,
  };
}

/**
 * `GET /endpoints/{executionId}`: the provisioning's whole story, its deprovisioning included. `status` stays
 * the execution's (RUNNING, SUCCEEDED, FAILED, …) as it always was; `lifecycleStatus` is the list's status
 * (PROVISIONING, AVAILABLE, FAILED, DELETING, DELETED).
 */
export function provisioningView(args: {
  readonly provisioning: ExecutionFacts;
  readonly deprovisioning?: ExecutionFacts | undefined;
  readonly tagged: readonly TaggedEndpoint[];
  readonly managedBy: string;
  readonly deploymentRegion?: string | undefined;
}): Record<string, unknown> {
  const { provisioning, deprovisioning } = args;
  const summary = summarize({ ...args, deprovisioningStatus: deprovisioning?.status });
  const output = record(provisioning.output);
  return {
    executionId: summary.executionId,
    status: provisioning.status,
    lifecycleStatus: summary.status,
    groupId: summary.groupId,
    region: summary.region,
    vpcEndpointId: summary.vpcEndpointId,
    startedAt: provisioning.startedAt,
    stoppedAt: provisioning.stoppedAt ?? null,
    ...('connectionStrings' in output
      ? {
          connectionStrings: output.connectionStrings,
          clustersNotCovered: output.clustersNotCovered ?? [],
          ...(output.connectionStringsNote ? { connectionStringsNote: output.connectionStringsNote } : {}),
        }
      : {}),
    ...(provisioning.output !== undefined ? { output: provisioning.output } : {}),
    ...(provisioning.error !== undefined
      ? { error: { name: provisioning.error, cause: provisioning.cause ?? '' } }
      : {}),
    deprovisioning: deprovisioning
      ? {
          deprovisioningId: deprovisioning.name,
          status: deprovisioning.status,
          startedAt: deprovisioning.startedAt,
          stoppedAt: deprovisioning.stoppedAt ?? null,
          ...(deprovisioning.output !== undefined ? { output: deprovisioning.output } : {}),
          ...(deprovisioning.error !== undefined
            ? { error: { name: deprovisioning.error, cause: deprovisioning.cause ?? '' } }
            : {}),
        }
      : null,
  };
}

// ---------------------------------------------------------------------------------------------------
// The list's query

export const ListLimits = { defaultLimit: 20, maxLimit: 50 } as const;

/** Step Functions' tokens are at most this long; ours wraps one. */
const MAX_TOKEN_LENGTH = 4096;

/**
 * Checks `limit` and `nextToken` of `GET /endpoints`, every problem named; a token is one this API issued.
 *
 * @example
 * parseListQuery({ limit: '10' }); // { limit: 10 }
 */
export function parseListQuery(
  query: Readonly<Record<string, string | undefined>> | null | undefined,
):
  | { readonly limit: number; readonly stepFunctionsToken?: string }
  | { readonly violations: FieldViolation[] } {
  const violations: FieldViolation[] = [];
  const params = query ?? {};
  for (const key of Object.keys(params)) {
    if (key !== 'limit' && key !== 'nextToken') {
      violations.push({ field: key, message: 'unknown query parameter; expected only limit, nextToken' });
    }
  }
  let limit: number = ListLimits.defaultLimit;
  if (params.limit !== undefined) {
    const value = Number(params.limit);
    if (!/^\d+$/.test(params.limit) || value < 1 || value > ListLimits.maxLimit) {
      violations.push({
        field: 'limit',
        message: `expected an integer from 1 to ${ListLimits.maxLimit}, got ${describeReceived(params.limit)}`,
      });
    } else {
      limit = value;
    }
  }
  let stepFunctionsToken: string | undefined;
  if (params.nextToken !== undefined) {
    stepFunctionsToken = decodeListToken(params.nextToken);
    if (stepFunctionsToken === undefined) {
      violations.push({
        field: 'nextToken',
        message: 'expected the nextToken of a previous page of this list',
      });
    }
  }
  if (violations.length > 0) return { violations };
  return { limit, ...(stepFunctionsToken ? { stepFunctionsToken } : {}) };
}

/** Our `nextToken`: Step Functions' token, wrapped so that a token we did not issue is refused before any call. */
export function encodeListToken(stepFunctionsToken: string): string {
  return Buffer.from(JSON.stringify({ v: 1, sfn: stepFunctionsToken }), 'utf8').toString('base64url');
}

function decodeListToken(token: string): string | undefined {
  if (token.length === 0 || token.length > MAX_TOKEN_LENGTH || !/^[A-Za-z0-9_-]+$/.test(token))
    return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as {
      v?: unknown;
      sfn?: unknown;
    };
    return parsed.v === 1 && typeof parsed.sfn === 'string' && parsed.sfn.length > 0 ? parsed.sfn : undefined;
  } catch {
    return undefined;
  }
}
