import { readFile } from 'node:fs/promises';
import { ConnectionStatus, EndpointServiceStatus } from '../../lambdas/atlas/types';
import { awsRegionForms } from '../../lambdas/regions';
import { fileProblem } from '../shared/fileProblem';
import { parseJsonText } from '../shared/jsonText';
import { AtlasScriptError } from './errors';

/**
 * One step of a per-read script: a status, or a status (under `F`, `connectionStatus` or `status`) with the
 * `errorMessage` Atlas reports beside it.
 */
export type StatusStep<F extends string, S extends string> =
  | S
  | ({ readonly [K in F]: S } & { readonly errorMessage?: string | null });

/** One step of a time-based script, `atSeconds` after the registration or creation (by the emulator's clock). */
export type TimelineStep<F extends string, S extends string> = { readonly atSeconds: number } & {
  readonly [K in F]: S;
} & { readonly errorMessage?: string | null };

/**
 * How one scripted resource behaves, in one of two forms: `statuses`, what successive reads return (the last
 * entry repeats), or `timeline`, what a read returns by the time since the resource appeared (each read shows
 * the last step whose `atSeconds` has passed; the first step must be at 0).
 */
export interface StatusScript<F extends string, S extends string> {
  readonly statuses?: readonly StatusStep<F, S>[];
  readonly timeline?: readonly TimelineStep<F, S>[];
}

export type ConnectionStatusStep = StatusStep<'connectionStatus', ConnectionStatus>;
export type ConnectionTimelineStep = TimelineStep<'connectionStatus', ConnectionStatus>;
/**
 * How one registration (`POST …/endpoint`) behaves. Give exactly one of `statuses` or `timeline`; with
 * `statuses`, the creation response and the first read show `statuses[0]`, the second read `statuses[1]`, …
 *
 * For Azure and GCP registrations the AWS statuses are translated: `NONE`, `PENDING_ACCEPTANCE`, `PENDING`
 * → `INITIATING`; `REJECTED` → `FAILED`; `AVAILABLE` and `DELETING` unchanged.
 */
export interface AtlasAttemptScript extends StatusScript<'connectionStatus', ConnectionStatus> {
  /**
   * Eventual consistency: reads of the registration within this many seconds (by the emulator's clock) of
   * its creation answer 404, as if the registration were not visible yet. `statuses` count the reads that
   * find it; a `timeline` still counts from the registration.
   * @default 0
   */
  readonly notFoundForSeconds?: number;
}

export type EndpointServiceStatusStep = StatusStep<'status', EndpointServiceStatus>;
export type EndpointServiceTimelineStep = TimelineStep<'status', EndpointServiceStatus>;
/**
 * How an endpoint service behaves after `POST …/endpointService` (whose response is always `INITIATING`,
 * with `endpointServiceName: null`). Give at most one of `statuses` or `timeline`; `statuses` counts reads
 * (`GET` of the service, or of the provider's list). @default - {@link DEFAULT_ENDPOINT_SERVICE_STATUSES}
 */
export interface AtlasEndpointServiceScript extends StatusScript<'status', EndpointServiceStatus> {
  /**
   * Atlas removes an AWS endpoint service together with its last interface endpoint: once the deletion of
   * its last endpoint completes, the service reads `DELETING` (for `deletingPolls` reads), then 404.
   * @default false
   */
  readonly removeWithLastEndpoint?: boolean;
  /**
   * What an AWS service shows after a `PATCH` that changes its `supportedRemoteRegions`: the PATCH's answer
   * shows the first step, successive reads the next ones; the last repeats. While a step is not AVAILABLE or
   * WAITING_FOR_USER, the regions it added are not usable yet (EC2 refuses `ServiceRegion` from them).
   * @default ['INITIATING', 'AVAILABLE']
   */
  readonly afterUpdate?: readonly EndpointServiceStatusStep[];
}

/**
 * A fault injected before normal handling (before authentication: a load balancer or rate limiter in front of
 * Atlas answers regardless of credentials). The first fault whose `method` and `path` match the request is
 * used, and only matched requests count down its `times`.
 */
