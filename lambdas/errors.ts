/**
 * Every error this project throws, in one module.
 *
 * Step Functions matches `Retry` and `Catch` on an error's `name` (the Lambda runtime reports it as
 * `errorType`), so each class sets a stable `name`, exported in {@link ErrorName}, and the workflow
 * construct uses the same constants in `addRetry` / `addCatch`. Messages never carry credentials.
 */

/** The stable names Step Functions sees. Never rename one: deployed state machines match on them. */
export const ErrorName = {
  InvalidRequest: 'InvalidRequestError',
  AtlasApi: 'AtlasApiError',
  AtlasBadRequest: 'AtlasBadRequestError',
  AtlasAuth: 'AtlasAuthError',
  AtlasAccessList: 'AtlasAccessListError',
  AtlasNotFound: 'AtlasNotFoundError',
  AtlasConflict: 'AtlasConflictError',
  AtlasRateLimited: 'AtlasRateLimitedError',
  AtlasServer: 'AtlasServerError',
  AtlasNetwork: 'AtlasNetworkError',
  AtlasResponse: 'AtlasResponseError',
  DigestChallenge: 'DigestChallengeError',
  AtlasCredentials: 'AtlasCredentialsError',
  SecretsUnavailable: 'SecretsUnavailableError',
  EndpointServiceFailed: 'EndpointServiceFailedError',
  Ec2Throttled: 'Ec2ThrottledError',
  Ec2Unavailable: 'Ec2UnavailableError',
  Ec2InvalidParameter: 'Ec2InvalidParameterError',
  Ec2AccessDenied: 'Ec2AccessDeniedError',
  Ec2: 'Ec2Error',
  ProvisioningTimeout: 'ProvisioningTimeoutError',
  /** Every attempt `maxAttempts` allowed failed: the state machine's own "Give up" state names it; no function throws it. */
  AttemptsExhausted: 'AttemptsExhaustedError',
  DeletionTimeout: 'DeletionTimeoutError',
  ProvisioningNotFound: 'ProvisioningNotFoundError',
  ProvisioningNotDeletable: 'ProvisioningNotDeletableError',
  /** The endpoint a registration names is not this execution's (another account, service or creator). Never retried. */
  EndpointNotOwned: 'EndpointNotOwnedError',
  /** EC2 does not describe the endpoint yet (eventual consistency right after the create): retried. */
  EndpointNotVisible: 'EndpointNotVisibleError',
} as const;

export type ErrorNameValue = (typeof ErrorName)[keyof typeof ErrorName];

/** Base class: every error of this project is an `AtlasPrivateLinkError`. */
export class AtlasPrivateLinkError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'AtlasPrivateLinkError';
  }
}

// ---------------------------------------------------------------------------------------------------
// Bad input

/** One problem with one field of a request. */
export interface FieldViolation {
  /** The field's path as the user wrote it, e.g. `subnetIds[1]`. */
  readonly field: string;
  /** What was expected, in words, e.g. `a subnet id: "subnet-" followed by 8 or 17 hexadecimal characters`. */
  readonly message: string;
}

/** A request (workflow input, API body or client argument) is malformed. Never retried. */
export class InvalidRequestError extends AtlasPrivateLinkError {
  readonly violations: readonly FieldViolation[];

  constructor(violations: readonly FieldViolation[], options?: ErrorOptions) {
    super(violations.map((v) => `${v.field}: ${v.message}`).join('; ') || 'invalid request', options);
    this.name = ErrorName.InvalidRequest;
    this.violations = violations;
  }
}

// ---------------------------------------------------------------------------------------------------
// Atlas Admin API

/** What Atlas says in an `ApiError` body, plus the HTTP status. */
export interface AtlasErrorDetails {
  readonly status: number;
  readonly errorCode?: string | undefined;
  readonly detail?: string | undefined;
  readonly reason?: string | undefined;
  readonly parameters?: readonly unknown[] | undefined;
  /** `METHOD path` of the request that failed (no query string, no credentials). */
  readonly request?: string | undefined;
}

