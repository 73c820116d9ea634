/**
 * Reading Atlas's answers: a size-capped body read, JSON parsing, and shape checks of the 2xx bodies
 * (tolerant of fields Atlas adds, strict about the ones the workflow depends on).
 */
import { AtlasResponseError } from '../errors';
import type {
  AtlasPage,
  AwsEndpointService,
  AwsInterfaceEndpoint,
  AzurePrivateEndpoint,
  CloudProvider,
  ClusterDescription,
  EndpointService,
  GcpEndpointGroup,
} from './types';

/** A response body as undici hands it over: chunks, and a way to stop the transfer. */
export interface BodySource extends AsyncIterable<Uint8Array | string> {
  destroy(error?: Error): unknown;
  on?(event: 'error', listener: (error: Error) => void): unknown;
}

/** A body read up to a cap: its text, and whether the rest was cut off (and the transfer stopped). */
export interface CappedBody {
  readonly text: string;
  readonly truncated: boolean;
}

/** Reads at most `maxBytes` of a body; a longer one is cut off and its transfer stopped. */
export async function readCapped(
  body: BodySource,
  maxBytes: number,
  contentLength?: string,
): Promise<CappedBody> {
  if (contentLength !== undefined && Number(contentLength) > maxBytes) {
    // Destroying a body nothing reads makes undici emit 'error' on it; unheard, that would be an uncaught
    // exception and take the whole process (a Lambda's runtime) down. The caller gets a typed error instead.
    body.on?.('error', () => {});
    body.destroy();
    return { text: '', truncated: true };
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    const bytes =
      typeof chunk === 'string'
        ? Buffer.from(chunk)
        : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    size += bytes.length;
    if (size > maxBytes) {
      body.destroy();
      chunks.push(bytes.subarray(0, bytes.length - (size - maxBytes)));
      return { text: Buffer.concat(chunks).toString('utf8'), truncated: true };
    }
    chunks.push(bytes);
  }
  return { text: Buffer.concat(chunks).toString('utf8'), truncated: false };
}

/** Where a 2xx body came from, for the message of an {@link AtlasResponseError}. */
export interface ResponseOrigin {
  readonly status: number;
  /** `METHOD path`, no query string. */
  readonly request: string;
}

function unexpected(origin: ResponseOrigin, problem: string): AtlasResponseError {
  return new AtlasResponseError(
    `Atlas answered ${origin.status} to ${origin.request} with ${problem}`,
    origin.status,
  );
}

/** Parses a 2xx body as JSON, or throws {@link AtlasResponseError} (too large, empty, not JSON). */
export function parseSuccessBody(body: CappedBody, maxBytes: number, origin: ResponseOrigin): unknown {
  if (body.truncated) throw unexpected(origin, `a body larger than ${maxBytes} bytes`);
  if (body.text.trim() === '') throw unexpected(origin, 'an empty body where JSON was expected');
  try {
    return JSON.parse(body.text);
  } catch (error) {
    throw new AtlasResponseError(
      `Atlas answered ${origin.status} to ${origin.request} with a body that is not JSON`,
      origin.status,
      { cause: error },
    );
  }
}

type Json = Record<string, unknown>;

const isRecord = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isOptional = (value: unknown, check: (v: unknown) => boolean): boolean =>
  value === undefined || value === null || check(value);

const isString = (value: unknown): value is string => typeof value === 'string';
const isBoolean = (value: unknown): value is boolean => typeof value === 'boolean';
const isStringArray = (value: unknown): value is string[] => Array.isArray(value) && value.every(isString);

/** The first problem with a body's `cloudProvider`, or undefined. Absent is allowed (v1.0 omits it on endpoints). */
function providerProblem(record: Json, provider: CloudProvider, required: boolean): string | undefined {
  const value = record['cloudProvider'];
  if (value === undefined && !required) return undefined;
  return value === provider
    ? undefined
    : `cloudProvider ${JSON.stringify(value)} where ${provider} was expected`;
}

