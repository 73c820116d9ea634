import { Agent, type Dispatcher } from 'undici';
import {
  AtlasConflictError,
  AtlasNetworkError,
  AtlasNotFoundError,
  type AtlasPrivateLinkError,
  AtlasRateLimitedError,
  AtlasResponseError,
  AtlasServerError,
  InvalidRequestError,
} from '../errors';
import { type AtlasClientOptions, resolveOptions } from './AtlasClientOptions';
import { isConnectPhaseError, toAtlasApiError } from './atlasErrors';
import { selectDigestChallenge } from './digest/challenge';
import { digestAuth } from './digest/digestAuth';
import { type ExchangeResponse, exchange, headerValue } from './exchange';
import { type ApiVersion, AtlasPath, CLUSTERS_API, MAX_ITEMS_PER_PAGE } from './paths';
import { atlasRemoteRegions, check, refuseViolations } from './requestChecks';
import {
  asClusterPage,
  asEndpoint,
  asEndpointService,
  asEndpointServiceList,
  type EndpointOf,
  parseSuccessBody,
  type ResponseOrigin,
} from './responses';
import { decideRetry, parseRetryAfterMs, type RetryOptions } from './retryPolicy';
import { ServiceAccountToken } from './serviceAccountToken';
import type {
  AwsEndpointService,
  AzureEndpointService,
  CloudProvider,
  ClusterDescription,
  CreateAwsEndpointRequest,
  CreateAzureEndpointRequest,
  CreateEndpointServiceRequest,
  CreateGcpEndpointRequest,
  GcpEndpointService,
  UpdateEndpointServiceRequest,
} from './types';

export type { AtlasClientOptions } from './AtlasClientOptions';
export type { ApiVersion } from './paths';
export type { EndpointOf } from './responses';
export type { RetryOptions } from './retryPolicy';

/** The endpoint service type of each provider. */
export interface EndpointServiceOf {
  readonly AWS: AwsEndpointService;
  readonly AZURE: AzureEndpointService;
  readonly GCP: GcpEndpointService;
}

/** The create-endpoint body of each provider. */
export interface CreateEndpointRequestOf {
  readonly AWS: CreateAwsEndpointRequest;
  readonly AZURE: CreateAzureEndpointRequest;
  readonly GCP: CreateGcpEndpointRequest;
}

/** What a delete did. */
export interface DeleteResult {
  /**
   * `true` when Atlas accepted the delete (204); `false` when it answered 404, i.e. there was nothing
   * (left) to delete — already gone, or deleted by an earlier attempt of this same call.
   */
  readonly deleted: boolean;
}

type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

/** Reads and deletes may be sent again after a 5xx or a lost answer; creates and updates may not. */
const IDEMPOTENT_METHODS: ReadonlySet<Method> = new Set(['GET', 'DELETE']);

interface Call {
  readonly method: Method;
  /** Relative to the API version's base path. */
  readonly path: string;
  /** The query string, without `?`: sent, but left out of error messages. */
  readonly query?: string;
  readonly body?: unknown;
  /** Another API version than the client's (the clusters' newest schema). @default - the client's */
  readonly api?: { readonly basePath: string; readonly mediaType: string };
  /** Shared by the calls of one operation (a create and the read that follows its 409). */
  readonly deadlineMs: number;
}

type AttemptOutcome =
  | { readonly response: ExchangeResponse }
  | {
      readonly failure: Failure;
      readonly rejectedToken?: string | undefined;
      /** A 401 that says `stale=true`: the credentials were right, the nonce expired on the way. */
      readonly staleNonce?: boolean;
    };

interface Failure {
  readonly error: AtlasPrivateLinkError;
  readonly retryable: boolean;
  readonly retryAfterMs?: number | undefined;
}

/** A closed client or an argument undici refuses is a bug in the caller, not an outage: not worth a retry. */
const CALLER_BUG_CODES: ReadonlySet<string> = new Set([
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
  'UND_ERR_INVALID_ARG',
]);

