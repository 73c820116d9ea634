/**
 * The stack in a shared account: what it changes beyond itself only when asked, and the options a platform
 * team needs there (a fixed egress address for Atlas's API access list, a secret under its own KMS key).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { AllowList } from '../../infra/AllowList';
import { AtlasPrivateLinkStack, type AtlasPrivateLinkStackProps } from '../../infra/AtlasPrivateLinkStack';
import { readValidationReport, unacknowledgedFindings } from '../helpers/validationReport';
import { actionsOf, allStatements, logicalIdOf, resourcesOf } from './synthesize';

const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:atlas-api-key-AbCdEf';
const KEY_ARN = 'arn:aws:kms:us-east-1:123456789012:key/0b1c2d3e-4f50-6172-8394-a5b6c7d8e9f0';
const CALLERS = {
  vpcId: 'vpc-0123456789abcdef0',
  subnetIds: ['subnet-0a0000000000000a1', 'subnet-0b0000000000000b2'],
};

interface Built {
  readonly stack: AtlasPrivateLinkStack;
  readonly template: Template;
  readonly findings: string[];
}

/** Synthesizes the stack with `props` and cdk-nag, as `cdk synth` does. */
function build(props: Partial<AtlasPrivateLinkStackProps> = {}): Built {
  const app = new App({
    outdir: mkdtempSync(join(tmpdir(), 'shared-')),
    context: { 'aws:cdk:bundling-stacks': [] },
  });
  const stack = new AtlasPrivateLinkStack(app, 'Shared', {
    allowedVpcIds: AllowList.of('vpc-0d3e0a1b2c3d4e5f6'),
    allowedGroupIds: AllowList.of('5f0c1a2b3c4d5e6f7a8b9c0d'),
    ...props,
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const assembly = app.synth();
  return {
    stack,
    template: Template.fromStack(stack),
    findings: unacknowledgedFindings(readValidationReport(assembly.directory)),
  };
}

describe('GIVEN the stack with its defaults', () => {
  let built: Built;
  beforeAll(() => {
    built = build();
  });

  it("THEN it leaves API Gateway's account-wide CloudWatch role alone", () => {
    built.template.resourceCountIs('AWS::ApiGateway::Account', 0);
  });

  it('THEN the execution log group is named under /aws/vendedlogs/states/', () => {
    const groups = Object.values(built.template.findResources('AWS::Logs::LogGroup'));
    const names = groups.map((g) => g.Properties?.LogGroupName).filter((n) => typeof n === 'string');
    expect(names).toHaveLength(1);
    expect(names[0]).toMatch(/^\/aws\/vendedlogs\/states\/[A-Za-z0-9-]+$/);
  });

  it('THEN no function runs in a VPC', () => {
    for (const fn of Object.values(built.template.findResources('AWS::Lambda::Function'))) {
      expect(fn.Properties?.VpcConfig).toBeUndefined();
    }
  });
});

describe('GIVEN apiGatewayCloudWatchRole', () => {
  it('THEN the account-wide role is created, and cdk-nag finds nothing unacknowledged', () => {
    const built = build({ apiGatewayCloudWatchRole: true });

    built.template.resourceCountIs('AWS::ApiGateway::Account', 1);
    expect(built.findings).toStrictEqual([]);
  });
});

describe('GIVEN a VPC for the functions that call Atlas', () => {
  let built: Built;
  beforeAll(() => {
    built = build({ atlasCallersVpc: CALLERS });
  });

  it('THEN exactly the functions that call Atlas run in its subnets, behind one security group', () => {
    const { stack, template } = built;
    const functions = template.findResources('AWS::Lambda::Function');
    const inVpc = (construct: { node: { defaultChild?: unknown } }) =>
      functions[logicalIdOf(stack, construct)]?.Properties?.VpcConfig as { SubnetIds?: string[] } | undefined;
    const callers = [
      'findEndpointService',
      'registerEndpoint',
      'checkEndpoint',
      'deleteAttempt',
      'cleanUp',
      'findConnectionStrings',
      'deleteRegistration',
      'deleteEndpointService',
    ];

    for (const [handler, fn] of [
      ...Object.entries(stack.workflow.functions),
      ...Object.entries(stack.workflow.deprovisioning.functions),
    ]) {
      expect({ handler, subnets: inVpc(fn)?.SubnetIds }).toStrictEqual({
        handler,
        subnets: callers.includes(handler) ? CALLERS.subnetIds : undefined,
      });
    }
    expect(inVpc(stack.sweep.function)?.SubnetIds).toStrictEqual(CALLERS.subnetIds);
    template.resourceCountIs('AWS::EC2::SecurityGroup', 1);
  });

  it('THEN their security group admits nothing in and lets out only HTTPS', () => {
    built.template.hasResourceProperties('AWS::EC2::SecurityGroup', {
      VpcId: CALLERS.vpcId,
      SecurityGroupEgress: [Match.objectLike({ IpProtocol: 'tcp', FromPort: 443, ToPort: 443 })],
      SecurityGroupIngress: Match.absent(),
    });
  });

  it('THEN cdk-nag finds nothing unacknowledged', () => {
    expect(built.findings).toStrictEqual([]);
  });
});

describe('GIVEN an imported secret under a customer-managed KMS key', () => {
  it('THEN only the functions that read the secret may decrypt with the key, and only through Secrets Manager', () => {
    const { template } = build({ atlasSecretArn: SECRET_ARN, atlasSecretKmsKeyArn: KEY_ARN });
    const statements = allStatements(template).map((s) => s.statement);
    const decrypts = statements.filter((s) => actionsOf(s).includes('kms:Decrypt'));
    const secretReads = statements.filter((s) => actionsOf(s).includes('secretsmanager:GetSecretValue'));

    expect(decrypts.length).toBeGreaterThan(0);
    expect(decrypts.length).toBe(secretReads.length);
    for (const statement of decrypts) {
      expect(resourcesOf(statement, template)).toStrictEqual([KEY_ARN]);
      expect(JSON.stringify(statement.Condition)).toContain('secretsmanager.');
    }
  });
});
