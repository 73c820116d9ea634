import { STATUS_CODES } from 'node:http';
import { InvalidRequestError } from '../../lambdas/errors';

/**
 * The `errorCode` values the emulator answers with. Where MongoDB documents a code for the situation
 * (the Atlas Administration API error-code table, the Atlas Kubernetes operator, Terraform issues) it is
 * that code; the few marked "emulator choice" have no documented equivalent.
 */
export const AtlasErrorCode = {
  /** 400: a path parameter (groupId, endpointServiceId, cloudProvider, endpointId) is malformed. */
  PATH_PARAM_PARSE_ERROR: 'PATH_PARAM_PARSE_ERROR',
  /** 400: the request body is not JSON (or not a JSON object). Emulator choice. */
  INVALID_JSON: 'INVALID_JSON',
  /** 400: "The required attribute %s was not specified." */
  MISSING_ATTRIBUTE: 'MISSING_ATTRIBUTE',
  /** 400: "Invalid attribute %s specified." */
  INVALID_ATTRIBUTE: 'INVALID_ATTRIBUTE',
  /** 400: "No provider %s exists." (the spec's own badRequest example). */
  VALIDATION_ERROR: 'VALIDATION_ERROR',
  /** 400: "No region %s exists for provider %s." */
  INVALID_REGION: 'INVALID_REGION',
  /** 403: the caller's address is not on the organization's API access list (script `apiAccessList`). */
  IP_ADDRESS_NOT_ON_ACCESS_LIST: 'IP_ADDRESS_NOT_ON_ACCESS_LIST',
  /** 400: `supportedRemoteRegions` on a service of another provider than AWS (Terraform's acceptance tests). */
  PROVIDER_UNSUPPORTED: 'PROVIDER_UNSUPPORTED',
  /** 400: the service's own region among its `supportedRemoteRegions` (Terraform's acceptance tests). */
  CROSS_REGION_PRIVATE_LINK_SELF_REGION: 'CROSS_REGION_PRIVATE_LINK_SELF_REGION',
  /** 404: the project is not one the emulator serves (only with the `projects` option). */
  GROUP_NOT_FOUND: 'GROUP_NOT_FOUND',
  /** 404: no endpoint service with that id for that provider in that project (Atlas Kubernetes operator). */
  PRIVATE_ENDPOINT_SERVICE_NOT_FOUND: 'PRIVATE_ENDPOINT_SERVICE_NOT_FOUND',
  /** 404: "A PrivateLink interface endpoint with id %s does not exist." */
  PRIVATELINK_INTERFACE_ENDPOINT_NOT_FOUND: 'PRIVATELINK_INTERFACE_ENDPOINT_NOT_FOUND',
  /** 404: "No cluster named %s exists in group %s." */
  CLUSTER_NOT_FOUND: 'CLUSTER_NOT_FOUND',
  /** 400: a query parameter (`pageNum`, `itemsPerPage`, `includeCount`) out of its range. Emulator choice. */
  INVALID_QUERY_PARAMETER: 'INVALID_QUERY_PARAMETER',
  /** 404: a path the API does not have. Emulator choice. */
  NOT_FOUND: 'NOT_FOUND',
  /** 405: a method the path does not support. Emulator choice. */
  METHOD_NOT_ALLOWED: 'METHOD_NOT_ALLOWED',
  /** 406: a v2 `Accept` the API cannot serve (a version date before 2023-01-01, a non-JSON type). Emulator choice. */
  NOT_ACCEPTABLE: 'NOT_ACCEPTABLE',
  /** 409: "A private endpoint service already exists for AWS region US_EAST_1." */
  PRIVATE_ENDPOINT_SERVICE_ALREADY_EXISTS_FOR_REGION: 'PRIVATE_ENDPOINT_SERVICE_ALREADY_EXISTS_FOR_REGION',
  /** 409: "The PrivateLink already contains an interface endpoint with the specified id %s." */
  PRIVATELINK_INTERFACE_ENDPOINT_ALREADY_EXISTS: 'PRIVATELINK_INTERFACE_ENDPOINT_ALREADY_EXISTS',
  /** 409: "The PrivateLink with the specified id %s is not ready to accept endpoint connection requests." */
  PRIVATELINK_CANNOT_ACCEPT_ENDPOINTS: 'PRIVATELINK_CANNOT_ACCEPT_ENDPOINTS',
  /** 409: "A PrivateLink with endpoints cannot be deleted. Please delete all endpoints and retry." */
  CANNOT_DELETE_PRIVATELINK_WITH_ENDPOINTS: 'CANNOT_DELETE_PRIVATELINK_WITH_ENDPOINTS',
  /** 409: an update of a service that is still INITIATING (being created or updated) or DELETING. Emulator choice. */
  PRIVATE_ENDPOINT_SERVICE_NOT_READY: 'PRIVATE_ENDPOINT_SERVICE_NOT_READY',
  /** 413: the body is larger than `maxBodyBytes`. Emulator choice. */
  REQUEST_TOO_LARGE: 'REQUEST_TOO_LARGE',
  /** 415: a body that is not declared as JSON. Emulator choice. */
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  /** 429: "Resource %s is limited to %s requests every %s minutes." */
  RATE_LIMITED: 'RATE_LIMITED',
  /** 500: a bug in the emulator (logged), or a scripted fault. */
  UNEXPECTED_ERROR: 'UNEXPECTED_ERROR',
  /** 503: a scripted fault. */
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
} as const;
export type AtlasErrorCode = (typeof AtlasErrorCode)[keyof typeof AtlasErrorCode];