export interface AtlasFault {
  /** HTTP method to match, case-insensitive. @default - any method */
  readonly method?: string;
  /** Substring of the request-target (path and query) to match. @default - any path */
  readonly path?: string;
  /** Status to answer with (an ApiError body). @default - 200 with `body: 'malformed'`, else normal handling */
  readonly status?: number;
  /** `errorCode` of the ApiError body. @default - RATE_LIMITED for 429, SERVICE_UNAVAILABLE for 503, UNEXPECTED_ERROR otherwise */
  readonly errorCode?: string;
  /** `detail` of the ApiError body. @default - a message naming the fault */
  readonly detail?: string;
  /** Seconds for a `Retry-After` header. @default - no header */
  readonly retryAfter?: number;
  /** Real milliseconds (not the emulator clock) to wait before answering or handling normally. @default 0 */
  readonly delayMs?: number;
  /** Destroy the socket instead of answering (after `delayMs`). @default false */
  readonly reset?: boolean;
  /** `'malformed'`: answer with a body that is not JSON (status 200 unless `status` is given). */
  readonly body?: 'malformed';
  /** How many matching requests the fault applies to; omitted or -1 means forever. */
  readonly times?: number;
}

/**
 * A cluster of the project (every project the emulator serves has the same ones), answered by
 * `GET /groups/{groupId}/clusters[/{name}]` in the `application/vnd.atlas.2024-08-05+json` schema.
 */
export interface AtlasClusterScript {
  /** The cluster's name (`^[a-zA-Z0-9][a-zA-Z0-9-]*$`), unique in the script. */
  readonly name: string;
  /** Atlas's names of the AWS regions it has nodes in (`US_EAST_1`, …); the first is the highest priority. */
  readonly regions: readonly string[];
  /** @default 'REPLICASET' (strings of type MONGOD); SHARDED answers MONGOS strings with a shard-optimized SRV string */
  readonly type?: 'REPLICASET' | 'SHARDED';
  /**
   * Private endpoint connection strings appear once an endpoint is AVAILABLE in every region of the cluster,
   * and then only after this many reads of the cluster (the list or the cluster itself) have not shown them:
   * Atlas adds them minutes after the endpoint is AVAILABLE.
   * @default 0 - on the first read after every region has an AVAILABLE endpoint
   */
  readonly stringsAfterReads?: number;
}

/**
 * Scripted behaviour of the Atlas emulator, a JSON document. Every field is optional.
 *
 * @example
 * {
 *   "endpointService": { "statuses": ["INITIATING", "AVAILABLE"] },
 *   "attempts": [
 *     { "statuses": ["PENDING_ACCEPTANCE", { "connectionStatus": "REJECTED", "errorMessage": "Failed to accept" }] },
 *     { "timeline": [{ "atSeconds": 0, "connectionStatus": "PENDING_ACCEPTANCE" }, { "atSeconds": 60, "connectionStatus": "AVAILABLE" }] }
 *   ],
 *   "deletingPolls": 2,
 *   "faults": [{ "method": "GET", "path": "/endpoint/", "status": 429, "retryAfter": 2, "times": 1 }]
 * }
 */
export interface AtlasScript {
  /** @default - {@link DEFAULT_ENDPOINT_SERVICE_STATUSES} per read */
  readonly endpointService?: AtlasEndpointServiceScript;
  /**
   * `attempts[i]` is the i-th registration in one project (and provider), counting from 0, whichever of its
   * endpoint services it goes to (a service Atlas removed and the workflow created again included); the last
   * attempt's behaviour repeats for further registrations.
   * @default - every registration reads {@link DEFAULT_ATTEMPT_STATUSES}
   */
  readonly attempts?: readonly AtlasAttemptScript[];
  /**
   * How many reads a deleted endpoint (or endpoint service) answers with `DELETING` before it is gone (404).
   * @default 2
   */
  readonly deletingPolls?: number;
  /** @default - no faults */
  readonly faults?: readonly AtlasFault[];
  /** The clusters of every project. @default - none: a project without clusters */
  readonly clusters?: readonly AtlasClusterScript[];
  /**
   * An organization that requires an API access list: every API call (after authentication; the OAuth token
   * endpoint is open to any address, as in Atlas) from `callerIp` — the address Atlas sees, e.g. a NAT
   * gateway's — is refused with 403 `IP_ADDRESS_NOT_ON_ACCESS_LIST` unless an entry of `allowed` (an address
   * or an IPv4 CIDR) covers it.
   * @default - no access list
   */
  readonly apiAccessList?: { readonly allowed: readonly string[]; readonly callerIp: string };
}