function endpointServiceProblem(value: unknown, provider: CloudProvider): string | undefined {
  if (!isRecord(value)) return 'an endpoint service that is not an object';
  const provided = providerProblem(value, provider, true);
  if (provided) return provided;
  if (!isString(value['id'])) return 'an endpoint service without a string id';
  if (!isOptional(value['status'], isString)) return 'an endpoint service whose status is not a string';
  if (!isOptional(value['errorMessage'], isString))
    return 'an endpoint service whose errorMessage is not a string';
  if (provider === 'AWS') {
    if (!isOptional(value['interfaceEndpoints'], isStringArray)) {
      return 'an AWS endpoint service whose interfaceEndpoints is not an array of strings';
    }
    if (!isOptional(value['endpointServiceName'], isString)) {
      return 'an AWS endpoint service whose endpointServiceName is not a string';
    }
    if (!isOptional(value['supportedRemoteRegions'], isStringArray)) {
      return 'an AWS endpoint service whose supportedRemoteRegions is not an array of strings';
    }
  }
  return undefined;
}

/** Fills what an AWS service may omit, so callers can rely on the declared type. */
function normalizeEndpointService(value: Json): EndpointService {
  if (value['cloudProvider'] !== 'AWS') return value as unknown as EndpointService;
  return {
    ...value,
    interfaceEndpoints: value['interfaceEndpoints'] ?? [],
    // Nullable in the spec, and absent from services that never had remote regions.
    supportedRemoteRegions: value['supportedRemoteRegions'] ?? [],
  } as unknown as AwsEndpointService;
}

/** Checks one endpoint service of the expected provider, or throws {@link AtlasResponseError}. */
export function asEndpointService(
  value: unknown,
  provider: CloudProvider,
  origin: ResponseOrigin,
): EndpointService {
  const problem = endpointServiceProblem(value, provider);
  if (problem) throw unexpected(origin, problem);
  return normalizeEndpointService(value as Json);
}

/** Checks a bare array of endpoint services, or throws {@link AtlasResponseError}. */
export function asEndpointServiceList(
  value: unknown,
  provider: CloudProvider,
  origin: ResponseOrigin,
): EndpointService[] {
  if (!Array.isArray(value)) throw unexpected(origin, 'a body that is not an array of endpoint services');
  return value.map((item, index) => {
    const problem = endpointServiceProblem(item, provider);
    if (problem) throw unexpected(origin, `${problem} (item ${index})`);
    return normalizeEndpointService(item as Json);
  });
}

function endpointProblem(value: unknown, provider: CloudProvider): string | undefined {
  if (!isRecord(value)) return 'an endpoint that is not an object';
  const provided = providerProblem(value, provider, false);
  if (provided) return provided;
  if (!isOptional(value['deleteRequested'], isBoolean))
    return 'an endpoint whose deleteRequested is not a boolean';
  if (!isOptional(value['errorMessage'], isString)) return 'an endpoint whose errorMessage is not a string';
  if (provider === 'AWS') {
    if (!isString(value['interfaceEndpointId']))
      return 'an AWS endpoint without a string interfaceEndpointId';
    if (!isString(value['connectionStatus'])) return 'an AWS endpoint without a string connectionStatus';
  } else if (!isOptional(value['status'], isString)) {
    return 'an endpoint whose status is not a string';
  }
  return undefined;
}

/** The endpoint type of each provider. */
export interface EndpointOf {
  readonly AWS: AwsInterfaceEndpoint;
  readonly AZURE: AzurePrivateEndpoint;
  readonly GCP: GcpEndpointGroup;
}