/** The `ApiError` body of the Atlas Admin API. */
export interface ApiErrorBody {
  readonly detail: string;
  readonly error: number;
  readonly errorCode: string;
  readonly parameters: readonly unknown[];
  readonly reason: string;
}

/** Atlas's 401 body, exactly (it carries no `errorCode`). */
export const UNAUTHORIZED_BODY = {
  error: 401,
  reason: 'Unauthorized',
  detail: 'You are not authorized for this resource.',
} as const;

export function reasonPhrase(status: number): string {
  return STATUS_CODES[status] ?? 'Unknown';
}

export function apiErrorBody(
  status: number,
  errorCode: string,
  detail: string,
  parameters: readonly unknown[] = [],
): ApiErrorBody {
  return { detail, error: status, errorCode, parameters, reason: reasonPhrase(status) };
}

/** Thrown inside the emulator to answer with an Atlas `ApiError`; never escapes the request handler. */
export class AtlasApiError extends Error {
  readonly status: number;
  readonly errorCode: string;
  readonly detail: string;
  readonly parameters: readonly unknown[];
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    status: number,
    errorCode: string,
    detail: string,
    parameters: readonly unknown[] = [],
    headers: Readonly<Record<string, string>> = {},
  ) {
    super(`${status} ${errorCode}: ${detail}`);
    this.name = 'AtlasApiError';
    this.status = status;
    this.errorCode = errorCode;
    this.detail = detail;
    this.parameters = parameters;
    this.headers = headers;
  }

  get body(): ApiErrorBody {
    return apiErrorBody(this.status, this.errorCode, this.detail, this.parameters);
  }
}

/** Thrown when an {@link AtlasScript} (or emulator options) fails validation; lists every problem found. */
export class AtlasScriptError extends Error {
  readonly problems: readonly string[];

  constructor(source: string, problems: readonly string[], options?: ErrorOptions) {
    super(`Invalid Atlas emulator script (${source}):\n  - ${problems.join('\n  - ')}`, options);
    this.name = 'AtlasScriptError';
    this.problems = problems;
  }
}

/**
 * Thrown by {@link startAtlasEmulator} for an option that cannot work; the message names the option. An
 * `InvalidRequestError`, as every bad argument to this package is.
 */
export class AtlasEmulatorOptionError extends InvalidRequestError {
  constructor(message: string) {
    super([{ field: 'options', message }]);
    this.message = message;
    this.name = 'AtlasEmulatorOptionError';
  }
}
