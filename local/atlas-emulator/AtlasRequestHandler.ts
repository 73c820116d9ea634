import type { IncomingMessage, ServerResponse } from 'node:http';
import { CloudProvider } from '../../lambdas/atlas/types';
import { IdForm } from '../../lambdas/ids';
import type { Clock } from '../shared/model';
import type { AtlasState } from './AtlasState';
import type { DigestAuthenticator } from './DigestAuthenticator';
import { AtlasApiError, AtlasErrorCode, apiErrorBody } from './errors';
import type { FaultInjector } from './FaultInjector';
import type { RateLimiter } from './RateLimiter';
import { type AtlasRequestLogEntry, type AuthOutcome, type MutableLogEntry, Reply } from './Reply';
import type { AtlasFault } from './script';
import type { TokenIssuer } from './TokenIssuer';

export interface HandlerDependencies {
  readonly state: AtlasState;
  readonly digest: DigestAuthenticator;
  readonly tokens: TokenIssuer;
  readonly faults: FaultInjector;
  readonly limiter: RateLimiter | undefined;
  readonly clock: Clock;
  readonly maxBodyBytes: number;
  readonly projects: ReadonlySet<string> | undefined;
  readonly requestLog: AtlasRequestLogEntry[];
  readonly logError: (message: string, error: unknown) => void;
  /** Real-time waits (fault delays, drains) so `close()` can cancel them. */
  readonly timers: Set<NodeJS.Timeout>;
}

type RouteName =
  | 'createService'
  | 'updateService'
  | 'listServices'
  | 'service'
  | 'createEndpoint'
  | 'endpoint'
  | 'listClusters'
  | 'cluster';

interface Route {
  readonly name: RouteName;
  readonly methods: readonly string[];
  readonly groupId: string;
  readonly clusterName?: string;
  readonly cloudProvider?: string;
  readonly serviceId?: string;
  readonly endpointId?: string;
}

const providers = Object.values(CloudProvider) as string[];
const apiPath = /^\/api\/atlas\/(v2|v1\.0)(\/.*)?$/;
const TOKEN_PATH = '/api/oauth/token';

function pathParamError(name: string, value: string, expected: string): AtlasApiError {
  return new AtlasApiError(
    400,
    AtlasErrorCode.PATH_PARAM_PARSE_ERROR,
    `One or more path parameter(s) could not be parsed: ${name} ${JSON.stringify(value.slice(0, 80))} is not ${expected}.`,
    [name],
  );
}

/** Matches the raw (still percent-encoded) segments after `/api/atlas/<version>`. */
function matchRoute(raw: readonly string[]): Route | undefined {
  const decode = (segment: string, name: string) => {
    try {
      return decodeURIComponent(segment);
    } catch {
      throw pathParamError(name, segment, 'valid percent-encoding');
    }
  };
  if (raw[0] === 'groups' && raw[2] === 'clusters' && raw.length <= 4) {
    const groupId = decode(raw[1]!, 'groupId');
    if (raw.length === 3) return { name: 'listClusters', methods: ['GET'], groupId };
    return { name: 'cluster', methods: ['GET'], groupId, clusterName: decode(raw[3]!, 'clusterName') };
  }
  if (raw[0] !== 'groups' || raw[2] !== 'privateEndpoint' || raw.length < 4) return undefined;
  const groupId = decode(raw[1]!, 'groupId');
  if (raw.length === 4) {
    return raw[3] === 'endpointService' ? { name: 'createService', methods: ['POST'], groupId } : undefined;
  }
  if (raw.length === 5 && raw[3] === 'endpointService') {
    const serviceId = decode(raw[4]!, 'endpointServiceId');
    return { name: 'updateService', methods: ['PATCH'], groupId, serviceId };
  }
  if (raw[4] !== 'endpointService') return undefined;
  const cloudProvider = decode(raw[3]!, 'cloudProvider');
  if (raw.length === 5) return { name: 'listServices', methods: ['GET'], groupId, cloudProvider };
  const serviceId = decode(raw[5]!, 'endpointServiceId');
  if (raw.length === 6)
    return { name: 'service', methods: ['GET', 'DELETE'], groupId, cloudProvider, serviceId };
  if (raw[6] !== 'endpoint') return undefined;
  if (raw.length === 7)
    return { name: 'createEndpoint', methods: ['POST'], groupId, cloudProvider, serviceId };
  if (raw.length === 8) {
    const endpointId = decode(raw[7]!, 'endpointId');
    return { name: 'endpoint', methods: ['GET', 'DELETE'], groupId, cloudProvider, serviceId, endpointId };
  }
  return undefined;
}