/** Checks an endpoint of the expected provider, or throws {@link AtlasResponseError}. */
export function asEndpoint<P extends CloudProvider>(
  value: unknown,
  provider: P,
  origin: ResponseOrigin,
): EndpointOf[P] {
  const problem = endpointProblem(value, provider);
  if (problem) throw unexpected(origin, problem);
  const record = value as Json;
  // Atlas leaves `errorMessage` out (rather than null) on some answers; the type promises null when all is well.
  const normalized =
    provider === 'AWS'
      ? {
          ...record,
          deleteRequested: record['deleteRequested'] ?? false,
          errorMessage: record['errorMessage'] ?? null,
        }
      : record;
  return normalized as unknown as EndpointOf[P];
}

const isOptionalArrayOf = (value: unknown, check: (item: unknown) => boolean): boolean =>
  value === undefined || value === null || (Array.isArray(value) && value.every(check));

function privateEndpointStringProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return 'is not an object';
  for (const key of [
    'type',
    'connectionString',
    'srvConnectionString',
    'srvShardOptimizedConnectionString',
  ]) {
    if (!isOptional(value[key], isString)) return `has a ${key} that is not a string`;
  }
  const endpointOk = (e: unknown) =>
    isRecord(e) && isOptional(e['endpointId'], isString) && isOptional(e['region'], isString);
  if (!isOptionalArrayOf(value['endpoints'], endpointOk))
    return 'has endpoints that are not objects with string endpointId and region';
  return undefined;
}

function clusterProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return 'a cluster that is not an object';
  if (!isString(value['name'])) return 'a cluster without a string name';
  for (const key of ['clusterType', 'stateName', 'id', 'groupId']) {
    if (!isOptional(value[key], isString)) return `a cluster whose ${key} is not a string`;
  }
  const regionConfigOk = (r: unknown) =>
    isRecord(r) && isOptional(r['providerName'], isString) && isOptional(r['regionName'], isString);
  const specOk = (spec: unknown) =>
    isRecord(spec) && isOptionalArrayOf(spec['regionConfigs'], regionConfigOk);
  if (!isOptionalArrayOf(value['replicationSpecs'], specOk))
    return `cluster ${value['name']}'s replicationSpecs are not region configs with string providerName and regionName`;
  const strings = value['connectionStrings'];
  if (strings === undefined || strings === null) return undefined;
  if (!isRecord(strings)) return `cluster ${value['name']}'s connectionStrings is not an object`;
  const privateEndpoint = strings['privateEndpoint'];
  if (privateEndpoint === undefined || privateEndpoint === null) return undefined;
  if (!Array.isArray(privateEndpoint)) return `cluster ${value['name']}'s privateEndpoint is not an array`;
  for (const [index, entry] of privateEndpoint.entries()) {
    const problem = privateEndpointStringProblem(entry);
    if (problem) return `cluster ${value['name']}'s privateEndpoint[${index}] ${problem}`;
  }
  return undefined;
}

/**
 * Checks a page of clusters (`PaginatedClusterDescription20240805`: `results`, `totalCount`, `links`), or
 * throws {@link AtlasResponseError}. Only the fields the workflow reads are checked; others pass through.
 */
export function asClusterPage(value: unknown, origin: ResponseOrigin): AtlasPage<ClusterDescription> {
  if (!isRecord(value) || !Array.isArray(value['results'])) {
    throw unexpected(origin, 'a body that is not a page of clusters ({results: [...]})');
  }
  if (!isOptional(value['totalCount'], (n) => typeof n === 'number' && Number.isInteger(n) && n >= 0)) {
    throw unexpected(origin, 'a page whose totalCount is not a whole number');
  }
  const linkOk = (l: unknown) =>
    isRecord(l) && isOptional(l['rel'], isString) && isOptional(l['href'], isString);
  if (!isOptionalArrayOf(value['links'], linkOk))
    throw unexpected(origin, 'a page whose links are not links');
  value['results'].forEach((item, index) => {
    const problem = clusterProblem(item);
    if (problem) throw unexpected(origin, `${problem} (item ${index})`);
  });
  return value as unknown as AtlasPage<ClusterDescription>;
}
