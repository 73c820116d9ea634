import type { CloudProvider, ConnectionStatus, EndpointServiceStatus } from '../../lambdas/atlas/types';
import { cidrContains } from '../../lambdas/domain/securityGroups';
import { awsRegion } from '../../lambdas/regions';
import type { AtlasServiceView, AtlasSideView, Clock } from '../shared/model';
import { type AvailableEndpoint, ClusterModel } from './clusters';
import { AtlasApiError, AtlasErrorCode } from './errors';
import { awsEndpointServiceName, azurePrivateLinkService, gcpServiceAttachments, objectId } from './naming';
import type { ParsedEndpointRequest } from './requestBodies';
import { parseEndpointRequest, parseServiceRequest, parseServiceUpdate } from './requestBodies';
import {
  type AtlasScript,
  DEFAULT_DELETING_POLLS,
  notFoundForMs,
  type ResolvedBehaviour,
  type ResolvedStep,
  resolveAfterUpdate,
  resolveAttempt,
  resolveEndpointService,
  stepAtRead,
  stepAtTime,
} from './script';

interface Deletion {
  readonly polls: number;
  reads: number;
}

interface ServiceRecord {
  readonly groupId: string;
  readonly id: string;
  readonly cloudProvider: CloudProvider;
  readonly regionName: string;
  readonly awsRegion?: string;
  readonly createdAt: number;
  readonly behaviour: ResolvedBehaviour<EndpointServiceStatus>;
  readonly issued: {
    readonly endpointServiceName?: string;
    readonly privateLinkServiceName?: string;
    readonly privateLinkServiceResourceId?: string;
    readonly serviceAttachmentNames?: readonly string[];
  };
  readonly portMappingEnabled: boolean;
  /** Atlas removes it once the deletion of its last endpoint completes (see the script). */
  readonly removeWithLastEndpoint: boolean;
  reads: number;
  lastServed: ResolvedStep<EndpointServiceStatus>;
  deletion?: Deletion;
  /** AWS only: other regions (Atlas form) whose VPCs may connect through cross-region endpoints. */
  remoteRegions: readonly string[];
  /** The last PATCH that changed `remoteRegions`: reads follow its steps until the next one. */
  update?: ServiceUpdate;
  updates: number;
  /** In registration order, keyed by the endpoint id as it appears (decoded) in the path. */
  readonly endpoints: Map<string, EndpointRecord>;
}

interface ServiceUpdate {
  readonly steps: readonly ResolvedStep<EndpointServiceStatus>[];
  /** The remote regions before it: while the update is not done, only those still listed are usable. */
  readonly before: readonly string[];
  reads: number;
  lastServed: ResolvedStep<EndpointServiceStatus>;
}

interface EndpointRecord {
  readonly request: ParsedEndpointRequest;
  readonly attempt: number;
  readonly registeredAt: number;
  readonly behaviour: ResolvedBehaviour<ConnectionStatus>;
  /** Reads before this time (emulator clock) answer 404: the registration is not visible yet. */
  readonly visibleAt: number;
  reads: number;
  lastServed: ResolvedStep<ConnectionStatus>;
  deletion?: Deletion;
}

/** What the emulator holds for one endpoint service, for tests and tools (reading it changes nothing). */
export interface EmulatedEndpointService {
  readonly groupId: string;
  readonly id: string;
  readonly cloudProvider: CloudProvider;
  readonly regionName: string;
  /** The AWS service name issued at creation (shown by the API only once the service is past INITIATING). */
  readonly endpointServiceName: string | null;
  /** Atlas's current view: the status last served, or DELETING. */
  readonly status: EndpointServiceStatus;
  readonly deleteRequested: boolean;
  readonly reads: number;
  readonly endpointIds: readonly string[];
  /** AWS: the remote regions it lists (Atlas form), as its reads show them. */
  readonly supportedRemoteRegions: readonly string[];
  /** How many PATCHes changed its remote regions. */
  readonly updates: number;
}

/** What the emulator holds for one registered private endpoint (reading it changes nothing). */
export interface EmulatedPrivateEndpoint {
  readonly groupId: string;
  readonly endpointServiceId: string;
  readonly cloudProvider: CloudProvider;
  /** The vpce id, Azure ARM id or GCP endpoint group name. */
  readonly endpointId: string;
  /** Which registration in its project and service this is, counting from 0. */
  readonly attempt: number;
  readonly connectionStatus: ConnectionStatus;
  readonly errorMessage: string | null;
  readonly deleteRequested: boolean;
  readonly reads: number;
  readonly registeredAt: number;
}

