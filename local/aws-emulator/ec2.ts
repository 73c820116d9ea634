import { ConnectionStatus } from '../../lambdas/atlas/types';
import { IdForm } from '../../lambdas/ids';
import type { AtlasSideView, Clock } from '../shared/model';
import { Defaults } from './constants';
import { demoTopology, type Ec2SecurityGroup, type Ec2Subnet, type Ec2Topology } from './demoTopology';
import { describeSecurityGroups, describeVpcs, EC2_NETWORK_ACTIONS } from './ec2Network';
import type { QueryParams } from './ec2Query';
import {
  createVpcEndpointXml,
  deleteVpcEndpointsXml,
  describeVpcEndpointsXml,
  type UnsuccessfulXmlItem,
  type VpcEndpointXmlView,
} from './ec2Xml';
import { AwsApiError, EmulatorOptionsError } from './errors';
import type { AwsFault } from './faults';
import { ec2Id, randomHex } from './ids';
import { decodeOffsetToken, encodeOffsetToken } from './pagination';

/** VPC endpoint states as EC2 sends them: camelCase, unlike the SDK's PascalCase `State` enum. */
export const VpcEndpointState = {
  PendingAcceptance: 'pendingAcceptance',
  Pending: 'pending',
  Available: 'available',
  Rejected: 'rejected',
  Deleting: 'deleting',
  Deleted: 'deleted',
  Failed: 'failed',
} as const;
export type VpcEndpointState = (typeof VpcEndpointState)[keyof typeof VpcEndpointState];

/** The EC2 part of the emulator's options. */
export interface Ec2Options {
  /** @default - {@link demoTopology}: one VPC, three subnets, one security group */
  readonly topology?: Ec2Topology;
  /** Faults for EC2 actions (their `service` is implied). @default - none */
  readonly faults?: readonly AwsFault[];
  /**
   * When no Atlas is linked: the states a new endpoint reads in its create response and successive
   * describes, sticking at the last one. With Atlas linked, Atlas's view decides instead.
   * @default ['pendingAcceptance', 'available'] - the create response and the first describe read
   * pendingAcceptance, later describes available
   */
  readonly unlinkedStates?: readonly VpcEndpointState[];
  /** How many describes a deleted endpoint reads `deleting` before it reads `deleted`. @default 1 */
  readonly deletingDescribes?: number;
  /** How long (by the emulator's clock) a `deleted` endpoint still describes before it is gone. @default 10 minutes */
  readonly deletedRetentionMs?: number;
  /**
   * Eventual consistency: for this many seconds (by the emulator's clock) after its creation, an endpoint
   * is not visible yet: describing or deleting it by id answers `InvalidVpcEndpointId.NotFound`, and lists
   * leave it out. A create replayed with its ClientToken still returns it.
   * @default 0
   */
  readonly visibilityDelaySeconds?: number;
}

/** What the emulator's handle shows of one endpoint (for assertions; the wire view is richer). */
export interface VpcEndpointSnapshot {
  readonly vpcEndpointId: string;
  readonly vpcEndpointType: string;
  readonly vpcId: string;
  readonly serviceName: string;
  /** Where the service is (`ServiceRegion`): another region than the caller's for a cross-region endpoint. */
  readonly serviceRegion: string;
  /** The state the next describe would report (peeked: reading it advances nothing). */
  readonly state: VpcEndpointState;
  readonly subnetIds: readonly string[];
  readonly securityGroupIds: readonly string[];
  readonly privateDnsEnabled: boolean;
  readonly tags: Readonly<Record<string, string>>;
  readonly clientToken?: string;
  /** Milliseconds since the epoch, by the emulator's clock. */
  readonly createdAt: number;
  /** How many describes have returned it. */
  readonly describeCount: number;
}