/**
 * Atlas answered with an error status. Subclasses tell the kinds apart; branch on `status` first,
 * since Atlas's error codes vary between endpoints and versions.
 */
export class AtlasApiError extends AtlasPrivateLinkError {
  readonly status: number;
  readonly errorCode: string | undefined;
  readonly detail: string | undefined;
  readonly reason: string | undefined;
  readonly parameters: readonly unknown[];
  readonly request: string | undefined;

  constructor(details: AtlasErrorDetails, options?: ErrorOptions) {
    super(AtlasApiError.describe(details), options);
    this.name = ErrorName.AtlasApi;
    this.status = details.status;
    this.errorCode = details.errorCode;
    this.detail = details.detail;
    this.reason = details.reason;
    this.parameters = details.parameters ?? [];
    this.request = details.request;
  }

  private static describe(d: AtlasErrorDetails): string {
    const code = d.errorCode ? ` ${d.errorCode}` : '';
    const what = d.detail ?? d.reason ?? 'no detail';
    const where = d.request ? ` (${d.request})` : '';
    return `Atlas answered ${d.status}${code}: ${what}${where}`;
  }
}

/** 400: Atlas refused the request as malformed. Never retried. */
export class AtlasBadRequestError extends AtlasApiError {
  constructor(details: AtlasErrorDetails, options?: ErrorOptions) {
    super(details, options);
    this.name = ErrorName.AtlasBadRequest;
  }
}

/** 401 or 403: wrong or insufficient credentials. Never retried. */
export class AtlasAuthError extends AtlasApiError {
  constructor(details: AtlasErrorDetails, options?: ErrorOptions) {
    super(details, options);
    this.name = ErrorName.AtlasAuth;
  }
}

/**
 * 403 because the caller's IP address is not on the API access list the organization requires. Carries the
 * address Atlas saw (`callerIp`, when Atlas named it) and says what to do. Never retried.
 */
export class AtlasAccessListError extends AtlasAuthError {
  readonly callerIp: string | undefined;

  constructor(details: AtlasErrorDetails & { callerIp?: string | undefined }, options?: ErrorOptions) {
    super(details, options);
    this.name = ErrorName.AtlasAccessList;
    this.callerIp = details.callerIp;
    const who = details.callerIp ? `from ${details.callerIp}` : 'from this address';
    this.message =
      `Atlas refused the call ${who}: it is not on the API access list of this API key or service account ` +
      `(${details.status} ${details.errorCode ?? ''}${details.request ? ` on ${details.request}` : ''}). ` +
      'Add the address to the access list in Atlas; for a fixed address, run the functions that call Atlas in ' +
      "your VPC behind a NAT gateway (the construct's vpc and vpcSubnets, or -c lambdaVpcId=… -c lambdaSubnetIds=…) " +
      "and add the NAT gateway's Elastic IP.";
  }
}

/** 404: the project, endpoint service or endpoint does not exist (or no longer does). */
export class AtlasNotFoundError extends AtlasApiError {
  constructor(details: AtlasErrorDetails, options?: ErrorOptions) {
    super(details, options);
    this.name = ErrorName.AtlasNotFound;
  }
}

/** 409: the resource exists already. */
export class AtlasConflictError extends AtlasApiError {
  constructor(details: AtlasErrorDetails, options?: ErrorOptions) {
    super(details, options);
    this.name = ErrorName.AtlasConflict;
  }
}

/** 429: rate limited. `retryAfterSeconds` is Atlas's `Retry-After`, when it sent one. */
export class AtlasRateLimitedError extends AtlasApiError {
  readonly retryAfterSeconds: number | undefined;

  constructor(
    details: AtlasErrorDetails & { retryAfterSeconds?: number | undefined },
    options?: ErrorOptions,
  ) {
    super(details, options);
    this.name = ErrorName.AtlasRateLimited;
    this.retryAfterSeconds = details.retryAfterSeconds;
  }
}

