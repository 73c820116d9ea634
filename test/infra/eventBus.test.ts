/**
 * Who may put events on the workflow's bus: the bus policy (Deny statements, since a principal of the same
 * account needs only its own IAM to call PutEvents) and the rules' patterns, which ignore a request that
 * claims the workflow's own source.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { describe, expect, it } from 'vitest';
import { AllowList } from '../../infra/AllowList';
import { AtlasPrivateEndpointWorkflow, WorkflowEvents } from '../../infra/AtlasPrivateEndpointWorkflow';
import { EventBusPolicySid } from '../../infra/eventBusPolicy';
import { DEMO_GROUP_ID } from '../../local/atlas-emulator';
import { type BusPolicyStatement, DEMO_VPC_ID, startAwsEmulator } from '../../local/aws-emulator';
import { ACCOUNT, logicalIdOf, synthesize } from './synthesize';

interface BusStatement {
  readonly Sid: string;
  readonly Effect: string;
  readonly Principal: unknown;
  readonly Action: string;
  readonly Resource: unknown;
  readonly Condition: Record<string, Record<string, unknown[]>>;
}

const ROLE = `arn:aws:iam::${ACCOUNT}:role/orders-service`;
const ROLES = `arn:aws:iam::${ACCOUNT}:role/team-*`;

/** The bus policy's statements, by sid (CDK writes them as `cdk-<sid>`), with the bus they apply to. */
function busPolicy(template: Template): { bus: unknown; statements: Record<string, BusStatement> } {
  const policies = Object.values(template.findResources('AWS::Events::EventBusPolicy'));
  const statements: Record<string, BusStatement> = {};
  for (const policy of policies) {
    const statement = policy.Properties.Statement as BusStatement;
    statements[statement.Sid.replace(/^cdk-/, '')] = statement;
  }
  return { bus: policies[0]?.Properties.EventBusName, statements };
}

const roleArnOf = (logicalId: string) => ({ 'Fn::GetAtt': [logicalId, 'Arn'] });

describe('GIVEN the stack, as a security review reads its event bus', () => {
  const stateMachineRoles = (synthesized: ReturnType<typeof synthesize>) => {
    const { stack } = synthesized;
    return [
      roleArnOf(logicalIdOf(stack, stack.workflow.stateMachine.role)),
      roleArnOf(logicalIdOf(stack, stack.workflow.deprovisioning.stateMachine.role)),
    ];
  };

  it('WHEN no publishers are named THEN only the two state machines may put events on the bus at all', () => {
    const synthesized = synthesize();

    const { bus, statements } = busPolicy(synthesized.template);

    expect(bus).toStrictEqual({ Ref: logicalIdOf(synthesized.stack, synthesized.stack.eventBus) });
    expect(statements[EventBusPolicySid.onlyNamedPublishers]).toMatchObject({
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 'events:PutEvents',
      Condition: { ArnNotLike: { 'aws:PrincipalArn': stateMachineRoles(synthesized) } },
    });
  });

  it("WHEN publishers are named THEN they may put events too, but nobody but the state machines with the workflow's source", () => {
    const synthesized = synthesize({ eventPublishers: `${ROLE}, ${ROLES}` });

    const { statements } = busPolicy(synthesized.template);

    const roles = stateMachineRoles(synthesized);
    expect(
      statements[EventBusPolicySid.onlyNamedPublishers]?.Condition.ArnNotLike?.['aws:PrincipalArn'],
    ).toStrictEqual([...roles, ROLE, ROLES]);
    expect(statements[EventBusPolicySid.onlyTheWorkflowPublishesItsSource]).toMatchObject({
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 'events:PutEvents',
      Condition: {
        StringEquals: { 'events:source': [synthesized.stack.workflow.eventSource] },
        ArnNotLike: { 'aws:PrincipalArn': roles },
      },
    });
    expect(Object.keys(statements)).toHaveLength(2);
  });

  it("WHEN any publisher is allowed (*) THEN the bus policy keeps only the workflow's source to the state machines", () => {
    const { template } = synthesize({ eventPublishers: '*' });

    const { statements } = busPolicy(template);

    expect(Object.keys(statements)).toStrictEqual([EventBusPolicySid.onlyTheWorkflowPublishesItsSource]);
  });

  it("WHEN reading the request and deletion rules THEN each matches its detail-type from any source but the workflow's own", () => {
    const { stack, template } = synthesize();

    const patterns = Object.values(template.findResources('AWS::Events::Rule'))
      .map((r) => r.Properties.EventPattern as Record<string, unknown> | undefined)
      .filter((p) => p !== undefined);

    expect(patterns).toStrictEqual(
      expect.arrayContaining(
        [WorkflowEvents.requested, WorkflowEvents.deletionRequested].map((detailType) => ({
          source: [{ 'anything-but': [stack.workflow.eventSource] }],
          'detail-type': [detailType],
        })),
      ),
    );
    expect(patterns).toHaveLength(2);
  });
});