/**
 * A typed client of the Atlas Admin API private-endpoint operations, over undici.
 *
 * - Checks every id before sending anything (`InvalidRequestError` naming the field).
 * - Authenticates with HTTP Digest (API key) or an OAuth 2.0 bearer token (service account).
 * - Maps every failure to a typed error of `lambdas/errors` (status first, then Atlas's `ApiError` body).
 * - Retries 429 (honouring `Retry-After`) for every call, and 5xx / network failures for reads and
 *   deletes, within `retry.maxAttempts` and `retry.deadlineMs`. Creates and updates are not re-sent after
 *   a 5xx or a failure once the request may have reached Atlas: the workflow retries them, a create of an
 *   endpoint that exists already reads as success, and an update is sent again only after a fresh read
 *   (it replaces a list, so a blind re-send could undo a change made in between).
 *
 * @example
 * const atlas = new AtlasClient({ credentials: { publicKey: 'abcdefgh', privateKey: '…' } });
 * try {
 *   const service = await atlas.createEndpointService(groupId, { providerName: 'AWS', region: 'us-east-1' });
 *   const endpoint = await atlas.createEndpoint(groupId, 'AWS', service.id, { id: 'vpce-0123456789abcdef0' });
 *   console.log(endpoint.connectionStatus); // typed as an AWS interface endpoint
 * } finally {
 *   await atlas.close();
 * }
 */
export class AtlasClient {
  readonly #origin: string;
  readonly #apiVersion: ApiVersion;
  readonly #basePath: string;
  readonly #mediaType: string;
  /** The path prefix of the base URL (behind a proxy), for calls in another API version. */
  readonly #pathPrefix: string;
  readonly #dispatcher: Dispatcher;
  readonly #baseDispatcher: Dispatcher;
  readonly #ownsDispatcher: boolean;
  readonly #tokens: ServiceAccountToken | undefined;
  readonly #headersTimeoutMs: number;
  readonly #bodyTimeoutMs: number;
  readonly #requestTimeoutMs: number;
  readonly #maxResponseBytes: number;
  readonly #retry: Required<RetryOptions>;
  readonly #userAgent: string;
  readonly #sleep: (ms: number) => Promise<void>;
  readonly #random: () => number;
  readonly #now: () => number;
  #closed = false;