/** 5xx: Atlas failed. Retried for reads and deletes. */
export class AtlasServerError extends AtlasApiError {
  constructor(details: AtlasErrorDetails, options?: ErrorOptions) {
    super(details, options);
    this.name = ErrorName.AtlasServer;
  }
}

/** Atlas could not be reached, or did not answer in time (connect, headers or body timeout, reset). */
export class AtlasNetworkError extends AtlasPrivateLinkError {
  readonly code: string | undefined;

  constructor(message: string, options?: ErrorOptions & { code?: string | undefined }) {
    super(message, options);
    this.name = ErrorName.AtlasNetwork;
    this.code = options?.code;
  }
}

/** Atlas answered 2xx with a body that is not what the contract says (not JSON, too large, wrong shape). */
export class AtlasResponseError extends AtlasPrivateLinkError {
  readonly status: number;

  constructor(message: string, status: number, options?: ErrorOptions) {
    super(message, options);
    this.name = ErrorName.AtlasResponse;
    this.status = status;
  }
}

/** A `WWW-Authenticate: Digest` challenge that cannot be answered (malformed, unknown algorithm, no qop we support). */
export class DigestChallengeError extends AtlasPrivateLinkError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = ErrorName.DigestChallenge;
  }
}

/** The Atlas credentials secret is missing, unreadable or not of a known shape. Never retried. */
export class AtlasCredentialsError extends AtlasPrivateLinkError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = ErrorName.AtlasCredentials;
  }
}

/**
 * Secrets Manager could not be read for a passing reason (throttled, failing, unreachable, or its answer
 * was cut off), after the SDK's own retries: retried by the workflow, unlike a missing or malformed secret.
 */
export class SecretsUnavailableError extends AtlasPrivateLinkError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = ErrorName.SecretsUnavailable;
  }
}

// ---------------------------------------------------------------------------------------------------
// Workflow outcomes

/** The Atlas endpoint service is FAILED (or being deleted); carries Atlas's `errorMessage`. */
export class EndpointServiceFailedError extends AtlasPrivateLinkError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = ErrorName.EndpointServiceFailed;
  }
}

/** The request's `timeoutSeconds`, or a poll loop's own bound, ran out. */
export class ProvisioningTimeoutError extends AtlasPrivateLinkError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = ErrorName.ProvisioningTimeout;
  }
}

/** A deleted endpoint did not disappear from Atlas or EC2 within the deletion poll's bound. */
export class DeletionTimeoutError extends AtlasPrivateLinkError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = ErrorName.DeletionTimeout;
  }
}

/**
 * A deprovisioning names no provisioning of this deployment: an unknown execution id, or a VPC endpoint
 * this deployment did not create (no managed-by tag of its own, or not the one its execution recorded).
 * The API answers it with 404. Never retried.
 */
export class ProvisioningNotFoundError extends AtlasPrivateLinkError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = ErrorName.ProvisioningNotFound;
  }
}

/**
 * The provisioning exists but has nothing to deprovision (yet): it is still running, or it failed (a failed
 * provisioning removes what it created). The message names its status; the API answers it with 409. Never retried.
 */
export class ProvisioningNotDeletableError extends AtlasPrivateLinkError {
  readonly status: string;

  constructor(message: string, status: string, options?: ErrorOptions) {
    super(message, options);
    this.name = ErrorName.ProvisioningNotDeletable;
    this.status = status;
  }
}

/**
 * "Register with Atlas" refused to register a VPC endpoint this execution did not create: in another
 * account, to another service, or without this deployment's and this execution's tags. Invoking the
 * function directly with someone else's endpoint ends here, before Atlas is called. Never retried.
 */
export class EndpointNotOwnedError extends AtlasPrivateLinkError {
  readonly vpcEndpointId: string;

  constructor(vpcEndpointId: string, reason: string) {
    super(`refusing to register ${vpcEndpointId} with Atlas: ${reason}`);
    this.name = ErrorName.EndpointNotOwned;
    this.vpcEndpointId = vpcEndpointId;
  }
}