const DELETING_SERVICE: ResolvedStep<EndpointServiceStatus> = { status: 'DELETING', errorMessage: null };
const AVAILABLE_SERVICE: ResolvedStep<EndpointServiceStatus> = { status: 'AVAILABLE', errorMessage: null };
const DELETING_ENDPOINT: ResolvedStep<ConnectionStatus> = { status: 'DELETING', errorMessage: null };

/** Azure and GCP report their own status words; the script speaks AWS's. */
function otherProviderStatus(status: ConnectionStatus): string {
  switch (status) {
    case 'AVAILABLE':
    case 'DELETING':
      return status;
    case 'REJECTED':
      return 'FAILED';
    default:
      return 'INITIATING';
  }
}

/**
 * The Atlas side of the emulator: projects, endpoint services and their registrations, with scripted
 * statuses. No HTTP here; failures are thrown as {@link AtlasApiError}.
 */
export class AtlasState implements AtlasSideView {
  readonly #clock: Clock;
  readonly #services = new Map<string, ServiceRecord>();
  /** Registrations made so far per project and provider: the index into the script's `attempts`. */
  readonly #registrations = new Map<string, number>();
  readonly #clusters: ClusterModel;
  #script: AtlasScript = {};

  constructor(clock: Clock) {
    this.#clock = clock;
    this.#clusters = new ClusterModel(clock);
  }

  /** Services and registrations created from now on follow it; `deletingPolls` applies to deletes from now on. */
  setScript(script: AtlasScript): void {
    this.#script = script;
  }

  /** Refuses the call when the script's API access list does not cover the address Atlas sees. */
  checkApiAccess(): void {
    const list = this.#script.apiAccessList;
    if (!list) return;
    const admitted = list.allowed.some((entry) =>
      entry.includes('/') ? cidrContains(entry, `${list.callerIp}/32`) : entry === list.callerIp,
    );
    if (admitted) return;
    throw new AtlasApiError(
      403,
      AtlasErrorCode.IP_ADDRESS_NOT_ON_ACCESS_LIST,
      `IP address ${list.callerIp} is not allowed to access this resource.`,
      [list.callerIp],
    );
  }

  reset(): void {
    this.#services.clear();
    this.#registrations.clear();
    this.#clusters.reset();
  }

