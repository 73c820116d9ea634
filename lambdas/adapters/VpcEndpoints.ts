import {
  CreateVpcEndpointCommand,
  DeleteVpcEndpointsCommand,
  DescribeVpcEndpointsCommand,
  type EC2Client,
  type VpcEndpoint,
} from '@aws-sdk/client-ec2';
import {
  Ec2AccessDeniedError,
  Ec2Error,
  type Ec2ErrorDetails,
  Ec2InvalidParameterError,
  Ec2ThrottledError,
  Ec2UnavailableError,
  InvalidRequestError,
} from '../errors';

/**
 * An interface VPC endpoint as the workflow sees it.
 *
 * `state` is lower-cased: EC2 sends camelCase on the wire (`pendingAcceptance`) while the SDK's
 * `State` enum is PascalCase (`PendingAcceptance`), so compare against {@link VpcEndpointState}.
 */
export interface VpcEndpointView {
  readonly vpcEndpointId: string;
  /** Lower-cased EC2 state, e.g. `pendingacceptance`, `available`, `rejected`, `deleted`; `unknown` if absent. */
  readonly state: string;
  readonly serviceName: string;
  readonly vpcId: string;
  /** The endpoint's security groups (the VPC's default one when it was created without any). */
  readonly securityGroupIds: string[];
  readonly tags: Record<string, string>;
  /** ISO 8601 creation time, when EC2 reported one. */
  readonly createdAt?: string;
  /** The AWS account that owns the endpoint, when EC2 reported it. */
  readonly ownerId?: string;
}

/** The values {@link VpcEndpointView.state} takes, already lower-cased. */
export const VpcEndpointState = {
  PendingAcceptance: 'pendingacceptance',
  Pending: 'pending',
  Available: 'available',
  Deleting: 'deleting',
  Deleted: 'deleted',
  Rejected: 'rejected',
  Failed: 'failed',
  Expired: 'expired',
  Partial: 'partial',
  Unknown: 'unknown',
} as const;

/** What {@link VpcEndpoints.create} needs. */
export interface CreateVpcEndpointInput {
  readonly vpcId: string;
  readonly subnetIds: readonly string[];
  /** @default - none sent: EC2 attaches the VPC's default security group */
  readonly securityGroupIds: readonly string[];
  /** `com.amazonaws.vpce.<region>.vpce-svc-<17 hex>`, as Atlas reports it. */
  readonly serviceName: string;
  /**
   * The service's region when it is not the client's: a cross-region endpoint (`ServiceRegion`), which needs
   * `vpce:AllowMultiRegion` and a service that supports the client's region.
   * @default - the client's region
   */
  readonly serviceRegion?: string;
  /** Makes the call idempotent: 1 to 64 ASCII characters. The same token with other parameters fails. */
  readonly clientToken: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** The outcome of {@link VpcEndpoints.delete}, per id. */
export interface DeleteVpcEndpointsResult {
  readonly deleted: string[];
  /** Ids EC2 does not know (already gone): as good as deleted. */
  readonly notFound: string[];
  readonly failed: { id: string; code: string; message: string }[];
}

const NOT_FOUND = 'InvalidVpcEndpointId.NotFound';
// A per-id `Unsuccessful` item of DeleteVpcEndpoints names an unknown id `InvalidVpcEndpoint.NotFound`
// (EC2's error-code list), unlike the whole-call error of DescribeVpcEndpoints.
const ID_NOT_FOUND = new Set([NOT_FOUND, 'InvalidVpcEndpoint.NotFound']);
const CLIENT_TOKEN = /^[\x20-\x7e]{1,64}$/;

/**
 * Interface VPC endpoints in EC2: the only place that talks to the EC2 API.
 *
 * Every SDK failure comes out as an {@link Ec2Error} subclass (see {@link toEc2Error}) so the state
 * machine can retry throttling and outages and stop on bad parameters.
 *
 * @example
 * ```ts
 * const endpoints = new VpcEndpoints(ec2Client());
 * const view = await endpoints.create({ vpcId, subnetIds, securityGroupIds: [], serviceName, clientToken, tags: {} });
 * if (view.state === VpcEndpointState.PendingAcceptance) { … }
 * ```
 */
export class VpcEndpoints {
  readonly #client: EC2Client;

  constructor(client: EC2Client) {
    this.#client = client;
  }

