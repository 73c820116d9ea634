import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { describe, expect, it } from 'vitest';
import { AllowList } from '../../infra/AllowList';
import { AtlasPrivateEndpointWorkflow } from '../../infra/AtlasPrivateEndpointWorkflow';
import { createApp } from '../../infra/app';
import { InvalidRequestError } from '../../lambdas/errors';
import { RuntimeEnv } from '../../lambdas/handlers/runtime';
import { actionsOf, allStatements, type PolicyStatement, resourcesOf } from './synthesize';

const VPC_A = 'vpc-0123456789abcdef0';
const VPC_B = 'vpc-0fedcba9876543210';
const GROUP = '5f0c1a2b3c4d5e6f7a8b9c0d';

function workflowStack(props: { allowedVpcIds?: AllowList; allowedGroupIds?: AllowList }): Template {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Consumer', { env: { account: '123456789012', region: 'us-east-1' } });
  const atlasSecret = new secretsmanager.Secret(stack, 'AtlasKey');
  new AtlasPrivateEndpointWorkflow(stack, 'Workflow', { atlasSecret, ...props } as never);
  return Template.fromStack(stack);
}

const createStatements = (template: Template): PolicyStatement[] =>
  allStatements(template)
    .map(({ statement }) => statement)
    .filter((s) => actionsOf(s).includes('ec2:CreateVpcEndpoint'));

describe('AllowList', () => {
  it('parses a context value: values separated by commas, blanks and duplicates dropped, "*" for any', () => {
    expect(AllowList.parse(` ${VPC_A}, ${VPC_B},,${VPC_A} `).values).toStrictEqual([VPC_A, VPC_B]);
    expect(AllowList.parse(' * ').isAny).toBe(true);
  });

  it('refuses an empty list and a value of the wrong form, naming the prop', () => {
    expect(() => AllowList.parse('').check('allowedVpcIds', 'vpcId')).toThrow(/allowedVpcIds: lists nothing/);
    expect(() => AllowList.of('subnet-0123abcd').check('allowedVpcIds', 'vpcId')).toThrow(
      /allowedVpcIds: expected .*"subnet-0123abcd"/,
    );
  });
});

describe('GIVEN the workflow construct', () => {
  it('WHEN the allow-lists are left out THEN synthesis stops with an InvalidRequestError naming both props and AllowList.any()', () => {
    const act = () => workflowStack({});

    expect(act).toThrow(InvalidRequestError);
    expect(act).toThrow(/^allowedVpcIds: required.*AllowList\.any\(\); allowedGroupIds: required/);
  });

  it('WHEN two VPCs are allowed THEN CreateVpcEndpoint reaches those VPCs, and subnets and groups only inside them', () => {
    const template = workflowStack({
      allowedVpcIds: AllowList.of(VPC_A, VPC_B),
      allowedGroupIds: AllowList.of(GROUP),
    });

    const statements = createStatements(template);
    const onVpcs = statements.find((s) => resourcesOf(s, template).some((r) => r.includes(':vpc/')));
    const inVpcs = statements.find((s) => resourcesOf(s, template).some((r) => r.includes(':subnet/')));
    expect(resourcesOf(onVpcs!, template).map((r) => r.split(':').pop())).toStrictEqual([
      `vpc/${VPC_A}`,
      `vpc/${VPC_B}`,
    ]);
    const vpcCondition = JSON.stringify((inVpcs!.Condition as Record<string, unknown>).StringEquals);
    expect(vpcCondition).toContain('ec2:Vpc');
    expect(vpcCondition).toContain(`:vpc/${VPC_A}`);
    expect(vpcCondition).toContain(`:vpc/${VPC_B}`);
  });

  it('WHEN any VPC is allowed explicitly THEN CreateVpcEndpoint reaches every VPC, with no ec2:Vpc condition', () => {
    const template = workflowStack({ allowedVpcIds: AllowList.any(), allowedGroupIds: AllowList.any() });

    const statements = createStatements(template);
    expect(statements.some((s) => resourcesOf(s, template).some((r) => r.endsWith(':vpc/*')))).toBe(true);
    expect(JSON.stringify(statements)).not.toContain('ec2:Vpc');
  });

  it('THEN every function that writes reads the same lists from its environment', () => {
    const template = workflowStack({ allowedVpcIds: AllowList.of(VPC_A), allowedGroupIds: AllowList.any() });

    const functions = Object.values(template.findResources('AWS::Lambda::Function')).map(
      (f) =>
        (f.Properties as { Environment?: { Variables?: Record<string, string> } }).Environment?.Variables ??
        {},
    );
    const withLists = functions.filter((v) => RuntimeEnv.allowedVpcIds in v);
    expect(withLists.length).toBeGreaterThanOrEqual(4);
    for (const variables of withLists) {
      expect(variables[RuntimeEnv.allowedVpcIds]).toBe(VPC_A);
      expect(variables[RuntimeEnv.allowedGroupIds]).toBe('*');
    }
  });
});

describe('GIVEN the app (cdk synth)', () => {
  it('WHEN the allow-list context values are missing THEN it stops with one line naming both and what * means', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });

    let message = '';
    try {
      createApp(app);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('allowedVpcIds');
    expect(message).toContain('allowedGroupIds');
    expect(message).toContain('* for any');
    expect(message).not.toContain('\n');
  });

  it('WHEN given "*" for both THEN it synthesizes a deployment that allows any, as asked', () => {
    const app = new App({
      context: { 'aws:cdk:bundling-stacks': [], allowedVpcIds: '*', allowedGroupIds: '*' },
    });

    const { stack } = createApp(app);

    expect(stack.workflow.allowedVpcIds.isAny).toBe(true);
    expect(stack.workflow.allowedGroupIds.isAny).toBe(true);
  });
});
