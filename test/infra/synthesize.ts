/**
 * Synthesizes the deployable app in-process (bundling skipped, so no esbuild or Docker) and reads the
 * state machine definition back out of the template, without pinning any generated logical id.
 */
import { createRequire } from 'node:module';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { AtlasPrivateLinkStack } from '../../infra/AtlasPrivateLinkStack';
import { createApp } from '../../infra/app';
import { DEMO_GROUP_ID } from '../../local/atlas-emulator';
import { DEMO_VPC_ID } from '../../local/aws-emulator';

export const ACCOUNT = '123456789012';
export const REGION = 'us-east-1';

export interface Synthesized {
  readonly app: App;
  readonly stack: AtlasPrivateLinkStack;
  readonly template: Template;
}

/** What the tests allow, as the offline environment does: the demo VPC and project. */
export const DEMO_ALLOW_LISTS = { allowedVpcIds: DEMO_VPC_ID, allowedGroupIds: DEMO_GROUP_ID } as const;

export function synthesize(context: Record<string, unknown> = {}): Synthesized {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [], ...DEMO_ALLOW_LISTS, ...context } });
  const { stack } = createApp(app);
  return { app, stack, template: Template.fromStack(stack) };
}

/** The logical id CloudFormation knows a construct's resource by, computed (never pinned). */
export function logicalIdOf(
  stack: AtlasPrivateLinkStack,
  construct: { node: { defaultChild?: unknown } },
): string {
  return stack.getLogicalId(construct.node.defaultChild as Parameters<typeof stack.getLogicalId>[0]);
}

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

/**
 * Renders a CloudFormation value as text: `{Ref: AWS::Partition}` → `aws`, a Lambda function's ARN →
 * `arn:aws:lambda:…:function:<logical id>`, an event bus ARN → `arn:aws:events:…:event-bus/<logical id>`,
 * anything else → `<logical id>` or `<Ref …>`.
 */
export function render(value: unknown, resources: Resources): string {
  if (typeof value === 'string') return value;
  const token = value as Record<string, unknown>;
  if ('Fn::Join' in token) {
    const [separator, parts] = token['Fn::Join'] as [string, unknown[]];
    return parts.map((p) => render(p, resources)).join(separator);
  }
  if ('Ref' in token) {
    const ref = token.Ref as string;
    const pseudo: Record<string, string> = {
      'AWS::Partition': 'aws',
      'AWS::Region': REGION,
      'AWS::AccountId': ACCOUNT,
    };
    return pseudo[ref] ?? `<Ref ${ref}>`;
  }
  if ('Fn::GetAtt' in token) {
    const [id, attribute] = token['Fn::GetAtt'] as [string, string];
    const type = resources[id]?.Type;
    if (attribute === 'Arn' && type === 'AWS::Lambda::Function')
      return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${id}`;
    if (attribute === 'Arn' && type === 'AWS::Events::EventBus')
      return `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/${id}`;
    return `<${id}.${attribute}>`;
  }
  return JSON.stringify(value);
}

export interface AslState {
  readonly Type: string;
  readonly Next?: string;
  readonly End?: boolean;
  readonly Default?: string;
  readonly Resource?: string;
  readonly Parameters?: Record<string, unknown>;
  readonly Choices?: readonly {
    readonly Variable?: string;
    readonly Next: string;
    readonly [k: string]: unknown;
  }[];
  readonly Retry?: readonly { readonly ErrorEquals: readonly string[]; readonly [k: string]: unknown }[];
  readonly Catch?: readonly {
    readonly ErrorEquals: readonly string[];
    readonly Next: string;
    readonly ResultPath?: string | null;
  }[];
  readonly [k: string]: unknown;
}

export interface AslDefinition {
  readonly StartAt: string;
  readonly TimeoutSeconds?: number;
  readonly States: Record<string, AslState>;
}

/** The definition of the state machine `logicalId` (see {@link logicalIdOf}), parsed, every token rendered as a placeholder. */
export function stateMachineDefinition(template: Template, logicalId: string): AslDefinition {
  const machine = template.findResources('AWS::StepFunctions::StateMachine')[logicalId];
  if (!machine) throw new Error(`no state machine ${logicalId} in the template`);
  const resources = template.toJSON().Resources as Resources;
  return JSON.parse(render(machine.Properties.DefinitionString, resources)) as AslDefinition;
}

export interface PolicyStatement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
  readonly Sid?: string;
}

export const actionsOf = (s: PolicyStatement): string[] => (Array.isArray(s.Action) ? s.Action : [s.Action]);
export const resourcesOf = (s: PolicyStatement, template: Template): string[] => {
  const resources = template.toJSON().Resources as Resources;
  return (Array.isArray(s.Resource) ? s.Resource : [s.Resource]).map((r) => render(r, resources));
};

/** Every statement of every `AWS::IAM::Policy` and inline role policy, with the roles it applies to. */
export function allStatements(template: Template): { roles: string[]; statement: PolicyStatement }[] {
  const found: { roles: string[]; statement: PolicyStatement }[] = [];
  for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
    const roles = ((policy.Properties.Roles ?? []) as { Ref: string }[]).map((r) => r.Ref);
    for (const statement of policy.Properties.PolicyDocument.Statement as PolicyStatement[]) {
      found.push({ roles, statement });
    }
  }
  for (const [id, role] of Object.entries(template.findResources('AWS::IAM::Role'))) {
    for (const policy of (role.Properties.Policies ?? []) as {
      PolicyDocument: { Statement: PolicyStatement[] };
    }[]) {
      for (const statement of policy.PolicyDocument.Statement) found.push({ roles: [id], statement });
    }
  }
  return found;
}

/** The statements that apply to one function's execution role. */
export function statementsOfFunction(template: Template, functionLogicalId: string): PolicyStatement[] {
  const fn = template.toJSON().Resources[functionLogicalId];
  const roleId = (fn.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  return allStatements(template)
    .filter(({ roles }) => roles.includes(roleId))
    .map(({ statement }) => statement);
}

type AslValidator = (
  definition: unknown,
  options?: { checkPaths?: boolean; checkArn?: boolean },
) => { isValid: boolean; errorsText: (separator?: string) => string };

/** asl-validator (a CommonJS module without types), as the definition tests call it. */
export const aslValidator = createRequire(import.meta.url)('asl-validator') as AslValidator;