  /** Creates an interface endpoint (private DNS off: Atlas services offer no private DNS name). */
  async create(input: CreateVpcEndpointInput): Promise<VpcEndpointView> {
    if (!CLIENT_TOKEN.test(input.clientToken)) {
      throw new InvalidRequestError([
        {
          field: 'clientToken',
          message: `1 to 64 printable ASCII characters (got ${input.clientToken.length})`,
        },
      ]);
    }
    const tags = Object.entries(input.tags).map(([Key, Value]) => ({ Key, Value }));
    const action = 'CreateVpcEndpoint';
    const out = await this.#call(action, (client) =>
      client.send(
        new CreateVpcEndpointCommand({
          // EC2 defaults to a Gateway endpoint, which cannot reach a PrivateLink service.
          VpcEndpointType: 'Interface',
          VpcId: input.vpcId,
          ServiceName: input.serviceName,
          ...(input.serviceRegion ? { ServiceRegion: input.serviceRegion } : {}),
          SubnetIds: [...input.subnetIds],
          ...(input.securityGroupIds.length > 0 ? { SecurityGroupIds: [...input.securityGroupIds] } : {}),
          PrivateDnsEnabled: false,
          ClientToken: input.clientToken,
          ...(tags.length > 0 ? { TagSpecifications: [{ ResourceType: 'vpc-endpoint', Tags: tags }] } : {}),
        }),
      ),
    );
    const view = out.VpcEndpoint ? toView(out.VpcEndpoint) : undefined;
    if (!view) {
      throw new Ec2Error('the response holds no VpcEndpoint id', { code: 'EmptyResponse', action });
    }
    return view;
  }

  /** The endpoint with this id, or `undefined` when EC2 does not know it. */
  async describe(vpcEndpointId: string): Promise<VpcEndpointView | undefined> {
    try {
      const out = await this.#client.send(
        new DescribeVpcEndpointsCommand({ VpcEndpointIds: [vpcEndpointId] }),
      );
      const found = out.VpcEndpoints?.find((e) => e.VpcEndpointId === vpcEndpointId) ?? out.VpcEndpoints?.[0];
      return found ? toView(found) : undefined;
    } catch (error) {
      if (codeOf(error) === NOT_FOUND) return undefined;
      throw toEc2Error(error, 'DescribeVpcEndpoints');
    }
  }

  /** Every endpoint tagged `key` with `value` (or one of the values), in any state (deleted ones linger for a while), across all pages. */
  async findByTag(key: string, value: string | readonly string[]): Promise<VpcEndpointView[]> {
    const values = typeof value === 'string' ? [value] : [...value];
    if (values.length === 0) return [];
    const views: VpcEndpointView[] = [];
    let nextToken: string | undefined;
    do {
      const token = nextToken;
      const out = await this.#call('DescribeVpcEndpoints', (client) =>
        client.send(
          new DescribeVpcEndpointsCommand({
            Filters: [{ Name: `tag:${key}`, Values: values }],
            ...(token ? { NextToken: token } : {}),
          }),
        ),
      );
      for (const endpoint of out.VpcEndpoints ?? []) {
        const view = toView(endpoint);
        if (view) views.push(view);
      }
      nextToken = out.NextToken || undefined;
    } while (nextToken);
    return views;
  }

  /**
   * Deletes the endpoints. EC2 answers per id in `Unsuccessful`; an id it does not know counts as
   * `notFound`. Fails as a whole (an {@link Ec2Error}) only when the call itself fails.
   */
  async delete(ids: readonly string[]): Promise<DeleteVpcEndpointsResult> {
    const unique = [...new Set(ids)];
    const result: DeleteVpcEndpointsResult = { deleted: [], notFound: [], failed: [] };
    if (unique.length === 0) return result;
    const action = 'DeleteVpcEndpoints';
    let unsuccessful: { id: string; code: string; message: string }[];
    try {
      const out = await this.#client.send(new DeleteVpcEndpointsCommand({ VpcEndpointIds: unique }));
      unsuccessful = (out.Unsuccessful ?? []).map((u) => ({
        id: u.ResourceId ?? '',
        code: u.Error?.Code ?? 'Unknown',
        message: u.Error?.Message ?? '',
      }));
    } catch (error) {
      if (codeOf(error) !== NOT_FOUND) throw toEc2Error(error, action);
      // A whole-call NotFound does not say which id; with one id it is that one, otherwise ask per id.
      if (unique.length === 1) return { ...result, notFound: unique };
      return this.#deleteOneByOne(unique);
    }
    const byId = new Map(unsuccessful.map((u) => [u.id, u]));
    for (const id of unique) {
      const failure = byId.get(id);
      if (!failure) result.deleted.push(id);
      else if (ID_NOT_FOUND.has(failure.code)) result.notFound.push(id);
      else result.failed.push(failure);
    }
    return result;
  }

  async #deleteOneByOne(ids: readonly string[]): Promise<DeleteVpcEndpointsResult> {
    const result: DeleteVpcEndpointsResult = { deleted: [], notFound: [], failed: [] };
    for (const id of ids) {
      const one = await this.delete([id]);
      result.deleted.push(...one.deleted);
      result.notFound.push(...one.notFound);
      result.failed.push(...one.failed);
    }
    return result;
  }

  async #call<T>(action: string, send: (client: EC2Client) => Promise<T>): Promise<T> {
    try {
      return await send(this.#client);
    } catch (error) {
      throw toEc2Error(error, action);
    }
  }
}