interface EndpointRecord {
  readonly id: string;
  readonly type: string;
  readonly vpcId: string;
  readonly serviceName: string;
  /** Where the service is: the caller's region, or the `ServiceRegion` of a cross-region endpoint. */
  readonly serviceRegion: string;
  readonly subnetIds: readonly string[];
  readonly groupIds: readonly string[];
  readonly routeTableIds: readonly string[];
  readonly privateDnsEnabled: boolean;
  readonly ipAddressType: string;
  readonly policyDocument?: string;
  /** Changed by CreateTags and DeleteTags. */
  tags: readonly { readonly key: string; readonly value: string }[];
  readonly createdAt: number;
  readonly clientToken?: string;
  /** The parameters that make a ClientToken replay "the same request". */
  readonly fingerprint: string;
  readonly networkInterfaceIds: readonly string[];
  readonly dnsEntries: readonly { readonly dnsName: string; readonly hostedZoneId: string }[];
  describes: number;
  /** Atlas has had a registration for it at some read: its disappearance then means rejection. */
  seenInAtlas: boolean;
  forcedState?: VpcEndpointState;
  deletion?: { describesLeft: number; deletedAt?: number };
}

interface Ec2Config {
  readonly region: string;
  readonly accountId: string;
  readonly clock: Clock;
  readonly atlas?: AtlasSideView;
  readonly options: Ec2Options;
}

/** The request context EC2 needs: the region the caller signed for (falls back to the emulator's). */
export interface Ec2RequestContext {
  readonly region: string;
}

/** `com.amazonaws.vpce.<region>.vpce-svc-<17 hex>`: the only kind of service Atlas issues. */
const SERVICE_NAME = /^com\.amazonaws\.vpce\.([a-z0-9-]+)\.(vpce-svc-[0-9a-f]{17})$/;
const VPC_ENDPOINT_ID = /^vpce-[0-9a-f]{8}(?:[0-9a-f]{9})?$/;
const ENDPOINT_TYPES = ['Interface', 'Gateway', 'GatewayLoadBalancer', 'Resource', 'ServiceNetwork'];
const TAGGABLE_TYPE = 'vpc-endpoint';
/** An interface endpoint's default policy: full access. */
const FULL_ACCESS_POLICY =
  '{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}';
/** The public hosted zone of regional `*.vpce.amazonaws.com` names (us-east-1's; the emulator uses it everywhere). */
const VPCE_HOSTED_ZONE_ID = 'Z7HUB22UULQXV';
const MAX_RESULTS = 1000;
const FILTERS = new Set([
  'vpc-endpoint-id',
  'vpc-id',
  'service-name',
  'vpc-endpoint-state',
  'vpc-endpoint-type',
  'tag-key',
]);

export const EC2_ACTIONS = [
  'CreateVpcEndpoint',
  'DescribeVpcEndpoints',
  'DeleteVpcEndpoints',
  'CreateTags',
  'DeleteTags',
  ...EC2_NETWORK_ACTIONS,
] as const;

/**
 * The emulated EC2: interface VPC endpoints in a fixed network topology.
 *
 * An endpoint's state is computed when it is read. With an {@link AtlasSideView} linked it follows
 * Atlas (an endpoint Atlas has not registered awaits acceptance, as a real Atlas service requires);
 * without one it walks `unlinkedStates`. After `DeleteVpcEndpoints` it reads `deleting`, then
 * `deleted` for `deletedRetentionMs`, then is gone, as in AWS.
 */
export class Ec2Service {
  readonly #config: Ec2Config;
  readonly #topology: Ec2Topology;
  readonly #vpcs: ReadonlySet<string>;
  readonly #subnets: ReadonlyMap<string, Ec2Subnet>;
  readonly #groups: ReadonlyMap<string, Ec2SecurityGroup>;
  readonly #unlinkedStates: readonly VpcEndpointState[];
  readonly #deletingDescribes: number;
  readonly #deletedRetentionMs: number;
  readonly #visibilityDelayMs: number;
  #endpoints = new Map<string, EndpointRecord>();
  #byClientToken = new Map<string, EndpointRecord>();