  /**
   * One page of the project's clusters (`PaginatedClusterDescription20240805`); `links` carry `self`, and
   * `previous`/`next` where there are such pages, built on `selfUrl` (the request URL without its query).
   */
  listClusters(
    groupId: string,
    page: { readonly pageNum: number; readonly itemsPerPage: number; readonly includeCount: boolean },
    selfUrl: string,
  ): Record<string, unknown> {
    const all = this.#clusters.clusters(groupId, this.#script.clusters ?? []);
    const start = (page.pageNum - 1) * page.itemsPerPage;
    const slice = all.slice(start, start + page.itemsPerPage);
    const available = this.#availableEndpoints(groupId);
    const link = (rel: string, pageNum: number) => ({
      href: `${selfUrl}?pageNum=${pageNum}&itemsPerPage=${page.itemsPerPage}`,
      rel,
    });
    return {
      links: [
        ...(page.pageNum > 1 ? [link('previous', page.pageNum - 1)] : []),
        link('self', page.pageNum),
        ...(start + page.itemsPerPage < all.length ? [link('next', page.pageNum + 1)] : []),
      ],
      results: slice.map((record) => this.#clusters.read(groupId, record, available)),
      ...(page.includeCount ? { totalCount: all.length } : {}),
    };
  }

  /** One cluster by name, or 404 CLUSTER_NOT_FOUND. */
  getCluster(groupId: string, name: string): Record<string, unknown> {
    const record = this.#clusters
      .clusters(groupId, this.#script.clusters ?? [])
      .find((c) => c.script.name === name);
    if (!record) {
      throw new AtlasApiError(
        404,
        AtlasErrorCode.CLUSTER_NOT_FOUND,
        `No cluster named ${name} exists in group ${groupId}.`,
        [name, groupId],
      );
    }
    return this.#clusters.read(groupId, record, this.#availableEndpoints(groupId));
  }

  /** The project's AWS private endpoints that are AVAILABLE (not being deleted), by Atlas's current view. */
  #availableEndpoints(groupId: string): AvailableEndpoint[] {
    const available: AvailableEndpoint[] = [];
    for (const service of this.#services.values()) {
      if (service.groupId !== groupId || service.cloudProvider !== 'AWS' || service.deletion) continue;
      for (const [endpointId, endpoint] of service.endpoints) {
        if (!endpoint.deletion && this.#endpointView(endpoint).status === 'AVAILABLE') {
          available.push({ endpointId, region: service.regionName });
        }
      }
    }
    return available;
  }

  createService(groupId: string, body: unknown): Record<string, unknown> {
    const record = this.#createService(groupId, body, resolveEndpointService(this.#script));
    return this.#serviceJson(record, record.lastServed);
  }

  /**
   * A service the project had before (validated like a create, `body` as its request): provisioned and
   * AVAILABLE from its first read on. Returns its id.
   */
  addAvailableService(groupId: string, body: unknown): string {
    const record = this.#createService(groupId, body, { kind: 'reads', steps: [AVAILABLE_SERVICE] });
    record.lastServed = AVAILABLE_SERVICE;
    return record.id;
  }

  #createService(
    groupId: string,
    body: unknown,
    behaviour: ResolvedBehaviour<EndpointServiceStatus>,
  ): ServiceRecord {
    const request = parseServiceRequest(body);
    for (const existing of this.#services.values()) {
      if (
        existing.groupId === groupId &&
        existing.cloudProvider === request.cloudProvider &&
        existing.regionName === request.regionName
      ) {
        throw new AtlasApiError(
          409,
          AtlasErrorCode.PRIVATE_ENDPOINT_SERVICE_ALREADY_EXISTS_FOR_REGION,
          `A private endpoint service already exists for ${request.cloudProvider} region ${request.regionName}.`,
          [request.cloudProvider, request.regionName],
        );
      }
    }
    const issued =
      request.cloudProvider === 'AWS'
        ? { endpointServiceName: awsEndpointServiceName(request.awsRegion!) }
        : request.cloudProvider === 'AZURE'
          ? (({ name, resourceId }) => ({
              privateLinkServiceName: name,
              privateLinkServiceResourceId: resourceId,
            }))(azurePrivateLinkService(request.regionName))
          : { serviceAttachmentNames: gcpServiceAttachments(request.regionName) };
    const record: ServiceRecord = {
      groupId,
      id: objectId(this.#clock),
      cloudProvider: request.cloudProvider,
      regionName: request.regionName,
      ...(request.awsRegion ? { awsRegion: request.awsRegion } : {}),
      createdAt: this.#clock(),
      behaviour,
      issued,
      portMappingEnabled: request.portMappingEnabled,
      removeWithLastEndpoint:
        request.cloudProvider === 'AWS' && this.#script.endpointService?.removeWithLastEndpoint === true,
      reads: 0,
      // Atlas answers the creation itself with INITIATING whatever follows.
      lastServed: { status: 'INITIATING', errorMessage: null },
      remoteRegions: request.supportedRemoteRegions,
      updates: 0,
      endpoints: new Map(),
    };
    this.#services.set(record.id, record);
    return record;
  }

  listServices(groupId: string, cloudProvider: CloudProvider): Record<string, unknown>[] {
    const listed: Record<string, unknown>[] = [];
    for (const record of [...this.#services.values()]) {
      if (record.groupId !== groupId || record.cloudProvider !== cloudProvider) continue;
      const step = this.#readService(record);
      if (step) listed.push(this.#serviceJson(record, step));
    }
    return listed;
  }

  getService(groupId: string, cloudProvider: CloudProvider, serviceId: string): Record<string, unknown> {
    const record = this.#service(groupId, cloudProvider, serviceId);
    const step = this.#readService(record);
    if (!step) throw this.#serviceNotFound(serviceId);
    return this.#serviceJson(record, step);
  }

  /**
   * `PATCH …/endpointService/{id}`: replaces an AWS service's remote regions. A change starts an update
   * (the service shows `afterUpdate`'s steps); the same list again changes nothing. Refused while the
   * service is INITIATING or DELETING.
   */
  updateService(groupId: string, serviceId: string, body: unknown): Record<string, unknown> {
    const record = this.#services.get(serviceId);
    if (!record || record.groupId !== groupId) throw this.#serviceNotFound(serviceId);
    if (record.cloudProvider !== 'AWS') {
      throw new AtlasApiError(
        400,
        AtlasErrorCode.PROVIDER_UNSUPPORTED,
        `Cross-region private endpoints are not supported for provider ${record.cloudProvider}.`,
        [record.cloudProvider],
      );
    }
    const { supportedRemoteRegions } = parseServiceUpdate(body, record.regionName);
    const status = this.#serviceView(record).status;
    if (status === 'INITIATING' || status === 'DELETING') {
      throw new AtlasApiError(
        409,
        AtlasErrorCode.PRIVATE_ENDPOINT_SERVICE_NOT_READY,
        `The private endpoint service ${serviceId} is ${status} and cannot be updated now.`,
        [serviceId],
      );
    }
    const next = supportedRemoteRegions ?? record.remoteRegions;
    const changed =
      next.length !== record.remoteRegions.length || next.some((r) => !record.remoteRegions.includes(r));
    if (!changed) return this.#serviceJson(record, this.#serviceView(record));
    const steps = resolveAfterUpdate(this.#script);
    record.update = { steps, before: record.remoteRegions, reads: 0, lastServed: steps[0]! };
    record.updates += 1;
    record.remoteRegions = next;
    return this.#serviceJson(record, record.update.lastServed);
  }

  deleteService(groupId: string, cloudProvider: CloudProvider, serviceId: string): void {
    const record = this.#service(groupId, cloudProvider, serviceId);
    if (record.deletion) return;
    if (record.endpoints.size > 0) {
      throw new AtlasApiError(
        409,
        AtlasErrorCode.CANNOT_DELETE_PRIVATELINK_WITH_ENDPOINTS,
        'A PrivateLink with endpoints cannot be deleted. Please delete all endpoints and retry.',
        [serviceId],
      );
    }
    record.deletion = { polls: this.#deletingPolls(), reads: 0 };
  }

  createEndpoint(
    groupId: string,
    cloudProvider: CloudProvider,
    serviceId: string,
    body: unknown,
  ): Record<string, unknown> {
    const service = this.#service(groupId, cloudProvider, serviceId);
    const request = parseEndpointRequest(cloudProvider, body);
    const status = this.#serviceView(service).status;
    if (status !== 'AVAILABLE' && status !== 'WAITING_FOR_USER') {
      throw new AtlasApiError(
        409,
        AtlasErrorCode.PRIVATELINK_CANNOT_ACCEPT_ENDPOINTS,
        `The PrivateLink with the specified id ${serviceId} is not ready to accept endpoint connection requests.`,
        [serviceId],
      );
    }
    if (service.endpoints.has(request.endpointId)) {
      throw new AtlasApiError(
        409,
        AtlasErrorCode.PRIVATELINK_INTERFACE_ENDPOINT_ALREADY_EXISTS,
        `The PrivateLink already contains an interface endpoint with the specified id ${request.endpointId}.`,
        [request.endpointId],
      );
    }
    // Counted per project and provider, so a script's attempts carry on across a service Atlas removed and
    // the workflow created again.
    const key = `${groupId}/${cloudProvider}`;
    const attempt = this.#registrations.get(key) ?? 0;
    this.#registrations.set(key, attempt + 1);
    const behaviour = resolveAttempt(this.#script, attempt);
    const registeredAt = this.#clock();
    const record: EndpointRecord = {
      request,
      attempt,
      registeredAt,
      behaviour,
      visibleAt: registeredAt + notFoundForMs(this.#script, attempt),
      reads: 0,
      lastServed: behaviour.steps[0]!,
    };
    service.endpoints.set(request.endpointId, record);
    return this.#endpointJson(record, record.lastServed);
  }

  getEndpoint(
    groupId: string,
    cloudProvider: CloudProvider,
    serviceId: string,
    endpointId: string,
  ): Record<string, unknown> {
    const service = this.#service(groupId, cloudProvider, serviceId);
    const record = this.#endpoint(service, endpointId);
    if (record.deletion) {
      record.deletion.reads += 1;
      if (record.deletion.reads > record.deletion.polls) {
        service.endpoints.delete(endpointId);
        if (service.removeWithLastEndpoint && service.endpoints.size === 0 && !service.deletion) {
          service.deletion = { polls: this.#deletingPolls(), reads: 0 };
        }
        throw this.#endpointNotFound(endpointId);
      }
      return this.#endpointJson(record, DELETING_ENDPOINT);
    }
    if (this.#clock() < record.visibleAt) throw this.#endpointNotFound(endpointId);
    const step =
      record.behaviour.kind === 'timeline'
        ? stepAtTime(record.behaviour.steps, this.#clock() - record.registeredAt)
        : stepAtRead(record.behaviour.steps, record.reads);
    record.reads += 1;
    record.lastServed = step;
    return this.#endpointJson(record, step);
  }

  deleteEndpoint(groupId: string, cloudProvider: CloudProvider, serviceId: string, endpointId: string): void {
    const service = this.#service(groupId, cloudProvider, serviceId);
    const record = this.#endpoint(service, endpointId);
    if (!record.deletion) record.deletion = { polls: this.#deletingPolls(), reads: 0 };
  }

  services(groupId?: string): EmulatedEndpointService[] {
    return [...this.#services.values()]
      .filter((s) => groupId === undefined || s.groupId === groupId)
      .map((s) => ({
        groupId: s.groupId,
        id: s.id,
        cloudProvider: s.cloudProvider,
        regionName: s.regionName,
        endpointServiceName: s.issued.endpointServiceName ?? null,
        status: this.#serviceView(s).status,
        deleteRequested: s.deletion !== undefined,
        reads: s.reads,
        endpointIds: [...s.endpoints.keys()],
        supportedRemoteRegions: [...s.remoteRegions],
        updates: s.updates,
      }));
  }

  endpoints(groupId?: string): EmulatedPrivateEndpoint[] {
    const found: EmulatedPrivateEndpoint[] = [];
    for (const s of this.#services.values()) {
      if (groupId !== undefined && s.groupId !== groupId) continue;
      for (const [endpointId, e] of s.endpoints) {
        const view = this.#endpointView(e);
        found.push({
          groupId: s.groupId,
          endpointServiceId: s.id,
          cloudProvider: s.cloudProvider,
          endpointId,
          attempt: e.attempt,
          connectionStatus: view.status,
          errorMessage: view.errorMessage,
          deleteRequested: e.deletion !== undefined,
          reads: e.reads,
          registeredAt: e.registeredAt,
        });
      }
    }
    return found;
  }

  findServiceByName(serviceName: string): AtlasServiceView | undefined {
    for (const s of this.#services.values()) {
      if (s.issued.endpointServiceName === serviceName && s.awsRegion) {
        return {
          groupId: s.groupId,
          endpointServiceId: s.id,
          region: s.awsRegion,
          remoteRegions: this.#usableRemoteRegions(s).map((r) => awsRegion(r) ?? r),
        };
      }
    }
    return undefined;
  }

  /**
   * The remote regions endpoints may be created from now: all listed once the service is AVAILABLE or
   * WAITING_FOR_USER; during an update only those listed before it too; none before the service is up.
   */
  #usableRemoteRegions(record: ServiceRecord): readonly string[] {
    const status = this.#serviceView(record).status;
    if (status === 'AVAILABLE' || status === 'WAITING_FOR_USER') return record.remoteRegions;
    const before = record.update?.before ?? [];
    return record.remoteRegions.filter((r) => before.includes(r));
  }

  peekInterfaceEndpoint(
    vpcEndpointId: string,
  ): { readonly connectionStatus: ConnectionStatus; readonly deleteRequested: boolean } | undefined {
    let latest: EndpointRecord | undefined;
    for (const s of this.#services.values()) {
      if (s.cloudProvider !== 'AWS') continue;
      const e = s.endpoints.get(vpcEndpointId);
      if (e && (!latest || e.registeredAt >= latest.registeredAt)) latest = e;
    }
    if (!latest) return undefined;
    return {
      connectionStatus: this.#endpointView(latest).status,
      deleteRequested: latest.deletion !== undefined,
    };
  }

  #deletingPolls(): number {
    return this.#script.deletingPolls ?? DEFAULT_DELETING_POLLS;
  }

  #service(groupId: string, cloudProvider: CloudProvider, serviceId: string): ServiceRecord {
    const record = this.#services.get(serviceId);
    if (!record || record.groupId !== groupId || record.cloudProvider !== cloudProvider) {
      throw this.#serviceNotFound(serviceId);
    }
    return record;
  }

  #endpoint(service: ServiceRecord, endpointId: string): EndpointRecord {
    const record = service.endpoints.get(endpointId);
    if (!record) throw this.#endpointNotFound(endpointId);
    return record;
  }

  #serviceNotFound(serviceId: string): AtlasApiError {
    return new AtlasApiError(
      404,
      AtlasErrorCode.PRIVATE_ENDPOINT_SERVICE_NOT_FOUND,
      `Private endpoint service ${serviceId} not found.`,
      [serviceId],
    );
  }

  #endpointNotFound(endpointId: string): AtlasApiError {
    return new AtlasApiError(
      404,
      AtlasErrorCode.PRIVATELINK_INTERFACE_ENDPOINT_NOT_FOUND,
      `A PrivateLink interface endpoint with id ${endpointId} does not exist.`,
      [endpointId],
    );
  }

  /** One API read of a service; undefined when it has just finished deleting (and is now gone). */
  #readService(record: ServiceRecord): ResolvedStep<EndpointServiceStatus> | undefined {
    if (record.deletion) {
      record.deletion.reads += 1;
      if (record.deletion.reads > record.deletion.polls) {
        this.#services.delete(record.id);
        return undefined;
      }
      return DELETING_SERVICE;
    }
    const update = record.update;
    if (update) {
      update.reads += 1;
      update.lastServed = stepAtRead(update.steps, update.reads);
      record.reads += 1;
      record.lastServed = update.lastServed;
      return update.lastServed;
    }
    const step =
      record.behaviour.kind === 'timeline'
        ? stepAtTime(record.behaviour.steps, this.#clock() - record.createdAt)
        : stepAtRead(record.behaviour.steps, record.reads);
    record.reads += 1;
    record.lastServed = step;
    return step;
  }

  /** Atlas's current view, without reading: per-read scripts show what was last served. */
  #serviceView(record: ServiceRecord): ResolvedStep<EndpointServiceStatus> {
    if (record.deletion) return DELETING_SERVICE;
    if (record.update) return record.update.lastServed;
    if (record.behaviour.kind === 'timeline')
      return stepAtTime(record.behaviour.steps, this.#clock() - record.createdAt);
    return record.lastServed;
  }

  #endpointView(record: EndpointRecord): ResolvedStep<ConnectionStatus> {
    if (record.deletion) return DELETING_ENDPOINT;
    if (record.behaviour.kind === 'timeline') {
      return stepAtTime(record.behaviour.steps, this.#clock() - record.registeredAt);
    }
    return record.lastServed;
  }

  #serviceJson(record: ServiceRecord, step: ResolvedStep<EndpointServiceStatus>): Record<string, unknown> {
    // Nothing is provisioned yet while INITIATING, and nothing will be once FAILED; a service being updated
    // keeps what it has.
    const provisioned =
      record.update !== undefined || (step.status !== 'INITIATING' && step.status !== 'FAILED');
    const common = {
      cloudProvider: record.cloudProvider,
      errorMessage: step.errorMessage,
      id: record.id,
      regionName: record.regionName,
      status: step.status,
    };
    const endpointIds = [...record.endpoints.keys()];
    if (record.cloudProvider === 'AWS') {
      return {
        ...common,
        endpointServiceName: provisioned ? record.issued.endpointServiceName : null,
        interfaceEndpoints: endpointIds,
        supportedRemoteRegions: [...record.remoteRegions],
      };
    }
    if (record.cloudProvider === 'AZURE') {
      return {
        ...common,
        privateEndpoints: endpointIds,
        privateLinkServiceName: provisioned ? record.issued.privateLinkServiceName : null,
        privateLinkServiceResourceId: provisioned ? record.issued.privateLinkServiceResourceId : null,
      };
    }
    return {
      ...common,
      endpointGroupNames: endpointIds,
      portMappingEnabled: record.portMappingEnabled,
      serviceAttachmentNames: provisioned ? record.issued.serviceAttachmentNames : [],
    };
  }

  #endpointJson(record: EndpointRecord, step: ResolvedStep<ConnectionStatus>): Record<string, unknown> {
    const request = record.request;
    const deleteRequested = record.deletion !== undefined;
    if (request.cloudProvider === 'AWS') {
      return {
        cloudProvider: 'AWS',
        connectionStatus: step.status,
        deleteRequested,
        errorMessage: step.errorMessage,
        interfaceEndpointId: request.endpointId,
      };
    }
    const status = otherProviderStatus(step.status);
    if (request.cloudProvider === 'AZURE') {
      const [, subscription, , group, , , , name] = request.endpointId.split('/').slice(1);
      return {
        cloudProvider: 'AZURE',
        deleteRequested,
        errorMessage: step.errorMessage,
        privateEndpointConnectionName: `${subscription}%2F${group}%2F${name}`,
        privateEndpointIPAddress: request.ipAddress,
        privateEndpointResourceId: request.endpointId,
        status,
      };
    }
    return {
      cloudProvider: 'GCP',
      deleteRequested,
      endpointGroupName: request.endpointId,
      endpoints: request.endpoints.map((e) => ({ ...e, status })),
      errorMessage: step.errorMessage,
      gcpProjectId: request.gcpProjectId,
      status,
    };
  }
}