export const DEFAULT_ENDPOINT_SERVICE_STATUSES: readonly EndpointServiceStatus[] = [
  'INITIATING',
  'AVAILABLE',
];
export const DEFAULT_AFTER_UPDATE_STATUSES: readonly EndpointServiceStatus[] = ['INITIATING', 'AVAILABLE'];
export const DEFAULT_ATTEMPT_STATUSES: readonly ConnectionStatus[] = [
  'PENDING_ACCEPTANCE',
  'PENDING',
  'AVAILABLE',
];
export const DEFAULT_DELETING_POLLS = 2;

const connectionStatuses = Object.values(ConnectionStatus) as string[];
const serviceStatuses = Object.values(EndpointServiceStatus) as string[];

class Problems {
  readonly list: string[] = [];
  add(path: string, message: string, received?: unknown): void {
    this.list.push(
      received === undefined ? `${path}: ${message}` : `${path}: ${message}; received ${show(received)}`,
    );
  }
}

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return String(value);
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function checkKeys(
  p: Problems,
  path: string,
  value: Record<string, unknown>,
  allowed: readonly string[],
): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) p.add(path, `unknown field "${key}" (allowed: ${allowed.join(', ')})`);
  }
}

function checkErrorMessage(p: Problems, path: string, value: unknown): void {
  if (value !== undefined && value !== null && typeof value !== 'string') {
    p.add(`${path}.errorMessage`, 'expected a string or null', value);
  }
}

function checkSteps(
  p: Problems,
  path: string,
  steps: unknown,
  statusField: 'connectionStatus' | 'status',
  allowedStatuses: readonly string[],
): void {
  if (!Array.isArray(steps) || steps.length === 0) {
    p.add(path, 'expected a non-empty array', steps);
    return;
  }
  steps.forEach((step, i) => {
    const at = `${path}[${i}]`;
    if (typeof step === 'string') {
      if (!allowedStatuses.includes(step)) p.add(at, `expected one of ${allowedStatuses.join(', ')}`, step);
      return;
    }
    if (!isObject(step)) {
      p.add(at, `expected a status string or {${statusField}, errorMessage}`, step);
      return;
    }
    checkKeys(p, at, step, [statusField, 'errorMessage']);
    if (!allowedStatuses.includes(step[statusField] as string)) {
      p.add(`${at}.${statusField}`, `expected one of ${allowedStatuses.join(', ')}`, step[statusField]);
    }
    checkErrorMessage(p, at, step.errorMessage);
  });
}

function checkTimeline(
  p: Problems,
  path: string,
  steps: unknown,
  statusField: 'connectionStatus' | 'status',
  allowedStatuses: readonly string[],
): void {
  if (!Array.isArray(steps) || steps.length === 0) {
    p.add(path, 'expected a non-empty array', steps);
    return;
  }
  let previous = -1;
  steps.forEach((step, i) => {
    const at = `${path}[${i}]`;
    if (!isObject(step)) {
      p.add(at, `expected {atSeconds, ${statusField}, errorMessage?}`, step);
      return;
    }
    checkKeys(p, at, step, ['atSeconds', statusField, 'errorMessage']);
    const seconds = step.atSeconds;
    if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) {
      p.add(`${at}.atSeconds`, 'expected a number of seconds ≥ 0', seconds);
    } else {
      if (i === 0 && seconds !== 0) p.add(`${at}.atSeconds`, 'the first step must be at 0', seconds);
      if (seconds <= previous)
        p.add(`${at}.atSeconds`, `must be greater than the previous step's ${previous}`, seconds);
      previous = seconds;
    }
    if (!allowedStatuses.includes(step[statusField] as string)) {
      p.add(`${at}.${statusField}`, `expected one of ${allowedStatuses.join(', ')}`, step[statusField]);
    }
    checkErrorMessage(p, at, step.errorMessage);
  });
}

