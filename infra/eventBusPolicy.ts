/**
 * Who may put events on the workflow's bus. A principal of the bus's own account needs only its IAM policy
 * to call `events:PutEvents`; a resource policy can narrow that only with an explicit Deny, so both
 * statements here are Denies, conditioned on `aws:PrincipalArn` (an assumed role's session is matched by its
 * role's ARN) and on `events:source`. EventBridge answers a denied entry with `AccessDeniedException` or
 * `NotAuthorizedForSourceException` in PutEvents' `Entries` and drops it.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-use-conditions.html
 */
import { Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { AllowList } from './AllowList';

/** Statement ids (CDK prefixes them with `cdk-`): each is one `AWS::Events::EventBusPolicy`. */
export const EventBusPolicySid = {
  onlyNamedPublishers: 'OnlyNamedPublishers',
  onlyTheWorkflowPublishesItsSource: 'OnlyTheWorkflowPublishesItsSource',
} as const;

/** An IAM role or user ARN, the form `aws:PrincipalArn` takes (wildcards allowed: ArnNotLike). */
export const PUBLISHER_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):(?:role|user)\/[A-Za-z0-9+=,.@_/*-]+$/;

export interface EventBusPolicyInput {
  /** The bus's ARN. */
  readonly eventBusArn: string;
  /** The `source` the workflow publishes with. */
  readonly eventSource: string;
  /** The roles that publish the workflow's own events (its state machines'). */
  readonly workflowRoleArns: readonly string[];
  /**
   * Who else may put events: a list (maybe empty: nobody), or any principal the account's IAM allows.
   * `undefined` leaves that to the bus's owner (only the workflow's source is protected).
   */
  readonly publishers: AllowList | undefined;
}

/**
 * The bus policy's statements: nobody but the workflow's roles publishes with its `source` (so its
 * `Available`/`Failed` events cannot be forged), and, unless `publishers` is any, nobody but the workflow
 * and the named publishers puts events at all.
 */
export function eventBusPolicyStatements(input: EventBusPolicyInput): iam.PolicyStatement[] {
  const putEvents = {
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['events:PutEvents'],
    resources: [input.eventBusArn],
  };
  const statements = [
    new iam.PolicyStatement({
      ...putEvents,
      sid: EventBusPolicySid.onlyTheWorkflowPublishesItsSource,
      conditions: {
        StringEquals: { 'events:source': [input.eventSource] },
        ArnNotLike: { 'aws:PrincipalArn': [...input.workflowRoleArns] },
      },
    }),
  ];
  const { publishers } = input;
  if (publishers && publishers.values !== '*') {
    statements.push(
      new iam.PolicyStatement({
        ...putEvents,
        sid: EventBusPolicySid.onlyNamedPublishers,
        conditions: {
          ArnNotLike: { 'aws:PrincipalArn': [...input.workflowRoleArns, ...publishers.values] },
        },
      }),
    );
  }
  return statements;
}

/**
 * `eventPublishers`: role or user ARNs of `account` (its IAM decides what they may do; the bus policy
 * grants no other account anything), or any. A token is not checked.
 */
export function eventPublishersProblem(
  publishers: AllowList | undefined,
  account: string,
): string | undefined {
  if (publishers === undefined || publishers.values === '*') return undefined;
  for (const arn of publishers.values) {
    if (Token.isUnresolved(arn)) continue;
    const match = PUBLISHER_ARN.exec(arn);
    if (!match) {
      return `expected IAM role or user ARNs (arn:aws:iam::<account>:role/<name>, wildcards allowed), or AllowList.any(), got ${JSON.stringify(arn)}`;
    }
    if (!Token.isUnresolved(account) && match[1] !== account) {
      return `expected principals of this account (${account}): the bus policy allows no other account, got ${JSON.stringify(arn)}`;
    }
  }
  return undefined;
}
