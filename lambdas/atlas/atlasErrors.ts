import {
  AtlasAccessListError,
  AtlasApiError,
  AtlasAuthError,
  AtlasBadRequestError,
  AtlasConflictError,
  type AtlasErrorDetails,
  AtlasNetworkError,
  AtlasNotFoundError,
  AtlasPrivateLinkError,
  AtlasRateLimitedError,
  AtlasServerError,
} from '../errors';

/** The parts of an `ApiError` body this client reads; every one may be missing. */
type ErrorBodyDetails = Pick<AtlasErrorDetails, 'errorCode' | 'detail' | 'reason' | 'parameters'>;

const optionalString = (value: unknown): string | undefined =>
  typeof value === 'string' && value.length > 0 ? value : undefined;

/**
 * Reads what it can of an error body. Tolerant: a body that is not JSON, not an object, truncated or
 * absent gives no details rather than an error, because the status alone already says what happened.
 * Understands Atlas's `ApiError` (`{detail, error, errorCode, parameters, reason}`) and the OAuth 2.0
 * error of the token endpoint (`{error: "invalid_client", error_description}`).
 */
export function parseErrorBody(text: string | undefined): ErrorBodyDetails {
  if (!text) return {};
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return {};
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return {};
  const record = body as Record<string, unknown>;
  return {
    errorCode: optionalString(record['errorCode']) ?? optionalString(record['error']),
    detail: optionalString(record['detail']) ?? optionalString(record['error_description']),
    reason: optionalString(record['reason']),
    parameters: Array.isArray(record['parameters']) ? record['parameters'] : undefined,
  };
}

/**
 * Turns an error response into the typed error for its status. The status decides the class (Atlas's
 * error codes vary between endpoints and versions); the body only adds detail.
 *
 * @param request `METHOD path` of the request, without query string.
 * @param retryAfterMs the parsed `Retry-After`, carried by a 429 as whole seconds.
 */
export function toAtlasApiError(
  status: number,
  bodyText: string | undefined,
  request: string,
  retryAfterMs?: number,
): AtlasApiError {
  const details: AtlasErrorDetails = { status, request, ...parseErrorBody(bodyText) };
  if (status === 400) return new AtlasBadRequestError(details);
  if (status === 403 && isAccessListRefusal(details)) {
    return new AtlasAccessListError({ ...details, callerIp: ipIn(details) });
  }
  if (status === 401 || status === 403) return new AtlasAuthError(details);
  if (status === 404) return new AtlasNotFoundError(details);
  if (status === 409) return new AtlasConflictError(details);
  if (status === 429) {
    const retryAfterSeconds = retryAfterMs === undefined ? undefined : Math.ceil(retryAfterMs / 1000);
    return new AtlasRateLimitedError({ ...details, retryAfterSeconds });
  }
  if (status >= 500 && status <= 599) return new AtlasServerError(details);
  return new AtlasApiError(details);
}

/** Atlas's codes for a caller outside the API access list (and for an organization that requires one). */
const ACCESS_LIST_CODES: ReadonlySet<string> = new Set([
  'IP_ADDRESS_NOT_ON_ACCESS_LIST',
  'ORG_REQUIRES_ACCESS_LIST',
  'ORG_REQUIRES_WHITELIST',
  'IP_ADDRESS_NOT_ON_WHITELIST',
]);

function isAccessListRefusal(details: AtlasErrorDetails): boolean {
  return details.errorCode !== undefined && ACCESS_LIST_CODES.has(details.errorCode);
}

const IP = /\b(?:\d{1,3}\.){3}\d{1,3}\b|\b[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}\b/i;

/** The caller's address, as Atlas names it in the error's parameters or its detail. */
function ipIn(details: AtlasErrorDetails): string | undefined {
  for (const candidate of [...(details.parameters ?? []).map(String), details.detail ?? '']) {
    const found = IP.exec(candidate)?.[0];
    if (found) return found;
  }
  return undefined;
}

/**
 * Failures that happen before a request leaves this process: Atlas cannot have acted on it, so even a
 * create may be sent again. A reset or timeout later on could come after Atlas acted, so it is not here.
 */
const CONNECT_PHASE_CODES: ReadonlySet<string> = new Set([
  'UND_ERR_CONNECT_TIMEOUT',
  'ECONNREFUSED',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/** The `code` of a transport error (Node's `AggregateError` of a happy-eyeballs connect keeps it on each member). */
export function transportErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && code.length > 0) return code;
  if (error instanceof AggregateError) {
    for (const member of error.errors) {
      const inner = transportErrorCode(member);
      if (inner) return inner;
    }
  }
  const cause = (error as { cause?: unknown }).cause;
  return cause === undefined || cause === error ? undefined : transportErrorCode(cause);
}

/** True when the request cannot have reached Atlas (see {@link CONNECT_PHASE_CODES}). */
export function isConnectPhaseError(error: AtlasNetworkError): boolean {
  return error.code !== undefined && CONNECT_PHASE_CODES.has(error.code);
}

/**
 * Wraps an error thrown while talking to Atlas (connect/headers/body timeout, reset, closed socket…)
 * in an {@link AtlasNetworkError} carrying its code. This project's own errors (e.g. a Digest
 * challenge that cannot be answered) pass through unchanged.
 */
export function toNetworkError(error: unknown, request: string): AtlasPrivateLinkError {
  if (error instanceof AtlasPrivateLinkError) return error;
  const code = transportErrorCode(error) ?? 'UNKNOWN';
  const why = error instanceof Error && error.message ? `: ${error.message}` : '';
  return new AtlasNetworkError(`Atlas could not be reached (${code}) on ${request}${why}`, {
    code,
    cause: error,
  });
}
