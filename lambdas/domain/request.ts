import { type FieldViolation, InvalidRequestError } from '../errors';
import { describeReceived, IdForm, type IdKind, isId } from '../ids';
import { awsPartition, awsRegion, REGION_EXPECTED } from '../regions';
import { MAX_REQUESTED_BY_CHARS, REQUESTED_BY_FIELD } from './callers';

/** Limits of the workflow input, with the defaults a request gets when it leaves a field out. */
export const RequestLimits = {
  defaultMaxAttempts: 3,
  maxAttempts: 10,
  defaultTimeoutSeconds: 3600,
  minTimeoutSeconds: 60,
  /** Six hours: three times Terraform's default two-hour timeout, well inside a STANDARD execution's year. */
  maxTimeoutSeconds: 21_600,
  /**
   * How long to wait, after AVAILABLE, for Atlas to list this endpoint in its clusters' connection strings
   * (maintainers observed 3 to 5 minutes); 0 reads them once and does not wait.
   */
  defaultConnectionStringTimeoutSeconds: 1_800,
  /** Two hours: Terraform's default timeout for the whole endpoint. */
  maxConnectionStringTimeoutSeconds: 7_200,
  maxSubnets: 16,
  maxSecurityGroups: 5,
  /** EC2 allows 50 tags per resource; this workflow adds its own (see `ManagedTag`). */
  maxTags: 40,
  /**
   * The largest request body the API reads (UTF-8 bytes): the largest valid request (40 tags of 128 and
   * 256 characters, four bytes each at worst) fits; a larger body is refused before it is parsed.
   */
  maxBodyBytes: 65_536,
  /** At most this many problems are reported for one request (a hostile body could name thousands). */
  maxReportedProblems: 20,
} as const;

/** Tag keys this workflow puts on every VPC endpoint it creates; a request may not set them. */
export const ManagedTag = {
  managedBy: 'atlas-privatelink:managed-by',
  groupId: 'atlas-privatelink:group-id',
  endpointServiceId: 'atlas-privatelink:endpoint-service-id',
  execution: 'atlas-privatelink:execution',
  attempt: 'atlas-privatelink:attempt',
  /** Who asked for the provisioning (its input's `requestedBy`, see `domain/callers`); absent for a direct start. */
  requestedBy: 'atlas-privatelink:requested-by',
} as const;

/**
 * The value of the {@link ManagedTag.execution} tag an execution puts on its endpoints, from the execution
 * identity its state passes to the functions: what "Create VPC endpoint" writes and "Register with Atlas"
 * checks, in one place.
 */
export function executionTagValue(execution: { readonly executionArn: string }): string {
  return execution.executionArn;
}

/** Tag key prefixes a request may not use: AWS's own, and the workflow's (see `ManagedTag`). */
export const RESERVED_TAG_PREFIXES = ['aws:', 'atlas-privatelink:'] as const;

/** A provisioning request as a user writes it (from the API, an EventBridge event or the console). */
export interface ProvisioningRequestInput {
  readonly groupId: string;
  readonly endpointServiceId?: string;
  readonly region?: string;
  readonly vpcId: string;
  readonly subnetIds: readonly string[];
  readonly securityGroupIds?: readonly string[];
  readonly maxAttempts?: number;
  readonly timeoutSeconds?: number;
  readonly connectionStringTimeoutSeconds?: number;
  readonly tags?: Readonly<Record<string, string>>;
  /** `true`: the endpoint service may be in another region than the deployment's (AWS cross-region PrivateLink). */
  readonly crossRegion?: boolean;
}

/** A validated request with every default applied. */
export interface ProvisioningRequest {
  readonly groupId: string;
  /** Set when the request named the service; otherwise the service is found or created in `region`. */
  readonly endpointServiceId?: string;
  /** In AWS's form (`eu-west-1`), whichever form the request used. */
  readonly region?: string;
  readonly vpcId: string;
  readonly subnetIds: string[];
  readonly securityGroupIds: string[];
  readonly maxAttempts: number;
  readonly timeoutSeconds: number;
  /** Seconds to wait for the clusters' connection strings after AVAILABLE; 0: read them once. */
  readonly connectionStringTimeoutSeconds: number;
  readonly tags: Record<string, string>;
  /**
   * Present (and `true`) when the request allows the endpoint service to be in another region than the
   * deployment: the service then supports the deployment's region as a remote one, and the VPC endpoint is
   * created with `ServiceRegion`.
   */
  readonly crossRegion?: true;
  /**
   * Who asked, as the execution's input records it: set by the API (the signing principal) and the
   * EventBridge start function (the event's account and source), never taken from an API body or an event's
   * detail; absent for an execution started on the state machine itself (see `domain/callers`).
   */
  readonly requestedBy?: string;
}