  constructor(config: Ec2Config) {
    this.#config = config;
    const options = config.options;
    const topology = options.topology ?? demoTopology(config.region);
    validateTopology(topology);
    this.#topology = topology;
    this.#vpcs = new Set(topology.vpcs.map((v) => v.vpcId));
    this.#subnets = new Map(topology.subnets.map((s) => [s.subnetId, s]));
    this.#groups = new Map(topology.securityGroups.map((g) => [g.groupId, g]));
    this.#unlinkedStates = options.unlinkedStates ?? [
      VpcEndpointState.PendingAcceptance,
      VpcEndpointState.Available,
    ];
    if (this.#unlinkedStates.length === 0) {
      throw new EmulatorOptionsError('ec2.unlinkedStates: give at least one state');
    }
    this.#deletingDescribes = options.deletingDescribes ?? Defaults.deletingDescribes;
    if (!(Number.isInteger(this.#deletingDescribes) && this.#deletingDescribes >= 0)) {
      throw new EmulatorOptionsError(
        `ec2.deletingDescribes must be an integer >= 0, got ${options.deletingDescribes}`,
      );
    }
    this.#visibilityDelayMs = (options.visibilityDelaySeconds ?? 0) * 1000;
    if (!(this.#visibilityDelayMs >= 0)) {
      throw new EmulatorOptionsError(
        `ec2.visibilityDelaySeconds must be >= 0, got ${options.visibilityDelaySeconds}`,
      );
    }
    this.#deletedRetentionMs = options.deletedRetentionMs ?? Defaults.deletedRetentionMs;
    if (!(this.#deletedRetentionMs >= 0)) {
      throw new EmulatorOptionsError(
        `ec2.deletedRetentionMs must be >= 0, got ${options.deletedRetentionMs}`,
      );
    }
  }

  /** Runs one action; returns the XML inside `<ActionResponse>` or throws an {@link AwsApiError}. */
  handle(action: string, params: QueryParams, context: Ec2RequestContext): string {
    const known = (EC2_ACTIONS as readonly string[]).includes(action);
    if (!known)
      throw new AwsApiError('InvalidAction', `The action ${action} is not valid for this web service.`);
    if (params.bool('DryRun')) {
      throw new AwsApiError('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.', 412);
    }
    switch (action) {
      case 'CreateVpcEndpoint':
        return this.#create(params, context);
      case 'DescribeVpcEndpoints':
        return this.#describe(params);
      case 'DescribeVpcs':
        return describeVpcs(params, this.#topology.vpcs, this.#config.accountId);
      case 'DescribeSecurityGroups':
        return describeSecurityGroups(params, this.#topology.securityGroups, this.#config.accountId);
      case 'CreateTags':
        return this.#tag(params, 'create');
      case 'DeleteTags':
        return this.#tag(params, 'delete');
      default:
        return this.#delete(params);
    }
  }

  /** Every endpoint still visible, with the state its next describe would report. */
  snapshot(): VpcEndpointSnapshot[] {
    this.#expire();
    return [...this.#endpoints.values()].map((r) => ({
      vpcEndpointId: r.id,
      vpcEndpointType: r.type,
      vpcId: r.vpcId,
      serviceName: r.serviceName,
      serviceRegion: r.serviceRegion,
      state: this.#stateOf(r),
      subnetIds: [...r.subnetIds],
      securityGroupIds: [...r.groupIds],
      privateDnsEnabled: r.privateDnsEnabled,
      tags: Object.fromEntries(r.tags.map((t) => [t.key, t.value])),
      ...(r.clientToken !== undefined ? { clientToken: r.clientToken } : {}),
      createdAt: r.createdAt,
      describeCount: r.describes,
    }));
  }

  /**
   * Pins an endpoint's state (e.g. `failed`, or `rejected` without an Atlas), overriding Atlas and
   * `unlinkedStates` until it is deleted. Throws if the id is unknown.
   */
  setState(vpcEndpointId: string, state: VpcEndpointState): void {
    const record = this.#endpoints.get(vpcEndpointId);
    if (!record) throw new Error(`setVpcEndpointState: no endpoint ${vpcEndpointId}`);
    record.forcedState = state;
  }

  /** Forgets every endpoint and client token. */
  reset(): void {
    this.#endpoints = new Map();
    this.#byClientToken = new Map();
  }

  #create(params: QueryParams, context: Ec2RequestContext): string {
    const clientToken = params.get('ClientToken');
    if (clientToken !== undefined && !/^[\x20-\x7e]{1,64}$/.test(clientToken)) {
      throw new AwsApiError(
        'InvalidParameterValue',
        'The value for parameter ClientToken is invalid: it must be 1 to 64 ASCII characters.',
      );
    }
    // EC2's default: an endpoint type left out means Gateway, which cannot reach a PrivateLink service.
    const type = params.get('VpcEndpointType') ?? 'Gateway';
    const vpcId = required(params, 'VpcId');
    const serviceName = required(params, 'ServiceName');
    const serviceRegion = params.get('ServiceRegion');
    const subnetIds = params.list('SubnetId');
    const groupIds = params.list('SecurityGroupId');
    const routeTableIds = params.list('RouteTableId');
    // AWS turns private DNS on by default for interface endpoints.
    const privateDnsEnabled = params.bool('PrivateDnsEnabled') ?? type === 'Interface';
    const ipAddressType = params.get('IpAddressType') ?? 'ipv4';
    const policyDocument = params.get('PolicyDocument');
    const tags = parseTagSpecifications(params);
    const fingerprint = JSON.stringify([
      type,
      vpcId,
      serviceName,
      serviceRegion ?? null,
      [...subnetIds].sort(),
      [...groupIds].sort(),
      [...routeTableIds].sort(),
      privateDnsEnabled,
      ipAddressType,
      policyDocument ?? null,
      tags,
    ]);

    // Idempotency is checked before anything else: a replay returns the endpoint as it is now.
    if (clientToken !== undefined) {
      const earlier = this.#byClientToken.get(clientToken);
      if (earlier) {
        if (earlier.fingerprint !== fingerprint) {
          throw new AwsApiError(
            'IdempotentParameterMismatch',
            `The client token ${clientToken} was already used with different parameters.`,
          );
        }
        return createVpcEndpointXml(this.#wireView(earlier, this.#stateOf(earlier)), clientToken);
      }
    }

    this.#validateCreate(
      { type, vpcId, serviceName, serviceRegion, subnetIds, groupIds, privateDnsEnabled, ipAddressType },
      context,
    );
    const id = ec2Id('vpce');
    const serviceId = SERVICE_NAME.exec(serviceName)?.[2] ?? 'vpce-svc';
    const hostRegion = serviceRegion ?? context.region;
    const crossRegion = hostRegion !== context.region;
    // DNS names carry the service's region; a cross-region endpoint gets the regional name only, no zonal ones.
    const dnsSuffix = `${serviceId}.${hostRegion}.vpce.amazonaws.com`;
    const regionalDns = `${id}-${randomHex(8)}.${dnsSuffix}`;
    const record: EndpointRecord = {
      id,
      type,
      vpcId,
      serviceName,
      serviceRegion: hostRegion,
      subnetIds,
      groupIds: groupIds.length > 0 ? groupIds : this.#defaultGroupOf(vpcId),
      routeTableIds,
      privateDnsEnabled,
      ipAddressType,
      ...(type === 'Interface' ? { policyDocument: policyDocument ?? FULL_ACCESS_POLICY } : {}),
      tags,
      createdAt: this.#config.clock(),
      ...(clientToken !== undefined ? { clientToken } : {}),
      fingerprint,
      networkInterfaceIds: subnetIds.map(() => ec2Id('eni')),
      dnsEntries: [
        { dnsName: regionalDns, hostedZoneId: VPCE_HOSTED_ZONE_ID },
        ...(crossRegion ? [] : subnetIds).map((s) => ({
          dnsName: regionalDns.replace(
            `.${dnsSuffix}`,
            `-${this.#subnets.get(s)?.availabilityZone}.${dnsSuffix}`,
          ),
          hostedZoneId: VPCE_HOSTED_ZONE_ID,
        })),
      ],
      describes: 0,
      seenInAtlas: false,
    };
    this.#endpoints.set(id, record);
    if (clientToken !== undefined) this.#byClientToken.set(clientToken, record);
    return createVpcEndpointXml(this.#wireView(record, this.#stateOf(record)), clientToken);
  }

  #validateCreate(
    request: {
      type: string;
      vpcId: string;
      serviceName: string;
      serviceRegion: string | undefined;
      subnetIds: readonly string[];
      groupIds: readonly string[];
      privateDnsEnabled: boolean;
      ipAddressType: string;
    },
    context: Ec2RequestContext,
  ): void {
    const { type, vpcId, serviceName, serviceRegion, subnetIds, groupIds } = request;
    if (!ENDPOINT_TYPES.includes(type)) {
      throw new AwsApiError(
        'InvalidParameterValue',
        `Value (${type}) for parameter VpcEndpointType is invalid.`,
      );
    }
    if (!this.#vpcs.has(vpcId))
      throw new AwsApiError('InvalidVpcID.NotFound', `The vpc ID '${vpcId}' does not exist`);

    if (serviceRegion !== undefined && !IdForm.awsRegion.pattern.test(serviceRegion)) {
      throw new AwsApiError(
        'InvalidParameterValue',
        `Value (${serviceRegion}) for parameter ServiceRegion is invalid.`,
      );
    }
    const match = SERVICE_NAME.exec(serviceName);
    // A service is found in the region the request names (ServiceRegion, else the caller's). From another
    // region it is found only once it supports the caller's region as a remote one; with an Atlas linked, only
    // the services it issued exist, and a remote region counts once its addition has taken effect.
    const atlas = this.#config.atlas;
    const hostRegion = serviceRegion ?? context.region;
    const service = atlas?.findServiceByName(serviceName);
    const issued =
      match !== null &&
      match[1] === hostRegion &&
      (atlas === undefined ||
        (service !== undefined &&
          (hostRegion === context.region || service.remoteRegions.includes(context.region))));
    if (!issued) {
      throw new AwsApiError('InvalidServiceName', `The Vpc Endpoint Service '${serviceName}' does not exist`);
    }
    if (type !== 'Interface') {
      throw new AwsApiError(
        'InvalidParameter',
        `The Vpc Endpoint Service '${serviceName}' does not support vpc endpoint type '${type}'. Only vpc endpoint type 'Interface' is supported.`,
      );
    }

    const zones = new Map<string, string>();
    for (const subnetId of subnetIds) {
      const subnet = this.#subnets.get(subnetId);
      if (!subnet)
        throw new AwsApiError('InvalidSubnetID.NotFound', `The subnet ID '${subnetId}' does not exist`);
      if (subnet.vpcId !== vpcId) {
        throw new AwsApiError(
          'InvalidParameter',
          `The subnet ID '${subnetId}' does not belong to the vpc '${vpcId}'.`,
        );
      }
      const other = zones.get(subnet.availabilityZone);
      if (other !== undefined) {
        throw new AwsApiError(
          'DuplicateSubnetsInSameZone',
          `Found another VPC endpoint subnet in the availability zone of ${other}. VPC endpoint subnets should be in different availability zones supported by the VPC endpoint service.`,
        );
      }
      zones.set(subnet.availabilityZone, subnetId);
    }
    for (const groupId of groupIds) {
      const group = this.#groups.get(groupId);
      // EC2 spells this code with a capital "ID", like InvalidVpcID and InvalidSubnetID.
      if (!group)
        throw new AwsApiError(
          'InvalidSecurityGroupID.NotFound',
          `The security group '${groupId}' does not exist`,
        );
      if (group.vpcId !== vpcId) {
        throw new AwsApiError(
          'InvalidParameter',
          `The security group '${groupId}' does not belong to the vpc '${vpcId}'.`,
        );
      }
    }
    if (request.privateDnsEnabled) {
      // Atlas's endpoint services publish no private DNS name (see the reference notes).
      throw new AwsApiError(
        'InvalidParameter',
        `Private DNS can't be enabled because the service ${serviceName} does not provide a private DNS name.`,
      );
    }
    if (request.ipAddressType !== 'ipv4') {
      throw new AwsApiError(
        'InvalidParameter',
        `The Vpc Endpoint Service '${serviceName}' does not support IP address type '${request.ipAddressType}'.`,
      );
    }
  }

  /**
   * `CreateTags` / `DeleteTags` on VPC endpoints: what anyone allowed `ec2:CreateTags` can do to an endpoint
   * the workflow never created (the tests plant its tags this way). A tag with a value given to
   * `DeleteTags` is removed only when the value matches, as in EC2.
   */
  #tag(params: QueryParams, how: 'create' | 'delete'): string {
    this.#expire();
    const ids = params.list('ResourceId');
    if (ids.length === 0) {
      throw new AwsApiError('MissingParameter', 'The request must contain the parameter resourceIdSet');
    }
    for (const id of ids) assertWellFormed(id);
    const missing = ids.filter((id) => !this.#visible(id));
    if (missing.length > 0) {
      throw new AwsApiError(
        'InvalidVpcEndpointId.NotFound',
        `The vpcEndpoint ID '${missing[0]}' does not exist`,
      );
    }
    const tags = params.structs('Tag').map((t) => ({ key: t.get('Key') ?? '', value: t.get('Value') }));
    if (how === 'create' && tags.length === 0) {
      throw new AwsApiError('MissingParameter', 'The request must contain the parameter tagSet');
    }
    for (const id of ids) {
      const record = this.#endpoints.get(id) as EndpointRecord;
      const kept = record.tags.filter(
        (existing) =>
          !tags.some(
            (t) =>
              t.key === existing.key &&
              (how === 'create' || t.value === undefined || t.value === existing.value),
          ),
      );
      record.tags =
        how === 'create' ? [...kept, ...tags.map((t) => ({ key: t.key, value: t.value ?? '' }))] : kept;
    }
    return '<return>true</return>';
  }

  #describe(params: QueryParams): string {
    this.#expire();
    const ids = params.list('VpcEndpointId');
    for (const id of ids) assertWellFormed(id);
    const missing = ids.filter((id) => !this.#visible(id));
    if (missing.length > 0) {
      throw new AwsApiError(
        'InvalidVpcEndpointId.NotFound',
        `The Vpc Endpoint Id${missing.length > 1 ? 's' : ''} '${missing.join(', ')}' does not exist`,
      );
    }
    const filters = params
      .structs('Filter')
      .map((f) => ({ name: f.get('Name') ?? '', values: f.list('Value') }));
    for (const filter of filters) {
      if (!FILTERS.has(filter.name) && !/^tag:.+/.test(filter.name)) {
        throw new AwsApiError('InvalidParameterValue', `The filter '${filter.name}' is invalid`);
      }
    }
    const maxResults = params.int('MaxResults');
    if (maxResults !== undefined && maxResults < 1) {
      throw new AwsApiError(
        'InvalidParameterValue',
        `Value (${maxResults}) for parameter maxResults is invalid.`,
      );
    }
    const offset = decodeOffsetToken(params.get('NextToken'), 'InvalidNextToken');

    const candidates =
      ids.length > 0
        ? ids.map((id) => this.#endpoints.get(id)!)
        : [...this.#endpoints.values()].filter((r) => this.#visible(r.id));
    // The state filter sees the state this describe would report, so the state is peeked first and
    // only the endpoints actually returned count a describe.
    const matching = candidates
      .map((record) => ({ record, state: this.#stateOf(record) }))
      .filter(({ record, state }) => filters.every((f) => matchesFilter(record, state, f)));
    const pageSize = Math.min(maxResults ?? MAX_RESULTS, MAX_RESULTS);
    const page = matching.slice(offset, offset + pageSize);
    const nextToken = offset + pageSize < matching.length ? encodeOffsetToken(offset + pageSize) : undefined;
    for (const { record } of page) this.#countDescribe(record);
    return describeVpcEndpointsXml(
      page.map(({ record, state }) => this.#wireView(record, state)),
      nextToken,
    );
  }

  #delete(params: QueryParams): string {
    this.#expire();
    const ids = params.list('VpcEndpointId');
    if (ids.length === 0) {
      throw new AwsApiError('MissingParameter', 'The request must contain the parameter VpcEndpointId');
    }
    for (const id of ids) assertWellFormed(id);
    const unsuccessful: UnsuccessfulXmlItem[] = [];
    for (const id of new Set(ids)) {
      const record = this.#visible(id) ? this.#endpoints.get(id) : undefined;
      // Batch calls report per-id failures instead of failing as a whole; EC2 uses this code (not
      // DescribeVpcEndpoints' InvalidVpcEndpointId.NotFound) for an id it does not know.
      if (!record || this.#stateOf(record) === VpcEndpointState.Deleted) {
        unsuccessful.push({
          resourceId: id,
          code: 'InvalidVpcEndpoint.NotFound',
          message: `The VpcEndpoint Id '${id}' does not exist`,
        });
        continue;
      }
      if (record.deletion) continue; // already deleting: nothing more to do, and no error
      record.forcedState = undefined;
      record.deletion = { describesLeft: this.#deletingDescribes };
      if (this.#deletingDescribes === 0) record.deletion.deletedAt = this.#config.clock();
    }
    return deleteVpcEndpointsXml(unsuccessful);
  }

  /** Whether EC2's reads already see the endpoint (see `visibilityDelaySeconds`). */
  #visible(id: string): boolean {
    const record = this.#endpoints.get(id);
    return record !== undefined && this.#config.clock() - record.createdAt >= this.#visibilityDelayMs;
  }

  /** The state the endpoint reports now, without advancing anything. */
  #stateOf(record: EndpointRecord): VpcEndpointState {
    if (record.deletion) {
      return record.deletion.deletedAt === undefined ? VpcEndpointState.Deleting : VpcEndpointState.Deleted;
    }
    if (record.forcedState) return record.forcedState;
    const atlas = this.#config.atlas;
    if (atlas) {
      const registration = atlas.peekInterfaceEndpoint(record.id);
      // Recording what was observed is not advancing anything: Atlas's own state is untouched.
      if (registration) record.seenInAtlas = true;
      return stateFromAtlas(registration, record.seenInAtlas);
    }
    const script = this.#unlinkedStates;
    return script[Math.min(record.describes, script.length - 1)]!;
  }

  #countDescribe(record: EndpointRecord): void {
    record.describes += 1;
    const deletion = record.deletion;
    if (deletion && deletion.deletedAt === undefined) {
      deletion.describesLeft -= 1;
      if (deletion.describesLeft <= 0) deletion.deletedAt = this.#config.clock();
    }
  }

  /** Drops deleted endpoints whose retention has passed (their ids are then unknown, as in AWS). */
  #expire(): void {
    const now = this.#config.clock();
    for (const [id, record] of this.#endpoints) {
      const deletedAt = record.deletion?.deletedAt;
      if (deletedAt !== undefined && now - deletedAt >= this.#deletedRetentionMs) this.#endpoints.delete(id);
    }
  }

  #defaultGroupOf(vpcId: string): string[] {
    const all = [...this.#groups.values()].filter((g) => g.vpcId === vpcId);
    const chosen = all.find((g) => (g.groupName ?? 'default') === 'default') ?? all[0];
    return chosen ? [chosen.groupId] : [];
  }

  #wireView(record: EndpointRecord, state: VpcEndpointState): VpcEndpointXmlView {
    const gone = state === VpcEndpointState.Deleted;
    return {
      vpcEndpointId: record.id,
      vpcEndpointType: record.type,
      vpcId: record.vpcId,
      serviceName: record.serviceName,
      serviceRegion: record.serviceRegion,
      state,
      ...(record.policyDocument !== undefined ? { policyDocument: record.policyDocument } : {}),
      routeTableIds: record.routeTableIds,
      // A deleted endpoint has released its subnets, network interfaces and DNS names.
      subnetIds: gone ? [] : record.subnetIds,
      groups: record.groupIds.map((groupId) => ({
        groupId,
        groupName: this.#groups.get(groupId)?.groupName ?? 'default',
      })),
      ipAddressType: record.ipAddressType,
      privateDnsEnabled: record.privateDnsEnabled,
      requesterManaged: false,
      networkInterfaceIds: gone ? [] : record.networkInterfaceIds,
      dnsEntries: gone ? [] : record.dnsEntries,
      creationTimestamp: record.createdAt,
      tags: record.tags,
      ownerId: this.#config.accountId,
    };
  }
}

/**
 * EC2's state of an endpoint to an Atlas service, from Atlas's view of the registration. Atlas
 * accepts the connection when the registration succeeds and rejects it when the registration fails
 * or is deleted; until it is registered the connection waits for acceptance.
 *
 * @param wasRegistered - Atlas had a registration for it before: if it is gone now, it was deleted.
 */
export function stateFromAtlas(
  registration:
    | { readonly connectionStatus: ConnectionStatus; readonly deleteRequested: boolean }
    | undefined,
  wasRegistered = false,
): VpcEndpointState {
  if (!registration) return wasRegistered ? VpcEndpointState.Rejected : VpcEndpointState.PendingAcceptance;
  if (registration.deleteRequested) return VpcEndpointState.Rejected;
  switch (registration.connectionStatus) {
    case ConnectionStatus.PENDING:
      return VpcEndpointState.Pending;
    case ConnectionStatus.AVAILABLE:
      return VpcEndpointState.Available;
    case ConnectionStatus.REJECTED:
    case ConnectionStatus.DELETING:
      return VpcEndpointState.Rejected;
    default:
      // NONE or PENDING_ACCEPTANCE
      return VpcEndpointState.PendingAcceptance;
  }
}

function required(params: QueryParams, name: string): string {
  const value = params.get(name);
  if (value === undefined || value === '') {
    throw new AwsApiError('MissingParameter', `The request must contain the parameter ${name}`);
  }
  return value;
}

function assertWellFormed(id: string): void {
  if (!VPC_ENDPOINT_ID.test(id)) {
    throw new AwsApiError('InvalidVpcEndpointId.Malformed', `Invalid Id: '${id}' (expecting 'vpce-...')`);
  }
}

function parseTagSpecifications(params: QueryParams): { key: string; value: string }[] {
  const tags: { key: string; value: string }[] = [];
  for (const spec of params.structs('TagSpecification')) {
    const resourceType = spec.get('ResourceType');
    if (resourceType !== TAGGABLE_TYPE) {
      throw new AwsApiError(
        'InvalidParameterValue',
        `'${resourceType ?? ''}' is not a valid taggable resource type for this operation.`,
      );
    }
    for (const tag of spec.structs('Tag')) {
      const key = tag.get('Key');
      if (!key) throw new AwsApiError('InvalidParameterValue', 'Tag keys must not be empty.');
      if (key.startsWith('aws:')) {
        throw new AwsApiError(
          'InvalidParameterValue',
          `Tag keys starting with 'aws:' are reserved for internal use`,
        );
      }
      tags.push({ key, value: tag.get('Value') ?? '' });
    }
  }
  return tags;
}

function matchesFilter(
  record: EndpointRecord,
  state: VpcEndpointState,
  filter: { readonly name: string; readonly values: readonly string[] },
): boolean {
  const any = (candidates: readonly string[]) =>
    filter.values.some((pattern) => candidates.some((candidate) => globMatch(pattern, candidate)));
  switch (filter.name) {
    case 'vpc-endpoint-id':
      return any([record.id]);
    case 'vpc-id':
      return any([record.vpcId]);
    case 'service-name':
      return any([record.serviceName]);
    case 'vpc-endpoint-state':
      return any([state]);
    case 'vpc-endpoint-type':
      return any([record.type]);
    case 'tag-key':
      return any(record.tags.map((t) => t.key));
    default: {
      const key = filter.name.slice('tag:'.length);
      return any(record.tags.filter((t) => t.key === key).map((t) => t.value));
    }
  }
}

/** EC2 filter values take `*` and `?` wildcards. */
function globMatch(pattern: string, candidate: string): boolean {
  if (!/[*?]/.test(pattern)) return pattern === candidate;
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`).test(candidate);
}

function validateTopology(topology: Ec2Topology): void {
  const vpcs = new Set(topology.vpcs.map((v) => v.vpcId));
  for (const [i, subnet] of topology.subnets.entries()) {
    if (!vpcs.has(subnet.vpcId)) {
      throw new EmulatorOptionsError(
        `ec2.topology.subnets[${i}].vpcId: no VPC ${JSON.stringify(subnet.vpcId)} in topology.vpcs`,
      );
    }
  }
  for (const [i, group] of topology.securityGroups.entries()) {
    if (!vpcs.has(group.vpcId)) {
      throw new EmulatorOptionsError(
        `ec2.topology.securityGroups[${i}].vpcId: no VPC ${JSON.stringify(group.vpcId)} in topology.vpcs`,
      );
    }
  }
}