function checkStatusesOrTimeline(
  p: Problems,
  path: string,
  value: unknown,
  statusField: 'connectionStatus' | 'status',
  allowedStatuses: readonly string[],
  required: boolean,
  extras: Readonly<Record<string, (value: unknown) => string | undefined>> = {},
): void {
  if (!isObject(value)) {
    p.add(path, 'expected an object with "statuses" or "timeline"', value);
    return;
  }
  checkKeys(p, path, value, ['statuses', 'timeline', ...Object.keys(extras)]);
  for (const [key, check] of Object.entries(extras)) {
    const problem = value[key] === undefined ? undefined : check(value[key]);
    if (problem) p.add(`${path}.${key}`, problem, value[key]);
  }
  const hasStatuses = value.statuses !== undefined;
  const hasTimeline = value.timeline !== undefined;
  if (hasStatuses && hasTimeline) p.add(path, 'give either "statuses" or "timeline", not both');
  if (required && !hasStatuses && !hasTimeline) p.add(path, 'give "statuses" or "timeline"');
  if (hasStatuses) checkSteps(p, `${path}.statuses`, value.statuses, statusField, allowedStatuses);
  if (hasTimeline) checkTimeline(p, `${path}.timeline`, value.timeline, statusField, allowedStatuses);
}

const faultKeys = [
  'method',
  'path',
  'status',
  'errorCode',
  'detail',
  'retryAfter',
  'delayMs',
  'reset',
  'body',
  'times',
];

function checkFault(p: Problems, path: string, fault: unknown): void {
  if (!isObject(fault)) {
    p.add(path, 'expected an object', fault);
    return;
  }
  checkKeys(p, path, fault, faultKeys);
  for (const key of ['method', 'path', 'errorCode', 'detail'] as const) {
    if (fault[key] !== undefined && typeof fault[key] !== 'string')
      p.add(`${path}.${key}`, 'expected a string', fault[key]);
  }
  const { status, retryAfter, delayMs, reset, body, times } = fault;
  if (
    status !== undefined &&
    !(Number.isInteger(status) && (status as number) >= 200 && (status as number) <= 599)
  ) {
    p.add(`${path}.status`, 'expected an HTTP status from 200 to 599', status);
  }
  if (retryAfter !== undefined && !(Number.isInteger(retryAfter) && (retryAfter as number) >= 0)) {
    p.add(`${path}.retryAfter`, 'expected a whole number of seconds ≥ 0', retryAfter);
  }
  if (delayMs !== undefined && !(typeof delayMs === 'number' && Number.isFinite(delayMs) && delayMs >= 0)) {
    p.add(`${path}.delayMs`, 'expected a number of milliseconds ≥ 0', delayMs);
  }
  if (reset !== undefined && typeof reset !== 'boolean')
    p.add(`${path}.reset`, 'expected true or false', reset);
  if (body !== undefined && body !== 'malformed') p.add(`${path}.body`, 'expected "malformed"', body);
  if (times !== undefined && !(Number.isInteger(times) && ((times as number) >= 1 || times === -1))) {
    p.add(`${path}.times`, 'expected a whole number ≥ 1, or -1 for forever', times);
  }
  if (status === undefined && delayMs === undefined && reset !== true && body === undefined) {
    p.add(path, 'does nothing: give at least one of status, delayMs, reset: true, body');
  }
}

const CLUSTER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9-]{0,63}$/;