const KNOWN_FIELDS = new Set([
  'groupId',
  'endpointServiceId',
  'region',
  'vpcId',
  'subnetIds',
  'securityGroupIds',
  'maxAttempts',
  'timeoutSeconds',
  'connectionStringTimeoutSeconds',
  'tags',
  'crossRegion',
  REQUESTED_BY_FIELD,
]);

/** The fields a user writes (`requestedBy` is the API's and the start function's to set). */
const REQUEST_FIELDS = [...KNOWN_FIELDS].filter((field) => field !== REQUESTED_BY_FIELD).join(', ');

/** The values a deployment allows for one field: a list, or any (`'*'`, an explicit choice). */
export type Allowed = readonly string[] | '*';

/** What a request is checked against besides its own content: the deployment it is sent to. */
export interface RequestContext {
  /**
   * The region the deployment runs in, where the VPC endpoint is created (`AWS_REGION` of the functions).
   * A request for an endpoint service in another region is refused unless it says `crossRegion: true`.
   * @default - not checked
   */
  readonly deploymentRegion?: string;
  /**
   * The VPCs the deployment may create endpoints in (its `allowedVpcIds`).
   * @default - not checked
   */
  readonly allowedVpcIds?: Allowed;
  /**
   * The Atlas projects the deployment may connect to (its `allowedGroupIds`).
   * @default - not checked
   */
  readonly allowedGroupIds?: Allowed;
  /**
   * The tag keys a request may put on its VPC endpoint (the deployment's `allowedTagKeys`).
   * @default - any key that is not reserved
   */
  readonly allowedTagKeys?: Allowed;
}

/** True when `value` is one of `allowed` (or anything is). */
export function isAllowed(allowed: Allowed | undefined, value: string): boolean {
  return allowed === undefined || allowed === '*' || allowed.includes(value);
}

/**
 * Refuses a project or VPC outside the deployment's allow-lists: the check each function that writes makes
 * itself, so invoking it directly (bypassing *Validate request*) cannot reach them either.
 *
 * @throws InvalidRequestError naming each field outside its list.
 */
export function refuseOutsideAllowLists(
  context: RequestContext,
  values: { readonly groupId?: string; readonly vpcId?: string },
): void {
  const violations: FieldViolation[] = [];
  if (values.groupId !== undefined && !isAllowed(context.allowedGroupIds, values.groupId)) {
    violations.push({
      field: 'groupId',
      message: notAllowed('Atlas projects', 'allowedGroupIds', context.allowedGroupIds as string[]),
    });
  }
  if (values.vpcId !== undefined && !isAllowed(context.allowedVpcIds, values.vpcId)) {
    violations.push({
      field: 'vpcId',
      message: notAllowed('VPCs', 'allowedVpcIds', context.allowedVpcIds as string[]),
    });
  }
  if (violations.length > 0) throw new InvalidRequestError(violations);
}

/** Why a value outside a deployment's allow-list is refused, naming the prop that sets it. */
export function notAllowed(what: string, prop: string, allowed: readonly string[]): string {
  const listed =
    allowed.length > 3
      ? `${allowed.slice(0, 3).join(', ')} and ${allowed.length - 3} more`
      : allowed.join(', ');
  return `this deployment may only use the ${what} its ${prop} lists (${listed || 'none'})`;
}

/**
 * Validates a provisioning request and applies its defaults. Every problem is reported at once, each
 * naming its field and the expected form; nothing here does I/O.
 *
 * @throws InvalidRequestError listing every violation.
 * @example
 * const request = parseProvisioningRequest({ groupId: '5f…', region: 'us-east-1', vpcId: 'vpc-…', subnetIds: ['subnet-…'] });
 */