  /**
   * @throws AtlasCredentialsError when `credentials` is neither a complete API key nor a complete service account.
   * @throws InvalidRequestError naming each option that is out of range (`baseUrl`, `retry.maxAttempts`, …).
   */
  constructor(options: AtlasClientOptions) {
    const resolved = resolveOptions(options);
    this.#origin = resolved.origin;
    this.#apiVersion = resolved.apiVersion;
    this.#basePath = resolved.basePath;
    this.#mediaType = resolved.mediaType;
    this.#pathPrefix = resolved.pathPrefix;
    this.#headersTimeoutMs = resolved.headersTimeoutMs;
    this.#bodyTimeoutMs = resolved.bodyTimeoutMs;
    this.#requestTimeoutMs = resolved.requestTimeoutMs;
    this.#maxResponseBytes = resolved.maxResponseBytes;
    this.#retry = resolved.retry;
    this.#userAgent = resolved.userAgent;
    this.#sleep = resolved.sleep;
    this.#random = resolved.random;
    this.#now = resolved.now;

    const { credentials } = resolved;
    this.#ownsDispatcher = options.dispatcher === undefined;
    this.#baseDispatcher =
      options.dispatcher ??
      new Agent({
        connect: { timeout: resolved.connectTimeoutMs },
        headersTimeout: this.#headersTimeoutMs,
        bodyTimeout: this.#bodyTimeoutMs,
      });
    if (credentials.kind === 'apiKey') {
      this.#dispatcher = this.#baseDispatcher.compose(
        digestAuth({ username: credentials.publicKey, password: credentials.privateKey }),
      );
      this.#tokens = undefined;
    } else {
      this.#dispatcher = this.#baseDispatcher;
      this.#tokens = new ServiceAccountToken({
        credentials,
        origin: resolved.origin,
        pathPrefix: resolved.pathPrefix,
        dispatcher: this.#baseDispatcher,
        userAgent: this.#userAgent,
        headersTimeoutMs: this.#headersTimeoutMs,
        bodyTimeoutMs: this.#bodyTimeoutMs,
        requestTimeoutMs: this.#requestTimeoutMs,
        now: this.#now,
      });
    }
  }

  /**
   * Creates the project's endpoint service for one provider and region (`POST …/privateEndpoint/endpointService`).
   * Atlas allows one per provider and region: a second one fails with `AtlasConflictError`
   * (`PRIVATE_ENDPOINT_SERVICE_ALREADY_EXISTS_FOR_REGION`); adopt the existing one via {@link listEndpointServices}.
   *
   * @example
   * const service = await atlas.createEndpointService('32b6e34b3d91647abb20e7b8', { providerName: 'AWS', region: 'us-east-1' });
   * service.status; // 'INITIATING'; service.endpointServiceName is null until it is AVAILABLE
   */
  async createEndpointService<P extends CloudProvider>(
    groupId: string,
    request: CreateEndpointServiceRequest & { readonly providerName: P },
  ): Promise<EndpointServiceOf[P]> {
    const { providerName, region, portMappingEnabled, supportedRemoteRegions } = request;
    refuseViolations([
      check.groupId(groupId),
      check.provider('providerName', providerName),
      check.region(providerName, region),
      ...check.remoteRegions(providerName, supportedRemoteRegions, region),
    ]);
    const body = {
      providerName,
      region,
      portMappingEnabled,
      ...(supportedRemoteRegions
        ? { supportedRemoteRegions: atlasRemoteRegions(supportedRemoteRegions) }
        : {}),
    };
    const call = this.#call('POST', AtlasPath.endpointServices(groupId), body);
    const { origin, json } = await this.#json(call);
    return asEndpointService(json, providerName, origin) as EndpointServiceOf[P];
  }

  /**
   * Sets the remote regions of an AWS endpoint service (`PATCH …/privateEndpoint/endpointService/{id}`,
   * API v2 only): VPCs in those regions may then connect through cross-region endpoints. The list replaces
   * the current one, so read the service first and send its regions plus yours. Atlas answers with the
   * service; a region added reaches AWS asynchronously, so read the service again until it is AVAILABLE
   * (or WAITING_FOR_USER) and lists the region before creating an endpoint from it.
   *
   * Like a create, an update is not re-sent after a 5xx or a lost answer (a 429 is: Atlas did nothing);
   * read the service again and decide anew.
   *
   * @throws InvalidRequestError naming each bad argument (a region in neither form, more than 35 regions,
   *   another provider than AWS), or when the client speaks API v1.0, which has no such operation.
   * @throws AtlasNotFoundError when the project or the service does not exist.
   *
   * @example
   * const service = await atlas.getEndpointService(groupId, 'AWS', serviceId);
   * await atlas.updateEndpointService(groupId, serviceId, {
   *   cloudProvider: 'AWS',
   *   supportedRemoteRegions: [...service.supportedRemoteRegions, 'US_EAST_1'],
   * });
   */
  async updateEndpointService(
    groupId: string,
    endpointServiceId: string,
    request: UpdateEndpointServiceRequest,
  ): Promise<AwsEndpointService> {
    const { cloudProvider, supportedRemoteRegions } = request;
    refuseViolations([
      check.groupId(groupId),
      check.endpointServiceId(endpointServiceId),
      cloudProvider === 'AWS'
        ? undefined
        : {
            field: 'cloudProvider',
            message: `expected "AWS" (only AWS endpoint services support remote regions), received ${JSON.stringify(cloudProvider)}`,
          },
      ...(supportedRemoteRegions === undefined
        ? [{ field: 'supportedRemoteRegions', message: 'expected an array of AWS regions' }]
        : check.remoteRegions('AWS', supportedRemoteRegions)),
    ]);
    if (this.#apiVersion !== 'v2') {
      throw new InvalidRequestError([
        {
          field: 'apiVersion',
          message: `updating an endpoint service needs API v2; this client speaks ${this.#apiVersion}`,
        },
      ]);
    }
    const body = { cloudProvider, supportedRemoteRegions: atlasRemoteRegions(supportedRemoteRegions) };
    const call = this.#call('PATCH', AtlasPath.endpointServiceUpdate(groupId, endpointServiceId), body);
    const { origin, json } = await this.#json(call);
    return asEndpointService(json, 'AWS', origin) as AwsEndpointService;
  }

  /**
   * Reads one endpoint service.
   * @throws AtlasNotFoundError when the project or the service does not exist.
   *
   * @example
   * const service = await atlas.getEndpointService(groupId, 'AWS', serviceId);
   * if (service.status === 'AVAILABLE') console.log(service.endpointServiceName);
   */
  async getEndpointService<P extends CloudProvider>(
    groupId: string,
    provider: P,
    endpointServiceId: string,
  ): Promise<EndpointServiceOf[P]> {
    refuseViolations([
      check.groupId(groupId),
      check.provider('cloudProvider', provider),
      check.endpointServiceId(endpointServiceId),
    ]);
    const call = this.#call('GET', AtlasPath.endpointService(groupId, provider, endpointServiceId));
    const { origin, json } = await this.#json(call);
    return asEndpointService(json, provider, origin) as EndpointServiceOf[P];
  }

  /**
   * Lists the project's endpoint services of one provider (Atlas answers a bare array).
   *
   * @example
   * const services = await atlas.listEndpointServices(groupId, 'AWS');
   * const existing = services.find((s) => s.regionName === 'US_EAST_1');
   */
  async listEndpointServices<P extends CloudProvider>(
    groupId: string,
    provider: P,
  ): Promise<EndpointServiceOf[P][]> {
    refuseViolations([check.groupId(groupId), check.provider('cloudProvider', provider)]);
    const call = this.#call('GET', AtlasPath.providerEndpointServices(groupId, provider));
    const { origin, json } = await this.#json(call);
    return asEndpointServiceList(json, provider, origin) as EndpointServiceOf[P][];
  }

  /**
   * Deletes an endpoint service. Atlas answers 204 and the service reads `DELETING` for a while.
   * A 404 resolves to `{ deleted: false }`: there is nothing to delete.
   *
   * @example
   * const { deleted } = await atlas.deleteEndpointService(groupId, 'AWS', serviceId);
   */
  async deleteEndpointService(
    groupId: string,
    provider: CloudProvider,
    endpointServiceId: string,
  ): Promise<DeleteResult> {
    refuseViolations([
      check.groupId(groupId),
      check.provider('cloudProvider', provider),
      check.endpointServiceId(endpointServiceId),
    ]);
    return this.#delete(
      this.#call('DELETE', AtlasPath.endpointService(groupId, provider, endpointServiceId)),
    );
  }

  /**
   * Registers a private endpoint with an endpoint service; the body's type follows `provider`.
   * If Atlas answers 409 because this very endpoint is registered already, the existing endpoint is
   * read and returned, so a create retried by the workflow reads as success. If the existing endpoint
   * is being deleted (`deleteRequested`), or cannot be read, the `AtlasConflictError` is thrown.
   *
   * @example
   * const aws = await atlas.createEndpoint(groupId, 'AWS', serviceId, { id: 'vpce-0123456789abcdef0' });
   * aws.connectionStatus; // 'PENDING_ACCEPTANCE' …
   *
   * const azure = await atlas.createEndpoint(groupId, 'AZURE', serviceId, {
   *   id: '/subscriptions/…/resourceGroups/rg/providers/Microsoft.Network/privateEndpoints/pe',
   *   privateEndpointIPAddress: '10.0.0.4',
   * });
   */
  async createEndpoint<P extends CloudProvider>(
    groupId: string,
    provider: P,
    endpointServiceId: string,
    request: CreateEndpointRequestOf[P],
  ): Promise<EndpointOf[P]> {
    refuseViolations([
      check.groupId(groupId),
      check.provider('cloudProvider', provider),
      check.endpointServiceId(endpointServiceId),
      ...(CLOUD_PROVIDERS.has(provider) ? check.createEndpointBody(provider, request) : []),
    ]);
    const { body, endpointId } = endpointBody(provider, request);
    const call = this.#call('POST', AtlasPath.endpoints(groupId, provider, endpointServiceId), body);
    try {
      const { origin, json } = await this.#json(call);
      return asEndpoint(json, provider, origin);
    } catch (error) {
      if (!(error instanceof AtlasConflictError)) throw error;
      const existing = await this.#existingEndpoint(groupId, provider, endpointServiceId, endpointId, call);
      if (existing === undefined || existing.deleteRequested === true) throw error;
      return existing;
    }
  }

  /**
   * Reads one endpoint. `endpointId` is the AWS `vpce-…` id, the Azure private endpoint's ARM id (sent
   * URL-encoded as one path segment) or the GCP endpoint group name.
   * @throws AtlasNotFoundError when it does not exist (any more: a deleted endpoint reads `DELETING` first).
   *
   * @example
   * const endpoint = await atlas.getEndpoint(groupId, 'AWS', serviceId, 'vpce-0123456789abcdef0');
   * if (endpoint.connectionStatus === 'AVAILABLE') console.log('connected');
   */
  async getEndpoint<P extends CloudProvider>(
    groupId: string,
    provider: P,
    endpointServiceId: string,
    endpointId: string,
  ): Promise<EndpointOf[P]> {
    refuseViolations(this.#endpointChecks(groupId, provider, endpointServiceId, endpointId));
    const call = this.#call('GET', AtlasPath.endpoint(groupId, provider, endpointServiceId, endpointId));
    const { origin, json } = await this.#json(call);
    return asEndpoint(json, provider, origin);
  }

  /**
   * Removes an endpoint from an endpoint service. Atlas answers 204, then reads it as `DELETING` /
   * `deleteRequested: true` for a while before it answers 404. A 404 resolves to `{ deleted: false }`.
   *
   * @example
   * await atlas.deleteEndpoint(groupId, 'AWS', serviceId, 'vpce-0123456789abcdef0'); // { deleted: true }
   */
  async deleteEndpoint(
    groupId: string,
    provider: CloudProvider,
    endpointServiceId: string,
    endpointId: string,
  ): Promise<DeleteResult> {
    refuseViolations(this.#endpointChecks(groupId, provider, endpointServiceId, endpointId));
    return this.#delete(
      this.#call('DELETE', AtlasPath.endpoint(groupId, provider, endpointServiceId, endpointId)),
    );
  }

  /**
   * Lists the project's clusters, every page (`GET /groups/{groupId}/clusters`, 500 a page), in the
   * `application/vnd.atlas.2024-08-05+json` schema whatever version the client speaks otherwise: its
   * `connectionStrings.privateEndpoint[]` are the strings a private endpoint is reached by. Each page is
   * read within one operation's retry deadline; a list that never ends fails as {@link AtlasResponseError}.
   *
   * @throws AtlasNotFoundError when the project does not exist.
   * @example
   * const clusters = await atlas.listClusters(groupId);
   * const strings = clusters.flatMap((c) => c.connectionStrings?.privateEndpoint ?? []);
   */
  async listClusters(
    groupId: string,
    options: { readonly itemsPerPage?: number } = {},
  ): Promise<ClusterDescription[]> {
    const itemsPerPage = options.itemsPerPage ?? MAX_ITEMS_PER_PAGE;
    refuseViolations([
      check.groupId(groupId),
      Number.isInteger(itemsPerPage) && itemsPerPage >= 1 && itemsPerPage <= MAX_ITEMS_PER_PAGE
        ? undefined
        : {
            field: 'itemsPerPage',
            message: `expected an integer from 1 to ${MAX_ITEMS_PER_PAGE}, received ${String(itemsPerPage)}`,
          },
    ]);
    const clusters: ClusterDescription[] = [];
    const seen = new Set<string>();
    // One operation: the pages share its retry deadline, so a listing takes no longer than any other call.
    const { deadlineMs } = this.#call('GET', AtlasPath.clusters(groupId));
    // Bounded: Atlas's own limit of clusters per project is far below this many pages.
    for (let pageNum = 1; pageNum <= MAX_CLUSTER_PAGES; pageNum += 1) {
      const call: Call = {
        method: 'GET',
        path: AtlasPath.clusters(groupId),
        query: `pageNum=${pageNum}&itemsPerPage=${itemsPerPage}&includeCount=true`,
        api: CLUSTERS_API,
        deadlineMs,
      };
      const { origin, json } = await this.#json(call);
      const page = asClusterPage(json, origin);
      for (const cluster of page.results) {
        // Items can shift between pages while the list changes; a name is one cluster.
        if (seen.has(cluster.name)) continue;
        seen.add(cluster.name);
        clusters.push(cluster);
      }
      const hasNext = page.links?.some((link) => link.rel === 'next') ?? false;
      const total = page.totalCount;
      const more =
        page.results.length > 0 &&
        (hasNext ||
          (total !== undefined ? pageNum * itemsPerPage < total : page.results.length === itemsPerPage));
      if (!more) return clusters;
    }
    throw new AtlasResponseError(
      `Atlas listed more than ${MAX_CLUSTER_PAGES} pages of clusters for project ${groupId}`,
      200,
    );
  }

  /** Closes the client's own connections. A dispatcher passed in `options.dispatcher` is left open. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#ownsDispatcher) await this.#baseDispatcher.close();
  }

  #endpointChecks(groupId: string, provider: CloudProvider, endpointServiceId: string, endpointId: string) {
    return [
      check.groupId(groupId),
      check.provider('cloudProvider', provider),
      check.endpointServiceId(endpointServiceId),
      CLOUD_PROVIDERS.has(provider) ? check.endpointId(provider, endpointId) : undefined,
    ];
  }

  async #existingEndpoint<P extends CloudProvider>(
    groupId: string,
    provider: P,
    endpointServiceId: string,
    endpointId: string,
    create: Call,
  ): Promise<EndpointOf[P] | undefined> {
    const path = AtlasPath.endpoint(groupId, provider, endpointServiceId, endpointId);
    try {
      const { origin, json } = await this.#json({ method: 'GET', path, deadlineMs: create.deadlineMs });
      return asEndpoint(json, provider, origin);
    } catch (error) {
      // 404: the conflict is about something else (e.g. the id is registered with another service).
      if (error instanceof AtlasNotFoundError) return undefined;
      throw error;
    }
  }

  #call(method: Method, path: string, body?: unknown): Call {
    return { method, path, body, deadlineMs: this.#now() + this.#retry.deadlineMs };
  }

  async #json(call: Call): Promise<{ origin: ResponseOrigin; json: unknown }> {
    const response = await this.#send(call);
    const origin = {
      status: response.status,
      request: `${call.method} ${this.#basePathOf(call)}${call.path}`,
    };
    return { origin, json: parseSuccessBody(response.body, this.#maxResponseBytes, origin) };
  }

  async #delete(call: Call): Promise<DeleteResult> {
    try {
      await this.#send(call);
      return { deleted: true };
    } catch (error) {
      if (error instanceof AtlasNotFoundError) return { deleted: false };
      throw error;
    }
  }

  #basePathOf(call: Call): string {
    return call.api ? `${this.#pathPrefix}${call.api.basePath}` : this.#basePath;
  }

  /** Sends a call until it succeeds (2xx), fails for good, or the retry bounds run out. */
  async #send(call: Call): Promise<ExchangeResponse> {
    const path = `${this.#basePathOf(call)}${call.path}`;
    const target = call.query ? `${path}?${call.query}` : path;
    const mediaType = call.api?.mediaType ?? this.#mediaType;
    const body = call.body === undefined ? undefined : JSON.stringify(call.body);
    let attemptsMade = 0;
    let refreshedToken = false;
    let renewedNonce = false;
    // No exchange of this operation runs past its retry deadline plus one exchange's time limit.
    const hardEndMs = call.deadlineMs + this.#requestTimeoutMs;
    for (;;) {
      const timeoutMs = Math.min(this.#requestTimeoutMs, hardEndMs - this.#now());
      const outcome = await this.#authorizedAttempt(call.method, target, body, timeoutMs, mediaType);
      if ('response' in outcome) return outcome.response;
      if (outcome.staleNonce && !renewedNonce) {
        // digestAuth answers one stale challenge itself; a nonce that went stale again before it was used
        // (a long pause, a skewed clock) gets one more try here. Atlas processed nothing: safe for a POST too.
        renewedNonce = true;
        continue;
      }
      if (outcome.rejectedToken !== undefined && !refreshedToken) {
        // The token was revoked or expired early: fetch a new one and try again, once per call.
        this.#tokens?.invalidate(outcome.rejectedToken);
        refreshedToken = true;
        continue;
      }
      attemptsMade += 1;
      const { error, retryable, retryAfterMs } = outcome.failure;
      const remainingMs = call.deadlineMs - this.#now();
      // The token endpoint's 429 (about 10 a minute per service account) counts like the Admin API's.
      const rateLimited = error instanceof AtlasRateLimitedError;
      const decision = decideRetry(
        { attemptsMade, remainingMs, retryable, retryAfterMs, rateLimited },
        this.#retry,
        this.#random,
      );
      if (!decision.retry) throw error;
      await this.#sleep(decision.delayMs);
    }
  }

  async #authorizedAttempt(
    method: Method,
    path: string,
    body: string | undefined,
    timeoutMs: number,
    mediaType: string,
  ): Promise<AttemptOutcome> {
    if (this.#tokens === undefined) return this.#attempt(method, path, body, timeoutMs, mediaType, undefined);
    let token: string;
    try {
      token = await this.#tokens.get();
    } catch (error) {
      // Asking for a token changes nothing in Atlas, so a retryable token failure may always be retried.
      return { failure: classify(error as AtlasPrivateLinkError, true) };
    }
    return this.#attempt(method, path, body, timeoutMs, mediaType, token);
  }

  async #attempt(
    method: Method,
    path: string,
    body: string | undefined,
    timeoutMs: number,
    mediaType: string,
    token?: string,
  ): Promise<AttemptOutcome> {
    const idempotent = IDEMPOTENT_METHODS.has(method);
    const headers: Record<string, string> = { accept: mediaType, 'user-agent': this.#userAgent };
    if (body !== undefined) headers['content-type'] = mediaType;
    if (token !== undefined) headers['authorization'] = `Bearer ${token}`;
    let response: ExchangeResponse;
    try {
      response = await exchange(this.#dispatcher, {
        origin: this.#origin,
        method,
        path,
        headers,
        body,
        headersTimeoutMs: this.#headersTimeoutMs,
        bodyTimeoutMs: this.#bodyTimeoutMs,
        totalTimeoutMs: timeoutMs,
        maxBodyBytes: this.#maxResponseBytes,
      });
    } catch (error) {
      return { failure: classify(error as AtlasPrivateLinkError, idempotent) };
    }
    if (response.status >= 200 && response.status <= 299) return { response };
    const retryAfterMs = parseRetryAfterMs(headerValue(response.headers, 'retry-after'), this.#now());
    const error = toAtlasApiError(
      response.status,
      response.body.text,
      `${method} ${path.split('?')[0]}`,
      retryAfterMs,
    );
    const rejectedToken = response.status === 401 ? token : undefined;
    const staleNonce =
      response.status === 401 &&
      token === undefined &&
      saysStale(headerValue(response.headers, 'www-authenticate'));
    return { failure: classify(error, idempotent, retryAfterMs), rejectedToken, staleNonce };
  }
}