function toView(endpoint: VpcEndpoint): VpcEndpointView | undefined {
  if (!endpoint.VpcEndpointId) return undefined;
  const tags: Record<string, string> = {};
  for (const tag of endpoint.Tags ?? []) {
    if (tag.Key !== undefined) tags[tag.Key] = tag.Value ?? '';
  }
  const created = endpoint.CreationTimestamp as Date | string | undefined;
  const createdAt = created instanceof Date ? created.toISOString() : created;
  return {
    vpcEndpointId: endpoint.VpcEndpointId,
    state: (endpoint.State ?? VpcEndpointState.Unknown).toLowerCase(),
    serviceName: endpoint.ServiceName ?? '',
    vpcId: endpoint.VpcId ?? '',
    securityGroupIds: (endpoint.Groups ?? []).map((g) => g.GroupId).filter((g): g is string => !!g),
    tags,
    ...(createdAt ? { createdAt } : {}),
    ...(endpoint.OwnerId ? { ownerId: endpoint.OwnerId } : {}),
  };
}

interface SdkErrorShape {
  readonly name?: unknown;
  readonly Code?: unknown;
  readonly code?: unknown;
  readonly message?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: number };
}

/** The code of an {@link Ec2UnavailableError} for a 2xx answer the SDK could not read. */
export const MALFORMED_RESPONSE = 'MalformedResponse';

const THROTTLED = new Set(['RequestLimitExceeded', 'Throttling', 'ThrottlingException']);
const UNAVAILABLE = new Set(['InternalError', 'InternalFailure', 'ServiceUnavailable', 'Unavailable']);
const NETWORK = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);
const ACCESS_DENIED = new Set([
  'UnauthorizedOperation',
  'AuthFailure',
  'AccessDenied',
  'AccessDeniedException',
  'InvalidClientTokenId',
  'SignatureDoesNotMatch',
  'OptInRequired',
  'Blocked',
]);
const INVALID_PARAMETER = new Set([
  'IdempotentParameterMismatch',
  'VpcEndpointLimitExceeded',
  'MissingParameter',
  'UnknownParameter',
  'ValidationError',
  'OperationNotPermitted',
]);

function codeOf(error: unknown): string {
  const e = (error ?? {}) as SdkErrorShape;
  if (typeof e.Code === 'string' && e.Code) return e.Code;
  if (typeof e.name === 'string' && e.name && e.name !== 'Error') return e.name;
  if (typeof e.code === 'string' && e.code) return e.code;
  return 'UnknownError';
}

function isInvalidParameter(code: string): boolean {
  return (
    INVALID_PARAMETER.has(code) ||
    code.startsWith('Invalid') || // InvalidVpcID.NotFound, InvalidServiceName, InvalidParameterValue, …
    code.endsWith('.NotFound') ||
    code.endsWith('.Malformed')
  );
}

/**
 * Turns whatever an EC2 call threw into the matching {@link Ec2Error} subclass, keeping EC2's
 * case-exact code, the HTTP status, the action and the original error as `cause`.
 *
 * Throttling is checked before the status because EC2 sends `RequestLimitExceeded` with a 503. A 2xx
 * answer the SDK could not parse is {@link MALFORMED_RESPONSE}, retried like an outage.
 */
export function toEc2Error(error: unknown, action: string): Ec2Error {
  if (error instanceof Ec2Error) return error;
  const e = (error ?? {}) as SdkErrorShape;
  const code = codeOf(error);
  const status = e.$metadata?.httpStatusCode;
  const details: Ec2ErrorDetails = { code, status, action };
  const message = typeof e.message === 'string' && e.message ? e.message : 'no message';
  const options = { cause: error };
  // A 2xx whose body the SDK could not read (cut off by a proxy, say): the answer was lost on the way, like
  // a reset connection, so it is retried. A create is safe to send again: it carries a ClientToken.
  if (status !== undefined && status >= 200 && status <= 299) {
    return new Ec2UnavailableError(message, { ...details, code: MALFORMED_RESPONSE }, options);
  }
  if (THROTTLED.has(code)) return new Ec2ThrottledError(message, details, options);
  if (ACCESS_DENIED.has(code)) return new Ec2AccessDeniedError(message, details, options);
  if (isInvalidParameter(code)) return new Ec2InvalidParameterError(message, details, options);
  // No HTTP status means EC2 never answered (reset, timeout, DNS). Not "no $metadata": the SDK's retry
  // middleware adds `$metadata.attempts` to network errors too.
  if (status === undefined || status >= 500 || UNAVAILABLE.has(code) || NETWORK.has(code)) {
    return new Ec2UnavailableError(message, details, options);
  }
  return new Ec2Error(message, details, options);
}