export function parseProvisioningRequest(input: unknown, context: RequestContext = {}): ProvisioningRequest {
  const violations: FieldViolation[] = [];
  const violation = (field: string, message: string) => violations.push({ field, message });

  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new InvalidRequestError([
      { field: '(request)', message: `expected a JSON object, got ${describeReceived(input)}` },
    ]);
  }
  const body = input as Record<string, unknown>;

  for (const key of Object.keys(body)) {
    if (!KNOWN_FIELDS.has(key)) {
      violation(key, `unknown field; expected only ${REQUEST_FIELDS}`);
    }
  }

  const id = (field: string, kind: IdKind, value: unknown): string | undefined => {
    if (isId(kind, value)) return value;
    violation(field, `expected ${IdForm[kind].expected}, got ${describeReceived(value)}`);
    return undefined;
  };

  let groupId = id('groupId', 'groupId', body.groupId);
  if (groupId !== undefined && !isAllowed(context.allowedGroupIds, groupId)) {
    violation(
      'groupId',
      notAllowed('Atlas projects', 'allowedGroupIds', context.allowedGroupIds as string[]),
    );
    groupId = undefined;
  }

  const crossRegionKnown = body.crossRegion === undefined || typeof body.crossRegion === 'boolean';
  if (!crossRegionKnown) {
    violation('crossRegion', `expected true or false, got ${describeReceived(body.crossRegion)}`);
  }
  const crossRegion = body.crossRegion === true;

  let endpointServiceId: string | undefined;
  let region: string | undefined;
  if (body.endpointServiceId !== undefined && body.region !== undefined) {
    violation('endpointServiceId', 'give either endpointServiceId or region, not both');
  } else if (body.endpointServiceId !== undefined) {
    endpointServiceId = id('endpointServiceId', 'endpointServiceId', body.endpointServiceId);
  } else if (body.region !== undefined) {
    region = awsRegion(body.region);
    const problem =
      region === undefined
        ? `expected ${REGION_EXPECTED}, got ${describeReceived(body.region)}`
        : context.deploymentRegion === undefined || !crossRegionKnown
          ? undefined
          : regionProblem(region, context.deploymentRegion, crossRegion);
    if (problem !== undefined) {
      violation('region', problem);
      region = undefined;
    }
  } else {
    violation(
      'region',
      'expected either region (an AWS region name such as "us-east-1") or endpointServiceId (24 hexadecimal characters)',
    );
  }

  let vpcId = id('vpcId', 'vpcId', body.vpcId);
  if (vpcId !== undefined && !isAllowed(context.allowedVpcIds, vpcId)) {
    violation('vpcId', notAllowed('VPCs', 'allowedVpcIds', context.allowedVpcIds as string[]));
    vpcId = undefined;
  }
  const subnetIds = idList(
    'subnetIds',
    'subnetId',
    body.subnetIds,
    1,
    RequestLimits.maxSubnets,
    violation,
    id,
  );
  const securityGroupIds =
    body.securityGroupIds === undefined
      ? []
      : idList(
          'securityGroupIds',
          'securityGroupId',
          body.securityGroupIds,
          0,
          RequestLimits.maxSecurityGroups,
          violation,
          id,
        );

  const maxAttempts = integer(
    'maxAttempts',
    body.maxAttempts,
    1,
    RequestLimits.maxAttempts,
    RequestLimits.defaultMaxAttempts,
    violation,
  );
  const timeoutSeconds = integer(
    'timeoutSeconds',
    body.timeoutSeconds,
    RequestLimits.minTimeoutSeconds,
    RequestLimits.maxTimeoutSeconds,
    RequestLimits.defaultTimeoutSeconds,
    violation,
  );
  const connectionStringTimeoutSeconds = integer(
    'connectionStringTimeoutSeconds',
    body.connectionStringTimeoutSeconds,
    0,
    RequestLimits.maxConnectionStringTimeoutSeconds,
    RequestLimits.defaultConnectionStringTimeoutSeconds,
    violation,
  );
  const tags = parseTags(body.tags, violation, context.allowedTagKeys);
  const requestedBy = body[REQUESTED_BY_FIELD];
  if (
    requestedBy !== undefined &&
    (typeof requestedBy !== 'string' ||
      requestedBy.length < 1 ||
      requestedBy.length > MAX_REQUESTED_BY_CHARS ||
      /\p{Cc}/u.test(requestedBy))
  ) {
    violation(
      REQUESTED_BY_FIELD,
      `expected the caller, a string of 1 to ${MAX_REQUESTED_BY_CHARS} characters without control characters, got ${describeReceived(requestedBy)}`,
    );
  }

  if (violations.length > 0 || !groupId || !vpcId || !subnetIds || !securityGroupIds || !tags) {
    throw new InvalidRequestError(violations);
  }
  return {
    groupId,
    ...(endpointServiceId ? { endpointServiceId } : {}),
    ...(region ? { region } : {}),
    vpcId,
    subnetIds,
    securityGroupIds,
    maxAttempts: maxAttempts ?? RequestLimits.defaultMaxAttempts,
    timeoutSeconds: timeoutSeconds ?? RequestLimits.defaultTimeoutSeconds,
    connectionStringTimeoutSeconds:
      connectionStringTimeoutSeconds ?? RequestLimits.defaultConnectionStringTimeoutSeconds,
    tags,
    ...(crossRegion ? { crossRegion: true as const } : {}),
    ...(typeof requestedBy === 'string' ? { requestedBy } : {}),
  };
}