function validateParams(route: Route): void {
  if (!IdForm.groupId.pattern.test(route.groupId)) {
    throw pathParamError('groupId', route.groupId, IdForm.groupId.expected);
  }
  if (route.cloudProvider !== undefined && !providers.includes(route.cloudProvider)) {
    throw pathParamError('cloudProvider', route.cloudProvider, `one of ${providers.join(', ')}`);
  }
  if (route.serviceId !== undefined && !IdForm.endpointServiceId.pattern.test(route.serviceId)) {
    throw pathParamError('endpointServiceId', route.serviceId, IdForm.endpointServiceId.expected);
  }
  if (route.endpointId !== undefined) {
    const id = route.endpointId;
    if (route.cloudProvider === 'AWS' && !IdForm.vpcEndpointId.pattern.test(id)) {
      throw pathParamError('endpointId', id, IdForm.vpcEndpointId.expected);
    }
    if (route.cloudProvider === 'AZURE' && !IdForm.azurePrivateEndpointId.pattern.test(id)) {
      throw pathParamError(
        'endpointId',
        id,
        `${IdForm.azurePrivateEndpointId.expected}, URL-encoded as one segment`,
      );
    }
    if (route.cloudProvider === 'GCP' && id === '')
      throw pathParamError('endpointId', id, 'an endpoint group name');
  }
}

/** v2 serves `application/vnd.atlas.2023-01-01+json`, and any later version date resolves to it. */
function acceptableForV2(accept: string | undefined): boolean {
  if (accept === undefined || accept.trim() === '') return true;
  return accept.split(',').some((range) => {
    const type = range.split(';')[0]!.trim().toLowerCase();
    if (type === '*/*' || type === 'application/*' || type === 'application/json') return true;
    const versioned = /^application\/vnd\.atlas\.(\d{4}-\d{2}-\d{2})\+json$/.exec(type);
    return versioned !== null && versioned[1]! >= '2023-01-01';
  });
}

/** The clusters' schema the emulator models; their older versions (2023-01-01, 2023-02-01) are not modelled. */
export const CLUSTERS_MEDIA_TYPE = 'application/vnd.atlas.2024-08-05+json';

/** True when `Accept` asks for the clusters' 2024-08-05 version (or a later date, which resolves to it). */
function acceptsClusters2024(accept: string | undefined): boolean {
  return (accept ?? '').split(',').some((range) => {
    const versioned = /^application\/vnd\.atlas\.(\d{4}-\d{2}-\d{2})\+json$/.exec(
      range.split(';')[0]!.trim().toLowerCase(),
    );
    return versioned !== null && versioned[1]! >= '2024-08-05';
  });
}

/** A positive integer query parameter within bounds, its default when absent, or 400 naming it. */
function pageParam(url: URL, name: string, fallback: number, max: number): number {
  const raw = url.searchParams.get(name);
  if (raw === null) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 1 || value > max) {
    throw new AtlasApiError(
      400,
      AtlasErrorCode.INVALID_QUERY_PARAMETER,
      `Invalid query parameter ${name}: ${JSON.stringify(raw.slice(0, 40))}; expected an integer from 1 to ${max}.`,
      [name],
    );
  }
  return value;
}

const isJsonMediaType = (contentType: string) => {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  return type === 'application/json' || /^application\/[\w.+-]*\+json$/.test(type);
};

class BodyTooLarge extends Error {}

/**
 * The emulator's request pipeline: faults → body size → OAuth token endpoint → authentication → routing →
 * `Accept` → path parameters → project → rate limit → body → operation. Anything unexpected becomes a
 * logged 500; the server keeps serving.
 */
export class AtlasRequestHandler {
  readonly #deps: HandlerDependencies;

  constructor(deps: HandlerDependencies) {
    this.#deps = deps;
  }

  handle = (req: IncomingMessage, res: ServerResponse): void => {
    const entry: MutableLogEntry = {
      method: req.method ?? '',
      path: (req.url ?? '').split('?')[0]!,
      status: 0,
      auth: 'none',
      at: 0,
    };
    this.#deps.requestLog.push(entry);
    const reply = new Reply(req, res, entry);
    const fail = (error: unknown) => this.#fail(reply, error);
    try {
      entry.at = this.#deps.clock();
      this.#handle(reply).catch(fail);
    } catch (error) {
      fail(error);
    }
  };