/** Whether a 401's `WWW-Authenticate` is a Digest challenge saying `stale=true` (an unanswerable one is not). */
function saysStale(header: string | undefined): boolean {
  try {
    return selectDigestChallenge(header)?.stale === true;
  } catch {
    return false;
  }
}

const CLOUD_PROVIDERS: ReadonlySet<string> = new Set<CloudProvider>(['AWS', 'AZURE', 'GCP']);

/** How many pages of clusters {@link AtlasClient.listClusters} reads at most (500 clusters each). */
const MAX_CLUSTER_PAGES = 20;

/**
 * Whether a failure may be retried. 429: always (Atlas did not process the request). 5xx: only when
 * the request is idempotent. Network: when idempotent, or when the request cannot have left (connect).
 */
function classify(
  error: AtlasPrivateLinkError,
  idempotent: boolean,
  retryAfterMs = retryAfterOf(error),
): Failure {
  if (error instanceof AtlasRateLimitedError) return { error, retryable: true, retryAfterMs };
  if (error instanceof AtlasServerError) return { error, retryable: idempotent, retryAfterMs };
  if (error instanceof AtlasNetworkError) {
    if (error.code !== undefined && CALLER_BUG_CODES.has(error.code)) return { error, retryable: false };
    return { error, retryable: idempotent || isConnectPhaseError(error) };
  }
  return { error, retryable: false };
}

function retryAfterOf(error: AtlasPrivateLinkError): number | undefined {
  return error instanceof AtlasRateLimitedError && error.retryAfterSeconds !== undefined
    ? error.retryAfterSeconds * 1000
    : undefined;
}

/** The body Atlas expects for each provider (only the documented fields), and the id the endpoint is read by. */
function endpointBody(provider: CloudProvider, request: unknown): { body: object; endpointId: string } {
  if (provider === 'GCP') {
    const { endpointGroupName, gcpProjectId, endpoints } = request as CreateGcpEndpointRequest;
    return { body: { endpointGroupName, gcpProjectId, endpoints }, endpointId: endpointGroupName };
  }
  if (provider === 'AZURE') {
    const { id, privateEndpointIPAddress } = request as CreateAzureEndpointRequest;
    return { body: { id, privateEndpointIPAddress }, endpointId: id };
  }
  const { id } = request as CreateAwsEndpointRequest;
  return { body: { id }, endpointId: id };
}
