/**
 * Who asked for a provisioning, and who may read it back: pure.
 *
 * A provisioning's input records its caller as `requestedBy`, one string:
 * - from the API, the IAM principal that signed the request (API Gateway's `requestContext.identity.userArn`),
 *   with an assumed role's session name dropped: `arn:aws:sts::<account>:assumed-role/<role>`. Whoever may
 *   assume a role chooses the session name, so sessions are no boundary between callers, and a role's CI
 *   jobs, Lambda invocations or SSO sessions each get a new one; the full ARN, session included, is in the
 *   API's access log and the function's log line, next to the execution id;
 * - from EventBridge, `eventbridge:<account>:<source>`, the event's account and source (the source is the
 *   publisher's word: the bus's resource policy decides who may publish);
 * - nothing, for an execution started on the state machine itself (console, CLI, SDK): CloudTrail's
 *   `StartExecution` event names that principal.
 */

/** The field of a provisioning's input that records its caller. */
export const REQUESTED_BY_FIELD = 'requestedBy';

/** The longest `requestedBy` an input may hold (IAM's longest ARN). */
export const MAX_REQUESTED_BY_CHARS = 2048;

/** EC2's longest tag value. */
const MAX_TAG_VALUE_CHARS = 256;

const ASSUMED_ROLE = /^(arn:[a-z0-9-]+:sts::\d{12}:assumed-role\/[^/]+)\/.+$/;
const IAM_ROLE = /^arn:([a-z0-9-]+):iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/;
/** A principal API Gateway's AWS_IAM authorization names: a user, an assumed role, the account root, a federated user. */
const PRINCIPAL_ARN = /^arn:[a-z0-9-]+:(?:iam|sts)::\d{12}:[\x21-\x7e]+$/;
/** Reader ARNs the deployer may list: IAM roles and users (any path), assumed roles, the account root. */
const READER_ARN =
  /^arn:[a-z0-9-]+:(?:iam::\d{12}:(?:role|user)\/[\x21-\x7e]+|iam::\d{12}:root|sts::\d{12}:assumed-role\/[^/\s]+)$/;

/**
 * The caller of an API request, from the `userArn` API Gateway's IAM authorization put in its request
 * context; undefined when there is none (the method is not IAM-authorized, or the request was not signed).
 *
 * @example
 * apiCaller('arn:aws:sts::123456789012:assumed-role/Deployer/ci-run-42'); // 'arn:aws:sts::123456789012:assumed-role/Deployer'
 */
export function apiCaller(userArn: unknown): string | undefined {
  if (typeof userArn !== 'string' || userArn.length > MAX_REQUESTED_BY_CHARS) return undefined;
  if (!PRINCIPAL_ARN.test(userArn)) return undefined;
  return ASSUMED_ROLE.exec(userArn)?.[1] ?? userArn;
}

/** The caller of an EventBridge event: the account it was put from and the source it claims. */
export function eventCaller(account: unknown, source: unknown): string {
  return `eventbridge:${String(account ?? '')}:${String(source ?? '')}`.slice(0, MAX_REQUESTED_BY_CHARS);
}

/**
 * A reader as the API compares it with a caller: an IAM role ARN (any path) reads as the role's assumed-role
 * form, which is what its callers are recorded as; any other ARN as it is.
 */
export function readerPrincipal(arn: string): string {
  const role = IAM_ROLE.exec(arn);
  return role ? `arn:${role[1]}:sts::${role[2]}:assumed-role/${role[3]}` : arn;
}

/** Why `arn` cannot name an endpoint reader, or undefined when it can. */
export function readerArnProblem(arn: string): string | undefined {
  return READER_ARN.test(arn)
    ? undefined
    : `expected an IAM role or user ARN (arn:aws:iam::<account>:role/<name>), an assumed role (arn:aws:sts::<account>:assumed-role/<name>) or an account root, got ${JSON.stringify(arn.slice(0, 200))}`;
}

/** The caller an execution's input records, or undefined (started on the state machine itself, or not an object). */
export function requestedByOf(input: unknown): string | undefined {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return undefined;
  const value = (input as Record<string, unknown>)[REQUESTED_BY_FIELD];
  return typeof value === 'string' ? value : undefined;
}

/**
 * Whether `caller` may see (and delete) the provisioning whose input is `input` through the API: its own,
 * or any when the caller is one of the deployment's readers. One that records no API caller (an
 * EventBridge or console start) is the readers' only.
 */
export function mayRead(input: unknown, caller: string, readers: readonly string[]): boolean {
  if (readers.some((reader) => readerPrincipal(reader) === caller)) return true;
  const owner = requestedByOf(input);
  return owner !== undefined && owner === caller;
}

/**
 * The value of the `atlas-privatelink:requested-by` tag: the caller in the characters every AWS tagging
 * service accepts (letters, digits, spaces and `+ - = . _ : / @`; others become `_`), cut to EC2's 256. A tag
 * finds an endpoint's caller; the execution's input holds it exactly.
 */
export function requestedByTagValue(requestedBy: string): string {
  return requestedBy.replace(/[^\p{L}\p{N}\p{Zs}+\-=._:/@]/gu, '_').slice(0, MAX_TAG_VALUE_CHARS);
}