/**
 * Why an endpoint service in `serviceRegion` cannot be used from a deployment in `deploymentRegion`, or
 * undefined when it can: the same region always; another one only with `crossRegion` and within one AWS
 * partition (cross-region PrivateLink does not cross partitions).
 */
export function regionProblem(
  serviceRegion: string,
  deploymentRegion: string,
  crossRegion: boolean,
): string | undefined {
  if (serviceRegion === deploymentRegion) return undefined;
  if (!crossRegion) return regionMismatch(serviceRegion, deploymentRegion);
  if (awsPartition(serviceRegion) !== awsPartition(deploymentRegion)) {
    return (
      `the endpoint service would be in ${serviceRegion}, another AWS partition than this deployment's ` +
      `${deploymentRegion}; cross-region PrivateLink stays within one partition`
    );
  }
  return undefined;
}

/**
 * Why an endpoint service in `serviceRegion` cannot be used from a deployment in `deploymentRegion` without
 * `crossRegion`: the VPC endpoint is created where the deployment runs, and reaches a service in another
 * region only as a cross-region endpoint.
 */
export function regionMismatch(serviceRegion: string, deploymentRegion: string): string {
  return (
    `the endpoint service would be in ${serviceRegion}, but this deployment creates VPC endpoints in ` +
    `${deploymentRegion}; ask for ${deploymentRegion}, set crossRegion: true to reach ${serviceRegion} ` +
    `through a cross-region endpoint (AWS charges inter-region data transfer), or use a deployment in ${serviceRegion}`
  );
}

type Report = (field: string, message: string) => void;

function idList(
  field: string,
  kind: IdKind,
  value: unknown,
  min: number,
  max: number,
  violation: Report,
  id: (field: string, kind: IdKind, value: unknown) => string | undefined,
): string[] | undefined {
  const what = `an array of ${min} to ${max} ids, each ${IdForm[kind].expected}`;
  if (!Array.isArray(value)) {
    violation(field, `expected ${what}, got ${describeReceived(value)}`);
    return undefined;
  }
  if (value.length < min || value.length > max) {
    violation(field, `expected ${what}, got ${value.length}`);
    return undefined;
  }
  const ids = value.map((item, index) => id(`${field}[${index}]`, kind, item));
  const seen = new Set<string>();
  ids.forEach((item, index) => {
    if (item === undefined) return;
    if (seen.has(item))
      violation(`${field}[${index}]`, `duplicate id ${JSON.stringify(item)}; expected distinct ids`);
    seen.add(item);
  });
  return ids.every((item): item is string => item !== undefined) ? ids : undefined;
}

function integer(
  field: string,
  value: unknown,
  min: number,
  max: number,
  fallback: number,
  violation: Report,
): number | undefined {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    violation(field, `expected an integer from ${min} to ${max}, got ${describeReceived(value)}`);
    return undefined;
  }
  return value;
}

function parseTags(
  value: unknown,
  violation: Report,
  allowedKeys: Allowed | undefined,
): Record<string, string> | undefined {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    violation('tags', `expected an object of tag keys to string values, got ${describeReceived(value)}`);
    return undefined;
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > RequestLimits.maxTags) {
    violation('tags', `expected at most ${RequestLimits.maxTags} tags, got ${entries.length}`);
    return undefined;
  }
  let ok = true;
  for (const [key, tagValue] of entries) {
    const field = `tags.${key}`;
    if (key.length < 1 || key.length > 128) {
      violation(field, 'expected a tag key of 1 to 128 characters');
      ok = false;
    } else if (RESERVED_TAG_PREFIXES.some((prefix) => key.toLowerCase().startsWith(prefix))) {
      violation(field, `tag keys starting with ${RESERVED_TAG_PREFIXES.join(' or ')} are reserved`);
      ok = false;
    } else if (!isAllowed(allowedKeys, key)) {
      violation(field, notAllowed('tag keys', 'allowedTagKeys', allowedKeys as string[]));
      ok = false;
    }
    if (typeof tagValue !== 'string' || tagValue.length > 256) {
      violation(field, `expected a string of at most 256 characters, got ${describeReceived(tagValue)}`);
      ok = false;
    }
  }
  return ok ? (value as Record<string, string>) : undefined;
}