function checkClusters(p: Problems, path: string, clusters: unknown): void {
  if (!Array.isArray(clusters)) {
    p.add(path, 'expected an array of {name, regions, type?, stringsAfterReads?}', clusters);
    return;
  }
  const names = new Set<string>();
  clusters.forEach((cluster, i) => {
    const at = `${path}[${i}]`;
    if (!isObject(cluster)) {
      p.add(at, 'expected {name, regions, type?, stringsAfterReads?}', cluster);
      return;
    }
    checkKeys(p, at, cluster, ['name', 'regions', 'type', 'stringsAfterReads']);
    if (typeof cluster.name !== 'string' || !CLUSTER_NAME.test(cluster.name)) {
      p.add(
        `${at}.name`,
        'expected a cluster name: letters, digits and "-", starting with a letter or digit',
        cluster.name,
      );
    } else if (names.has(cluster.name)) {
      p.add(`${at}.name`, 'another cluster has this name', cluster.name);
    } else {
      names.add(cluster.name);
    }
    const regions = cluster.regions;
    if (!Array.isArray(regions) || regions.length === 0) {
      p.add(
        `${at}.regions`,
        'expected a non-empty array of Atlas AWS region names such as "US_EAST_1"',
        regions,
      );
    } else {
      regions.forEach((region, r) => {
        if (awsRegionForms(region)?.atlas !== region)
          p.add(`${at}.regions[${r}]`, 'expected an Atlas AWS region name such as "US_EAST_1"', region);
      });
      if (new Set(regions).size !== regions.length) p.add(`${at}.regions`, 'expected distinct regions');
    }
    if (cluster.type !== undefined && cluster.type !== 'REPLICASET' && cluster.type !== 'SHARDED') {
      p.add(`${at}.type`, 'expected "REPLICASET" or "SHARDED"', cluster.type);
    }
    const reads = cluster.stringsAfterReads;
    if (reads !== undefined && !(Number.isInteger(reads) && (reads as number) >= 0)) {
      p.add(`${at}.stringsAfterReads`, 'expected a whole number ≥ 0', reads);
    }
  });
}

/**
 * Checks that `value` is a well-formed {@link AtlasScript} and returns it typed. Collects every problem and
 * throws one {@link AtlasScriptError} naming each field (`script.attempts[1].statuses[0]: …`).
 *
 * @param source - what the script came from, for the message (a file name)
 * @example
 * const script = validateAtlasScript(JSON.parse(text), 'scripts/rejected-once.json');
 */
export function validateAtlasScript(value: unknown, source = 'script'): AtlasScript {
  const p = new Problems();
  const root = 'script';
  if (!isObject(value)) {
    p.add(root, 'expected a JSON object', value);
    throw new AtlasScriptError(source, p.list);
  }
  checkKeys(p, root, value, [
    'endpointService',
    'attempts',
    'deletingPolls',
    'faults',
    'clusters',
    'apiAccessList',
  ]);
  if (value.clusters !== undefined) checkClusters(p, `${root}.clusters`, value.clusters);
  const accessList = value.apiAccessList;
  if (accessList !== undefined) {
    const ok =
      isObject(accessList) &&
      Array.isArray(accessList.allowed) &&
      accessList.allowed.every((a) => typeof a === 'string') &&
      typeof accessList.callerIp === 'string';
    if (!ok)
      p.add(
        `${root}.apiAccessList`,
        'expected { "allowed": ["<ip or cidr>", …], "callerIp": "<ip>" }',
        accessList,
      );
  }
  if (value.endpointService !== undefined) {
    checkStatusesOrTimeline(
      p,
      `${root}.endpointService`,
      value.endpointService,
      'status',
      serviceStatuses,
      false,
      {
        removeWithLastEndpoint: (v) => (typeof v === 'boolean' ? undefined : 'expected true or false'),
        afterUpdate: () => undefined,
      },
    );
    const afterUpdate = (value.endpointService as Record<string, unknown> | undefined)?.afterUpdate;
    if (afterUpdate !== undefined) {
      checkSteps(p, `${root}.endpointService.afterUpdate`, afterUpdate, 'status', serviceStatuses);
    }
  }
  if (value.attempts !== undefined) {
    if (!Array.isArray(value.attempts) || value.attempts.length === 0) {
      p.add(`${root}.attempts`, 'expected a non-empty array', value.attempts);
    } else {
      value.attempts.forEach((attempt, i) => {
        checkStatusesOrTimeline(
          p,
          `${root}.attempts[${i}]`,
          attempt,
          'connectionStatus',
          connectionStatuses,
          true,
          {
            notFoundForSeconds: (v) =>
              typeof v === 'number' && Number.isFinite(v) && v >= 0
                ? undefined
                : 'expected a number of seconds ≥ 0',
          },
        );
      });
    }
  }
  const polls = value.deletingPolls;
  if (polls !== undefined && !(Number.isInteger(polls) && (polls as number) >= 0)) {
    p.add(`${root}.deletingPolls`, 'expected a whole number ≥ 0', polls);
  }
  if (value.faults !== undefined) {
    if (!Array.isArray(value.faults)) p.add(`${root}.faults`, 'expected an array', value.faults);
    else {
      value.faults.forEach((fault, i) => {
        checkFault(p, `${root}.faults[${i}]`, fault);
      });
    }
  }
  if (p.list.length > 0) throw new AtlasScriptError(source, p.list);
  return value as AtlasScript;
}