/**
 * EC2 answered `InvalidVpcEndpointId.NotFound` for an endpoint: right after `CreateVpcEndpoint` its reads
 * may not see it yet (EC2's eventual consistency). Retried by the state machine; not a refusal.
 */
export class EndpointNotVisibleError extends AtlasPrivateLinkError {
  readonly vpcEndpointId: string;

  constructor(vpcEndpointId: string) {
    super(`EC2 does not describe ${vpcEndpointId} (yet): it cannot be checked before registering it`);
    this.name = ErrorName.EndpointNotVisible;
    this.vpcEndpointId = vpcEndpointId;
  }
}

// ---------------------------------------------------------------------------------------------------
// EC2

/** What EC2 said: its case-exact error code and the HTTP status. */
export interface Ec2ErrorDetails {
  readonly code: string;
  readonly status?: number | undefined;
  readonly action: string;
}

/** EC2 refused or failed a call. Subclasses tell throttling, outages, bad parameters and denials apart. */
export class Ec2Error extends AtlasPrivateLinkError {
  readonly code: string;
  readonly status: number | undefined;
  readonly action: string;

  constructor(message: string, details: Ec2ErrorDetails, options?: ErrorOptions) {
    super(`EC2 ${details.action} failed with ${details.code}: ${message}`, options);
    this.name = ErrorName.Ec2;
    this.code = details.code;
    this.status = details.status;
    this.action = details.action;
  }
}

/** `RequestLimitExceeded` / `Throttling`: retried with backoff. */
export class Ec2ThrottledError extends Ec2Error {
  constructor(message: string, details: Ec2ErrorDetails, options?: ErrorOptions) {
    super(message, details, options);
    this.name = ErrorName.Ec2Throttled;
  }
}

/** EC2 5xx or unreachable: retried with backoff. */
export class Ec2UnavailableError extends Ec2Error {
  constructor(message: string, details: Ec2ErrorDetails, options?: ErrorOptions) {
    super(message, details, options);
    this.name = ErrorName.Ec2Unavailable;
  }
}

/** A VPC, subnet, security group or service name EC2 does not know, or a parameter it refuses. Never retried. */
export class Ec2InvalidParameterError extends Ec2Error {
  constructor(message: string, details: Ec2ErrorDetails, options?: ErrorOptions) {
    super(message, details, options);
    this.name = ErrorName.Ec2InvalidParameter;
  }
}

/** The function's role may not make this call (`UnauthorizedOperation`). Never retried. */
export class Ec2AccessDeniedError extends Ec2Error {
  constructor(message: string, details: Ec2ErrorDetails, options?: ErrorOptions) {
    super(message, details, options);
    this.name = ErrorName.Ec2AccessDenied;
  }
}

/**
 * Errors the workflow retries with backoff: Atlas 429/5xx/network failures and malformed answers (a
 * truncated body from a proxy; a retried create is safe, since a 409 for the same endpoint reads as
 * success), Secrets Manager's passing failures, and EC2 throttling, outages and malformed answers.
 */
export const RETRYABLE_ERROR_NAMES: readonly ErrorNameValue[] = [
  ErrorName.AtlasRateLimited,
  ErrorName.AtlasServer,
  ErrorName.AtlasNetwork,
  ErrorName.AtlasResponse,
  ErrorName.SecretsUnavailable,
  ErrorName.Ec2Throttled,
  ErrorName.Ec2Unavailable,
];

/**
 * What Step Functions reports when a Lambda invocation itself fails, before or after the function ran:
 * throttled (`Lambda.TooManyRequestsException`), timed out (`Sandbox.Timedout`, formerly `Lambda.Unknown`).
 * CDK's `LambdaInvoke` retries only Lambda's service errors (`Lambda.ServiceException` and kin); the workflow
 * retries these too, with backoff and full jitter. A timed-out invocation may have done its work: every
 * step is idempotent, so running it again is harmless.
 */
export const LAMBDA_INVOCATION_ERROR_NAMES = [
  'Lambda.TooManyRequestsException',
  'Sandbox.Timedout',
  'Lambda.Unknown',
] as const;