describe('GIVEN the workflow construct on its own', () => {
  const workflowTemplate = (props: { eventBus?: 'imported' | 'given'; eventPublishers?: AllowList }) => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new Stack(app, 'Consumer', { env: { account: ACCOUNT, region: 'us-east-1' } });
    const eventBus =
      props.eventBus === 'imported'
        ? events.EventBus.fromEventBusName(stack, 'Shared', 'shared-bus')
        : props.eventBus === 'given'
          ? new events.EventBus(stack, 'Mine')
          : undefined;
    new AtlasPrivateEndpointWorkflow(stack, 'Workflow', {
      atlasSecret: new secretsmanager.Secret(stack, 'AtlasKey'),
      allowedVpcIds: AllowList.of(DEMO_VPC_ID),
      allowedGroupIds: AllowList.of(DEMO_GROUP_ID),
      ...(eventBus ? { eventBus } : {}),
      ...(props.eventPublishers ? { eventPublishers: props.eventPublishers } : {}),
    });
    return Template.fromStack(stack);
  };

  it('WHEN it creates its own bus THEN nobody but its state machines may put events on it', () => {
    const { statements } = busPolicy(workflowTemplate({}));

    expect(Object.keys(statements).sort()).toStrictEqual(
      [EventBusPolicySid.onlyNamedPublishers, EventBusPolicySid.onlyTheWorkflowPublishesItsSource].sort(),
    );
    expect(
      statements[EventBusPolicySid.onlyNamedPublishers]?.Condition.ArnNotLike?.['aws:PrincipalArn'],
    ).toHaveLength(2);
  });

  it("WHEN given a bus of the app and no publishers THEN only the workflow's source is kept to its state machines", () => {
    const { statements } = busPolicy(workflowTemplate({ eventBus: 'given' }));

    expect(Object.keys(statements)).toStrictEqual([EventBusPolicySid.onlyTheWorkflowPublishesItsSource]);
  });

  it('WHEN given an imported bus THEN it adds no policy, and fails naming eventPublishers if asked to narrow it', () => {
    expect(busPolicy(workflowTemplate({ eventBus: 'imported' })).statements).toStrictEqual({});
    expect(() => workflowTemplate({ eventBus: 'imported', eventPublishers: AllowList.of(ROLE) })).toThrow(
      /^eventPublishers: needs an event bus this app defines/,
    );
  });

  it('fails naming eventPublishers for a principal of another account or a value that is not a role or user ARN', () => {
    expect(() =>
      workflowTemplate({ eventPublishers: AllowList.of('arn:aws:iam::210987654321:role/elsewhere') }),
    ).toThrow(/^eventPublishers: expected principals of this account \(123456789012\)/);
    expect(() => workflowTemplate({ eventPublishers: AllowList.of('orders-service') })).toThrow(
      /^eventPublishers: expected IAM role or user ARNs/,
    );
  });
});

describe('GIVEN the synthesized bus policy, as EventBridge (the emulator) applies it to PutEvents', () => {
  /** The template's statements, each role's ARN written as IAM would: arn:aws:iam::<account>:role/<logical id>. */
  const policyOf = (template: Template): BusPolicyStatement[] =>
    JSON.parse(
      JSON.stringify(Object.values(busPolicy(template).statements)).replace(
        /\{"Fn::GetAtt":\["([A-Za-z0-9]+)","Arn"\]\}/g,
        `"arn:aws:iam::${ACCOUNT}:role/$1"`,
      ),
    ) as BusPolicyStatement[];

  /** Puts one event as each caller (by access key id) and answers each entry's ErrorCode, or 'accepted'. */
  async function putAs(
    context: Record<string, unknown>,
    attempts: readonly { readonly caller: 'orders' | 'other' | 'stateMachine'; readonly source: string }[],
  ): Promise<string[]> {
    const synthesized = synthesize(context);
    const stateMachineRole = `arn:aws:iam::${ACCOUNT}:role/${logicalIdOf(synthesized.stack, synthesized.stack.workflow.stateMachine.role)}`;
    const bus = 'the-bus';
    const aws = await startAwsEmulator({
      eventBuses: [bus],
      eventBusPolicies: { [bus]: policyOf(synthesized.template) },
      principals: {
        AKIDORDERS: ROLE,
        AKIDOTHER: `arn:aws:iam::${ACCOUNT}:role/someone-with-events-put-events-on-star`,
        AKIDSTATEMACHINE: stateMachineRole,
      },
    });
    try {
      const answers: string[] = [];
      for (const { caller, source } of attempts) {
        const client = new EventBridgeClient({
          endpoint: aws.url,
          region: 'us-east-1',
          credentials: { accessKeyId: `AKID${caller.toUpperCase()}`, secretAccessKey: 'dummy' },
          maxAttempts: 1,
        });
        const out = await client.send(
          new PutEventsCommand({
            Entries: [
              { EventBusName: bus, Source: source, DetailType: WorkflowEvents.requested, Detail: '{}' },
            ],
          }),
        );
        client.destroy();
        answers.push(out.Entries?.[0]?.ErrorCode ?? 'accepted');
      }
      return answers;
    } finally {
      await aws.close();
    }
  }

  it('WHEN publishers are named THEN they put requests, others are denied, and only the state machines use the workflow source', async () => {
    const answers = await putAs({ eventPublishers: ROLE }, [
      { caller: 'orders', source: 'orders.app' },
      { caller: 'other', source: 'orders.app' },
      { caller: 'orders', source: 'atlas-privatelink' },
      { caller: 'stateMachine', source: 'atlas-privatelink' },
    ]);

    expect(answers).toStrictEqual([
      'accepted',
      'AccessDeniedException',
      'NotAuthorizedForSourceException',
      'accepted',
    ]);
  });

  it('WHEN none are named THEN nobody but the state machines may put events', async () => {
    const answers = await putAs({}, [
      { caller: 'orders', source: 'orders.app' },
      { caller: 'stateMachine', source: 'atlas-privatelink' },
    ]);

    expect(answers).toStrictEqual(['AccessDeniedException', 'accepted']);
  });

  it('WHEN any publisher is allowed THEN anyone may put requests, still not with the workflow source', async () => {
    const answers = await putAs({ eventPublishers: '*' }, [
      { caller: 'other', source: 'orders.app' },
      { caller: 'other', source: 'atlas-privatelink' },
    ]);

    expect(answers).toStrictEqual(['accepted', 'NotAuthorizedForSourceException']);
  });
});