  #fail(reply: Reply, error: unknown): void {
    try {
      if (error instanceof AtlasApiError) {
        reply.error(error);
        return;
      }
      if (error instanceof BodyTooLarge) {
        this.#tooLarge(reply);
        return;
      }
      this.#deps.logError(
        `Atlas emulator: unexpected error on ${reply.entry.method} ${reply.entry.path}`,
        error,
      );
      if (reply.open) {
        reply.json(500, apiErrorBody(500, AtlasErrorCode.UNEXPECTED_ERROR, 'Unexpected error.'), {
          raw: true,
        });
      } else if (!reply.res.writableEnded) {
        reply.res.destroy();
      }
    } catch (secondary) {
      this.#deps.logError('Atlas emulator: could not answer after an error', secondary);
      reply.res.destroy();
    }
  }

  async #handle(reply: Reply): Promise<void> {
    const { req } = reply;
    const method = (req.method ?? '').toUpperCase();
    const target = req.url ?? '';
    let url: URL;
    try {
      url = new URL(target, 'http://emulator.invalid');
    } catch {
      throw new AtlasApiError(404, AtlasErrorCode.NOT_FOUND, 'The request target could not be parsed.');
    }
    reply.version = apiPath.exec(url.pathname)?.[1] as 'v2' | 'v1.0' | undefined;
    reply.pretty = url.searchParams.get('pretty')?.toLowerCase() === 'true';

    const fault = this.#deps.faults.take(method, target);
    if (fault && (await this.#applyFault(fault, reply))) return;

    const declaredLength = Number(req.headers['content-length'] ?? 0);
    if (declaredLength > this.#deps.maxBodyBytes) throw new BodyTooLarge();

    if (url.pathname === TOKEN_PATH) {
      await this.#token(reply, method);
      return;
    }
    const api = apiPath.exec(url.pathname);
    if (!api) throw new AtlasApiError(404, AtlasErrorCode.NOT_FOUND, `Cannot find resource ${url.pathname}.`);
    reply.envelope = url.searchParams.get('envelope')?.toLowerCase() === 'true';

    if (!this.#authenticate(reply, method, target)) return;
    this.#deps.state.checkApiAccess();

    const matched = matchRoute((api[2] ?? '').split('/').slice(1));
    // Updating a service (cross-region PrivateLink) came with API v2; v1.0 has no such path.
    const route = matched?.name === 'updateService' && reply.version !== 'v2' ? undefined : matched;
    if (!route)
      throw new AtlasApiError(404, AtlasErrorCode.NOT_FOUND, `Cannot find resource ${url.pathname}.`);
    if (!route.methods.includes(method)) {
      throw new AtlasApiError(
        405,
        AtlasErrorCode.METHOD_NOT_ALLOWED,
        `${method} is not supported on ${url.pathname}.`,
        [method],
        { Allow: route.methods.join(', ') },
      );
    }
    const clustersRoute = route.name === 'listClusters' || route.name === 'cluster';
    if (clustersRoute && reply.version !== 'v2') {
      throw new AtlasApiError(404, AtlasErrorCode.NOT_FOUND, `Cannot find resource ${url.pathname}.`);
    }
    if (clustersRoute) {
      if (!acceptsClusters2024(req.headers.accept)) {
        throw new AtlasApiError(
          406,
          AtlasErrorCode.NOT_ACCEPTABLE,
          `Cannot serve ${req.headers.accept ?? 'no Accept header'}; the emulator models clusters as ${CLUSTERS_MEDIA_TYPE} only.`,
        );
      }
      reply.mediaType = CLUSTERS_MEDIA_TYPE;
    } else if (reply.version === 'v2' && !acceptableForV2(req.headers.accept)) {
      throw new AtlasApiError(
        406,
        AtlasErrorCode.NOT_ACCEPTABLE,
        `Cannot serve ${req.headers.accept}; this resource is available as application/vnd.atlas.2023-01-01+json.`,
      );
    }
    validateParams(route);
    if (this.#deps.projects && !this.#deps.projects.has(route.groupId)) {
      throw new AtlasApiError(
        404,
        AtlasErrorCode.GROUP_NOT_FOUND,
        `No group with ID ${route.groupId} exists.`,
        [route.groupId],
      );
    }
    this.#rateLimit(reply, route.groupId, url.pathname);
    const body = method === 'POST' || method === 'PATCH' ? await this.#jsonBody(reply) : undefined;
    this.#operate(reply, route, method, body, url);
  }

  #operate(reply: Reply, route: Route, method: string, body: unknown, url: URL): void {
    const { state } = this.#deps;
    const provider = route.cloudProvider as CloudProvider;
    switch (route.name) {
      case 'listClusters': {
        const includeCount = url.searchParams.get('includeCount')?.toLowerCase() !== 'false';
        const host = reply.req.headers.host ?? 'emulator.invalid';
        reply.json(
          200,
          state.listClusters(
            route.groupId,
            {
              pageNum: pageParam(url, 'pageNum', 1, 1_000_000),
              itemsPerPage: pageParam(url, 'itemsPerPage', 100, 500),
              includeCount,
            },
            `http://${host}${url.pathname}`,
          ),
        );
        return;
      }
      case 'cluster':
        reply.json(200, state.getCluster(route.groupId, route.clusterName!));
        return;
      case 'createService':
        reply.json(200, state.createService(route.groupId, body));
        return;
      case 'updateService':
        reply.json(200, state.updateService(route.groupId, route.serviceId!, body));
        return;
      case 'listServices':
        reply.json(200, state.listServices(route.groupId, provider));
        return;
      case 'service':
        if (method === 'GET') {
          reply.json(200, state.getService(route.groupId, provider, route.serviceId!));
        } else {
          state.deleteService(route.groupId, provider, route.serviceId!);
          reply.noContent();
        }
        return;
      case 'createEndpoint':
        reply.json(200, state.createEndpoint(route.groupId, provider, route.serviceId!, body));
        return;
      case 'endpoint':
        if (method === 'GET') {
          reply.json(200, state.getEndpoint(route.groupId, provider, route.serviceId!, route.endpointId!));
        } else {
          state.deleteEndpoint(route.groupId, provider, route.serviceId!, route.endpointId!);
          reply.noContent();
        }
        return;
    }
  }

  /** True when the request may proceed; otherwise the 401 has been sent. */
  #authenticate(reply: Reply, method: string, target: string): boolean {
    const { digest, tokens } = this.#deps;
    const header = reply.req.headers.authorization;
    const refuse = (auth: AuthOutcome, stale = false) => {
      reply.entry.auth = auth;
      reply.unauthorized(digest.challenge(stale));
      return false;
    };
    if (header === undefined || header.trim() === '') return refuse('challenge');
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (bearer) {
      if (!tokens.accepts(bearer[1]!)) return refuse('wrong-credentials');
      reply.entry.auth = 'bearer';
      return true;
    }
    if (!/^Digest\s/i.test(header)) return refuse('wrong-credentials');
    const verdict = digest.verify(header, method, target);
    if (verdict.kind === 'stale') return refuse('stale', true);
    if (verdict.kind !== 'ok') return refuse(verdict.kind);
    reply.entry.auth = 'ok';
    return true;
  }

  #rateLimit(reply: Reply, groupId: string, path: string): void {
    const limiter = this.#deps.limiter;
    if (!limiter) return;
    const verdict = limiter.take(groupId);
    reply.headers['RateLimit-Limit'] = String(limiter.limit);
    if (!verdict.allowed) {
      reply.headers['RateLimit-Remaining'] = '0';
      throw new AtlasApiError(
        429,
        AtlasErrorCode.RATE_LIMITED,
        `Resource ${path} is limited to ${limiter.limit} requests every 1 minutes.`,
        [path, limiter.limit, 1],
        { 'Retry-After': String(verdict.retryAfterSeconds) },
      );
    }
    reply.headers['RateLimit-Remaining'] = String(verdict.remaining);
  }

  async #jsonBody(reply: Reply): Promise<unknown> {
    const raw = await this.#readBody(reply.req);
    if (raw.length === 0) {
      throw new AtlasApiError(
        400,
        AtlasErrorCode.INVALID_JSON,
        'The request body is empty; expected a JSON object.',
      );
    }
    const contentType = reply.req.headers['content-type'];
    if (contentType === undefined || !isJsonMediaType(contentType)) {
      throw new AtlasApiError(
        415,
        AtlasErrorCode.UNSUPPORTED_MEDIA_TYPE,
        `Unsupported Content-Type ${contentType ?? '(none)'}; send application/json.`,
      );
    }
    try {
      return JSON.parse(raw.toString('utf8'));
    } catch {
      throw new AtlasApiError(400, AtlasErrorCode.INVALID_JSON, 'Received JSON is malformed.');
    }
  }

  #readBody(req: IncomingMessage): Promise<Buffer> {
    const max = this.#deps.maxBodyBytes;
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const onData = (chunk: Buffer) => {
        size += chunk.length;
        if (size > max) {
          cleanup();
          reject(new BodyTooLarge());
          return;
        }
        chunks.push(chunk);
      };
      const onEnd = () => {
        cleanup();
        resolve(Buffer.concat(chunks));
      };
      const onError = (error: unknown) => {
        cleanup();
        reject(error);
      };
      const cleanup = () => {
        req.off('data', onData);
        req.off('end', onEnd);
        req.off('error', onError);
        req.off('aborted', onError);
      };
      req.on('data', onData);
      req.on('end', onEnd);
      req.on('error', onError);
      req.on('aborted', onError);
    });
  }

  /**
   * 413 and close. The rest of the body is discarded (never buffered) for a moment so the client, still
   * writing, reads the answer instead of a connection reset; past a bound the socket is simply destroyed.
   */
  #tooLarge(reply: Reply): void {
    const { req } = reply;
    reply.json(
      413,
      apiErrorBody(
        413,
        AtlasErrorCode.REQUEST_TOO_LARGE,
        `The request body exceeds ${this.#deps.maxBodyBytes} bytes.`,
      ),
      { raw: true, headers: { Connection: 'close' } },
    );
    let discarded = 0;
    const limit = this.#deps.maxBodyBytes * 4;
    req.on('data', (chunk: Buffer) => {
      discarded += chunk.length;
      if (discarded > limit) req.socket.destroy();
    });
    req.resume();
    const timer = setTimeout(() => {
      this.#deps.timers.delete(timer);
      req.socket.destroy();
    }, 2_000);
    timer.unref();
    this.#deps.timers.add(timer);
    req.socket.once('close', () => {
      clearTimeout(timer);
      this.#deps.timers.delete(timer);
    });
  }

  /** True when the fault answered (or reset) the request; false when handling continues (a pure delay). */
  async #applyFault(fault: AtlasFault, reply: Reply): Promise<boolean> {
    if (fault.delayMs) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.#deps.timers.delete(timer);
          resolve();
        }, fault.delayMs);
        this.#deps.timers.add(timer);
      });
      if (reply.req.socket.destroyed) return true;
    }
    if (fault.reset) {
      reply.entry.status = 0;
      reply.req.socket.destroy();
      return true;
    }
    if (fault.body === 'malformed') {
      reply.malformed(fault.status ?? 200);
      return true;
    }
    if (fault.status === undefined) return false;
    const status = fault.status;
    const errorCode =
      fault.errorCode ??
      (status === 429
        ? AtlasErrorCode.RATE_LIMITED
        : status === 503
          ? AtlasErrorCode.SERVICE_UNAVAILABLE
          : AtlasErrorCode.UNEXPECTED_ERROR);
    const headers: Record<string, string> =
      fault.retryAfter === undefined ? {} : { 'Retry-After': String(fault.retryAfter) };
    reply.json(
      status,
      apiErrorBody(status, errorCode, fault.detail ?? `Scripted fault: ${status} ${errorCode}.`),
      {
        raw: true,
        headers,
      },
    );
    return true;
  }

  async #token(reply: Reply, method: string): Promise<void> {
    if (method !== 'POST') {
      reply.json(
        405,
        { error: 'invalid_request', error_description: 'Use POST.' },
        { raw: true, headers: { Allow: 'POST' } },
      );
      return;
    }
    const body = await this.#readBody(reply.req);
    const answer = this.#deps.tokens.issue(
      reply.req.headers.authorization,
      reply.req.headers['content-type'],
      body.toString('utf8'),
    );
    reply.entry.auth = answer.status === 200 ? 'ok' : answer.status === 429 ? 'none' : 'wrong-credentials';
    reply.json(answer.status, answer.body, { raw: true, headers: { ...answer.headers } });
  }
}
