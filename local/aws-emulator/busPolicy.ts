/**
 * An event bus's resource policy, as EventBridge applies it to PutEvents from a principal of the bus's own
 * account: the caller's IAM policy is taken to allow the call, so only the policy's Deny statements can
 * refuse an entry. EventBridge refuses per entry (`NotAuthorizedForSourceException`,
 * `NotAuthorizedForDetailTypeException`, `AccessDeniedException` in PutEvents' `Entries`), so does this.
 *
 * The subset modelled, checked when the emulator starts so nothing is silently ignored: `Effect` Deny or
 * Allow (Allow statements change nothing for a same-account caller), `Action` `events:PutEvents` or
 * `events:*`, conditions `StringEquals`, `StringNotEquals`, `ArnLike`, `ArnNotLike` on `aws:PrincipalArn`,
 * `events:source` and `events:detail-type`. As in IAM, a negated operator on a key the request lacks (a
 * caller the emulator cannot name has no `aws:PrincipalArn`) is true, a positive one false.
 */
import { EmulatorOptionsError } from './errors';

/** One statement of a bus policy, as CloudFormation's `AWS::Events::EventBusPolicy` `Statement` holds it. */
export interface BusPolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action: string | readonly string[];
  readonly Principal?: unknown;
  readonly Resource?: unknown;
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

/** What PutEvents checks an entry against. */
export interface PutEventsRequestContext {
  /** The caller's `aws:PrincipalArn` (a role's ARN for its sessions); undefined when unknown. */
  readonly principalArn: string | undefined;
  readonly source: string;
  readonly detailType: string;
}

const OPERATORS = ['StringEquals', 'StringNotEquals', 'ArnLike', 'ArnNotLike'] as const;
type Operator = (typeof OPERATORS)[number];
const KEYS = ['aws:principalarn', 'events:source', 'events:detail-type'] as const;

/** Checks the statements are in the modelled subset. @throws EmulatorOptionsError naming what is not. */
export function validateBusPolicy(where: string, statements: readonly BusPolicyStatement[]): void {
  for (const [i, statement] of statements.entries()) {
    const at = `${where}[${i}]`;
    if (statement.Effect !== 'Deny' && statement.Effect !== 'Allow') {
      throw new EmulatorOptionsError(`${at}.Effect must be Deny or Allow`);
    }
    for (const [operator, keys] of Object.entries(statement.Condition ?? {})) {
      if (!OPERATORS.includes(operator as Operator)) {
        throw new EmulatorOptionsError(
          `${at}.Condition: ${operator} is not modelled (${OPERATORS.join(', ')})`,
        );
      }
      for (const key of Object.keys(keys)) {
        if (!KEYS.includes(key.toLowerCase() as (typeof KEYS)[number])) {
          throw new EmulatorOptionsError(
            `${at}.Condition.${operator}: ${key} is not modelled (${KEYS.join(', ')})`,
          );
        }
      }
    }
  }
}

/**
 * The error code EventBridge answers an entry the policy denies, or undefined when it is allowed: a Deny
 * that matched through `events:source` is `NotAuthorizedForSourceException`, through `events:detail-type`
 * `NotAuthorizedForDetailTypeException`, otherwise `AccessDeniedException`.
 */
export function busPolicyDenial(
  statements: readonly BusPolicyStatement[],
  request: PutEventsRequestContext,
): string | undefined {
  for (const statement of statements) {
    if (statement.Effect !== 'Deny' || !coversPutEvents(statement.Action)) continue;
    const condition = statement.Condition ?? {};
    if (!Object.entries(condition).every(([operator, keys]) => holds(operator as Operator, keys, request))) {
      continue;
    }
    const keys = Object.values(condition).flatMap((k) => Object.keys(k).map((key) => key.toLowerCase()));
    if (keys.includes('events:source')) return 'NotAuthorizedForSourceException';
    if (keys.includes('events:detail-type')) return 'NotAuthorizedForDetailTypeException';
    return 'AccessDeniedException';
  }
  return undefined;
}

function coversPutEvents(action: string | readonly string[]): boolean {
  const actions = typeof action === 'string' ? [action] : action;
  return actions.some((a) => ['events:putevents', 'events:*', '*'].includes(a.toLowerCase()));
}

function holds(
  operator: Operator,
  keys: Readonly<Record<string, string | readonly string[]>>,
  request: PutEventsRequestContext,
): boolean {
  return Object.entries(keys).every(([key, expected]) => {
    const values = typeof expected === 'string' ? [expected] : expected;
    const actual = requestValue(key, request);
    const negated = operator === 'StringNotEquals' || operator === 'ArnNotLike';
    if (actual === undefined) return negated;
    const like = operator === 'ArnLike' || operator === 'ArnNotLike';
    const matched = values.some((v) => (like ? globMatches(v, actual) : v === actual));
    return negated ? !matched : matched;
  });
}

function requestValue(key: string, request: PutEventsRequestContext): string | undefined {
  switch (key.toLowerCase()) {
    case 'aws:principalarn':
      return request.principalArn;
    case 'events:source':
      return request.source;
    default:
      return request.detailType;
  }
}

/** IAM's `*` (any run of characters) and `?` (one character). */
function globMatches(pattern: string, value: string): boolean {
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${regex}$`).test(value);
}