/**
 * Reads and validates a script file (JSON).
 *
 * @example
 * const script = await loadAtlasScript('scripts/slow-acceptance.json');
 */
export async function loadAtlasScript(file: string): Promise<AtlasScript> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new AtlasScriptError(file, [`cannot be read (${fileProblem(error)})`], { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = parseJsonText(text);
  } catch (error) {
    throw new AtlasScriptError(file, [(error as Error).message], { cause: error });
  }
  return validateAtlasScript(parsed, file);
}

/** A step of either form, normalised. */
export interface ResolvedStep<S extends string> {
  readonly status: S;
  readonly errorMessage: string | null;
}

/** A per-read or time-based sequence, normalised; `timeline` steps carry their second offsets. */
export type ResolvedBehaviour<S extends string> =
  | { readonly kind: 'reads'; readonly steps: readonly ResolvedStep<S>[] }
  | {
      readonly kind: 'timeline';
      readonly steps: readonly (ResolvedStep<S> & { readonly atSeconds: number })[];
    };

/** The behaviour of the `attemptIndex`-th registration (the last scripted attempt's repeats). */
export function resolveAttempt(
  script: AtlasScript,
  attemptIndex: number,
): ResolvedBehaviour<ConnectionStatus> {
  const attempts = script.attempts;
  const attempt = attempts?.[Math.min(attemptIndex, (attempts?.length ?? 1) - 1)];
  return resolveBehaviour(attempt, 'connectionStatus', DEFAULT_ATTEMPT_STATUSES);
}

/** The behaviour of every endpoint service. */
export function resolveEndpointService(script: AtlasScript): ResolvedBehaviour<EndpointServiceStatus> {
  return resolveBehaviour(script.endpointService, 'status', DEFAULT_ENDPOINT_SERVICE_STATUSES);
}

function resolveBehaviour<F extends string, S extends string>(
  script: StatusScript<F, S> | undefined,
  field: F,
  defaults: readonly S[],
): ResolvedBehaviour<S> {
  if (script?.timeline) {
    return {
      kind: 'timeline',
      steps: script.timeline.map((s) => ({
        atSeconds: s.atSeconds,
        status: s[field],
        errorMessage: s.errorMessage ?? null,
      })),
    };
  }
  const statuses = script?.statuses ?? defaults;
  return {
    kind: 'reads',
    steps: statuses.map((s) =>
      typeof s === 'string'
        ? { status: s, errorMessage: null }
        : { status: s[field], errorMessage: s.errorMessage ?? null },
    ),
  };
}

/** The per-read steps a service shows after an update of its remote regions. */
export function resolveAfterUpdate(script: AtlasScript): ResolvedStep<EndpointServiceStatus>[] {
  return (script.endpointService?.afterUpdate ?? DEFAULT_AFTER_UPDATE_STATUSES).map((s) =>
    typeof s === 'string'
      ? { status: s, errorMessage: null }
      : { status: s.status, errorMessage: s.errorMessage ?? null },
  );
}

/** How long a registration stays invisible (404) after its creation, in milliseconds. */
export function notFoundForMs(script: AtlasScript, attemptIndex: number): number {
  const attempts = script.attempts;
  const attempt = attempts?.[Math.min(attemptIndex, (attempts?.length ?? 1) - 1)];
  return (attempt?.notFoundForSeconds ?? 0) * 1000;
}

/** The step a per-read behaviour shows at read `index` (0-based; the last step repeats). */
export function stepAtRead<S extends string>(
  steps: readonly ResolvedStep<S>[],
  index: number,
): ResolvedStep<S> {
  return steps[Math.min(index, steps.length - 1)]!;
}

/** The step a timeline shows `elapsedMs` after its start. */
export function stepAtTime<S extends string>(
  steps: readonly (ResolvedStep<S> & { readonly atSeconds: number })[],
  elapsedMs: number,
): ResolvedStep<S> {
  let current = steps[0]!;
  for (const step of steps) {
    if (step.atSeconds * 1000 <= elapsedMs) current = step;
  }
  return current;
}
