import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { WorkflowEvents } from '../../infra/AtlasPrivateEndpointWorkflow';
import { createApp } from '../../infra/app';
import { readValidationReport as readReport } from '../helpers/validationReport';
import {
  actionsOf,
  allStatements,
  DEMO_ALLOW_LISTS,
  logicalIdOf,
  resourcesOf,
  type Synthesized,
  synthesize,
} from './synthesize';

let synthesized: Synthesized;

beforeAll(() => {
  synthesized = synthesize();
});

describe('GIVEN the synthesized stack', () => {
  describe('WHEN reading the REST API', () => {
    it('THEN every method requires AWS_IAM authorization', () => {
      const methods = Object.values(synthesized.template.findResources('AWS::ApiGateway::Method'));

      expect(methods.map((m) => m.Properties.HttpMethod).sort()).toStrictEqual([
        'DELETE',
        'GET',
        'GET',
        'POST',
      ]);
      for (const method of methods) expect(method.Properties.AuthorizationType).toBe('AWS_IAM');
    });

    it('THEN POST /endpoints invokes startProvisioning with the request model, leaving body validation to the function', () => {
      const { stack, template } = synthesized;
      const endpoints = Object.entries(
        template.findResources('AWS::ApiGateway::Resource', {
          Properties: { PathPart: 'endpoints' },
        }),
      );
      expect(endpoints).toHaveLength(1);

      template.hasResourceProperties('AWS::ApiGateway::Method', {
        HttpMethod: 'POST',
        ResourceId: { Ref: endpoints[0]![0] },
        RequestModels: { 'application/json': Match.anyValue() },
        // API Gateway's body validation would answer a bare "Invalid request body"; the function names each field.
        RequestValidatorId: Match.absent(),
        Integration: {
          Type: 'AWS_PROXY',
          Uri: Match.objectLike({
            'Fn::Join': [
              '',
              Match.arrayWith([
                { 'Fn::GetAtt': [logicalIdOf(stack, stack.apiFunctions.startProvisioning), 'Arn'] },
              ]),
            ],
          }),
        },
      });
    });

    it('THEN GET /endpoints/{executionId} invokes getProvisioning', () => {
      const { stack, template } = synthesized;
      const [endpointsId] = Object.keys(
        template.findResources('AWS::ApiGateway::Resource', {
          Properties: { PathPart: 'endpoints' },
        }),
      );
      const byId = Object.keys(
        template.findResources('AWS::ApiGateway::Resource', {
          Properties: { PathPart: '{executionId}', ParentId: { Ref: endpointsId } },
        }),
      );
      expect(byId).toHaveLength(1);

      template.hasResourceProperties('AWS::ApiGateway::Method', {
        HttpMethod: 'GET',
        ResourceId: { Ref: byId[0] },
        RequestParameters: { 'method.request.path.executionId': true },
        Integration: {
          Type: 'AWS_PROXY',
          Uri: Match.objectLike({
            'Fn::Join': [
              '',
              Match.arrayWith([
                { 'Fn::GetAtt': [logicalIdOf(stack, stack.apiFunctions.getProvisioning), 'Arn'] },
              ]),
            ],
          }),
        },
      });
    });

    it('THEN DELETE /endpoints/{executionId} invokes deleteProvisioning and GET /endpoints invokes listProvisionings', () => {
      const { stack, template } = synthesized;
      const [endpointsId] = Object.keys(
        template.findResources('AWS::ApiGateway::Resource', { Properties: { PathPart: 'endpoints' } }),
      );
      const [byId] = Object.keys(
        template.findResources('AWS::ApiGateway::Resource', {
          Properties: { PathPart: '{executionId}', ParentId: { Ref: endpointsId } },
        }),
      );
      const invokes = (fn: keyof typeof stack.apiFunctions) =>
        Match.objectLike({
          Type: 'AWS_PROXY',
          Uri: Match.objectLike({
            'Fn::Join': [
              '',
              Match.arrayWith([{ 'Fn::GetAtt': [logicalIdOf(stack, stack.apiFunctions[fn]), 'Arn'] }]),
            ],
          }),
        });

      template.hasResourceProperties('AWS::ApiGateway::Method', {
        HttpMethod: 'DELETE',
        ResourceId: { Ref: byId },
        AuthorizationType: 'AWS_IAM',
        RequestParameters: { 'method.request.path.executionId': true },
        Integration: invokes('deleteProvisioning'),
      });
      template.hasResourceProperties('AWS::ApiGateway::Method', {
        HttpMethod: 'GET',
        ResourceId: { Ref: endpointsId },
        AuthorizationType: 'AWS_IAM',
        Integration: invokes('listProvisionings'),
      });
    });

    it('THEN the stage is traced, logs access and is throttled', () => {
      synthesized.template.hasResourceProperties('AWS::ApiGateway::Stage', {
        StageName: 'v1',
        TracingEnabled: true,
        AccessLogSetting: Match.objectLike({ DestinationArn: Match.anyValue() }),
        MethodSettings: Match.arrayWith([
          Match.objectLike({ ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 }),
        ]),
      });
    });
  });

  describe('WHEN reading who may start executions', () => {
    it('THEN states:StartExecution is granted only on the provisioning to the start functions, and on the deprovisioning to the deletion functions', () => {
      const { stack, template } = synthesized;
      const roleOf = (fn: keyof typeof stack.apiFunctions) =>
        template.toJSON().Resources[logicalIdOf(stack, stack.apiFunctions[fn])].Properties.Role[
          'Fn::GetAtt'
        ][0];
      const granting = allStatements(template).filter(({ statement }) =>
        actionsOf(statement).includes('states:StartExecution'),
      );
      const provisioning = `<Ref ${logicalIdOf(stack, stack.workflow.stateMachine)}>`;
      const deprovisioning = `<Ref ${logicalIdOf(stack, stack.workflow.deprovisioning.stateMachine)}>`;
      const starters = [roleOf('startProvisioning'), roleOf('startFromEvent')];
      const deleters = [roleOf('deleteProvisioning'), roleOf('deleteFromEvent')];

      expect(granting.length).toBe(4);
      for (const { statement, roles } of granting) {
        const [resource, ...others] = resourcesOf(statement, template);
        expect(others).toStrictEqual([]);
        if (resource === provisioning) expect(starters).toEqual(expect.arrayContaining(roles));
        else {
          expect(resource).toBe(deprovisioning);
          expect(deleters).toEqual(expect.arrayContaining(roles));
        }
      }
    });

    it('THEN the start function may start and describe executions, the status function only describe them', () => {
      const { stack, template } = synthesized;
      const actionsOfFn = (fn: keyof typeof stack.apiFunctions) => {
        const role =
          template.toJSON().Resources[logicalIdOf(stack, stack.apiFunctions[fn])].Properties.Role[
            'Fn::GetAtt'
          ][0];
        return allStatements(template)
          .filter(({ roles }) => roles.includes(role))
          .flatMap(({ statement }) => actionsOf(statement))
          .filter((a) => a.startsWith('states:'));
      };

      expect(actionsOfFn('startProvisioning').sort()).toStrictEqual([
        'states:DescribeExecution',
        'states:StartExecution',
      ]);
      // The status reads both records: the provisioning and its deprovisioning.
      expect(actionsOfFn('getProvisioning')).toStrictEqual([
        'states:DescribeExecution',
        'states:DescribeExecution',
      ]);
      expect(actionsOfFn('listProvisionings').sort()).toStrictEqual([
        'states:DescribeExecution',
        'states:DescribeExecution',
        'states:ListExecutions',
      ]);
    });
  });

  describe('WHEN reading the EventBridge start', () => {
    it(`THEN a rule on "${WorkflowEvents.requested}" sends the whole event to the start function, retrying into a dead-letter queue`, () => {
      const { stack, template } = synthesized;
      const [queueId] = Object.keys(template.findResources('AWS::SQS::Queue'));
      const startFromEvent = logicalIdOf(stack, stack.apiFunctions.startFromEvent);

      template.hasResourceProperties('AWS::Events::Rule', {
        EventBusName: { Ref: logicalIdOf(stack, stack.eventBus) },
        EventPattern: {
          source: [{ 'anything-but': [stack.workflow.eventSource] }],
          'detail-type': [WorkflowEvents.requested],
        },
        State: 'ENABLED',
        Targets: [
          Match.objectLike({
            Arn: { 'Fn::GetAtt': [startFromEvent, 'Arn'] },
            RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 7200 },
            DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } },
          }),
        ],
      });
      // The event as a whole (its id names the execution): no InputPath.
      const rules = Object.values(template.findResources('AWS::Events::Rule'));
      const targets = rules.flatMap((r) => (r.Properties?.Targets ?? []) as Record<string, unknown>[]);
      expect(targets.every((t) => t.InputPath === undefined)).toBe(true);
    });

    it(`THEN a rule on "${WorkflowEvents.deletionRequested}" sends the whole event to the deletion function, retrying into the dead-letter queue`, () => {
      const { stack, template } = synthesized;
      const [queueId] = Object.keys(template.findResources('AWS::SQS::Queue'));

      template.hasResourceProperties('AWS::Events::Rule', {
        EventBusName: { Ref: logicalIdOf(stack, stack.eventBus) },
        EventPattern: {
          source: [{ 'anything-but': [stack.workflow.eventSource] }],
          'detail-type': [WorkflowEvents.deletionRequested],
        },
        Targets: [
          Match.objectLike({
            Arn: { 'Fn::GetAtt': [logicalIdOf(stack, stack.apiFunctions.deleteFromEvent), 'Arn'] },
            RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 7200 },
            DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queueId, 'Arn'] } },
          }),
        ],
      });
    });

    it('THEN the start function sends the invocations it fails, after retries, to the same dead-letter queue', () => {
      const { stack, template } = synthesized;
      const [queueId] = Object.keys(template.findResources('AWS::SQS::Queue'));
      const resources = template.findResources('AWS::Lambda::Function');

      expect(resources[logicalIdOf(stack, stack.apiFunctions.startFromEvent)]?.Properties).toMatchObject({
        DeadLetterConfig: { TargetArn: { 'Fn::GetAtt': [queueId, 'Arn'] } },
      });
      template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 2 });
    });

    it('THEN the dead-letter queue is encrypted and refuses plain HTTP', () => {
      synthesized.template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
      synthesized.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    });
  });

  describe('WHEN cdk-nag (AwsSolutionsChecks, via the Validations API) reviews the app', () => {
    it('THEN it reports no finding that is not acknowledged', () => {
      const assembly = synthesized.app.synth();

      const report = readReport(assembly.directory);
      const nag = report.pluginReports.find((r) => r.pluginName === 'AwsSolutions');

      expect(nag).toBeDefined();
      expect(
        nag?.violations.map((v) => `${v.ruleName} ${v.violatingConstructs.map((c) => c.constructPath)}`),
      ).toStrictEqual([]);
      expect(nag?.conclusion).toBe('success');
    });

    it('THEN every acknowledgement names a single finding or rule and gives a reason', () => {
      const report = readReport(synthesized.app.synth().directory);
      const suppressed = report.pluginReports.flatMap((r) => r.suppressedViolations ?? []);

      expect(suppressed.length).toBeGreaterThan(0);
      for (const s of suppressed) {
        expect(s.reason.length).toBeGreaterThan(20);
        expect(s.acknowledgedId).not.toBe('AwsSolutions::AwsSolutions-IAM5');
      }
    });

    it('THEN a deliberately non-compliant construct fails the synthesis and shows in the report', () => {
      // Prepare: the same app wiring, plus a queue without TLS enforcement or a dead-letter queue.
      const outdir = mkdtempSync(join(tmpdir(), 'nag-'));
      const { app, stack } = createApp(
        new App({ outdir, context: { 'aws:cdk:bundling-stacks': [], ...DEMO_ALLOW_LISTS } }),
      );
      new sqs.Queue(stack, 'NonCompliantQueue');

      // Act
      const act = () => app.synth();

      // Assess
      expect(act).toThrow(/AwsSolutions-SQS4/);
      const nag = readReport(outdir).pluginReports.find((r) => r.pluginName === 'AwsSolutions');
      expect(nag?.conclusion).toBe('failure');
      expect(nag?.violations).toContainEqual(
        expect.objectContaining({
          ruleName: 'AwsSolutions-SQS4',
          violatingConstructs: [
            expect.objectContaining({ constructPath: 'AtlasPrivateLink/NonCompliantQueue/Resource' }),
          ],
        }),
      );
    });
  });
});

describe('GIVEN the synthesized stack, as a security review reads it', () => {
  it('THEN API Gateway may invoke the functions only from the deployed stage, never test-invoke-stage', () => {
    const { template } = synthesize();

    const sourceArns = Object.values(template.findResources('AWS::Lambda::Permission'))
      .filter((p) => (p.Properties as { Principal?: string }).Principal === 'apigateway.amazonaws.com')
      .map((p) => JSON.stringify((p.Properties as { SourceArn?: unknown }).SourceArn));

    expect(sourceArns.length).toBeGreaterThan(0);
    for (const arn of sourceArns) expect(arn).not.toContain('test-invoke-stage');
  });
});

describe('GIVEN the synthesized stack, as an auditor reads it', () => {
  it('THEN every log group (executions, functions, API access) is kept when the stack is destroyed', () => {
    const { template } = synthesize();

    const logGroups = Object.values(template.findResources('AWS::Logs::LogGroup'));

    expect(logGroups.length).toBeGreaterThanOrEqual(10);
    for (const group of logGroups) expect(group.DeletionPolicy).toBe('Retain');
  });
});

describe('GIVEN who may call the API', () => {
  const apiOf = (context: Record<string, unknown> = {}) => {
    const { template } = synthesize(context);
    const [api] = Object.values(template.findResources('AWS::ApiGateway::RestApi'));
    return api?.Properties as {
      EndpointConfiguration?: { Types: string[]; VpcEndpointIds?: string[] };
      Policy?: { Statement: { Effect: string; Condition?: Record<string, Record<string, unknown>> }[] };
    };
  };

  it('WHEN nothing narrows it THEN the API is REGIONAL, with no resource policy (IAM decides)', () => {
    const api = apiOf();

    expect(api.EndpointConfiguration?.Types).toStrictEqual(['REGIONAL']);
    expect(api.Policy).toBeUndefined();
  });

  it('WHEN the organization, principals and VPC endpoints are named THEN the API is PRIVATE and denies everyone else', () => {
    const api = apiOf({
      apiPrincipalOrgId: 'o-a1b2c3d4e5',
      apiPrincipalArns: 'arn:aws:iam::123456789012:role/platform-team',
      apiVpcEndpointIds: 'vpce-0123456789abcdef0',
    });

    expect(api.EndpointConfiguration?.Types).toStrictEqual(['PRIVATE']);
    const statements = api.Policy?.Statement ?? [];
    expect(statements[0]).toMatchObject({
      Effect: 'Allow',
      Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } },
    });
    expect(statements.slice(1).map((s) => [s.Effect, s.Condition])).toStrictEqual([
      ['Deny', { ArnNotLike: { 'aws:PrincipalArn': ['arn:aws:iam::123456789012:role/platform-team'] } }],
      ['Deny', { StringNotEquals: { 'aws:SourceVpce': ['vpce-0123456789abcdef0'] } }],
    ]);
  });

  it('WHEN only principals are named THEN only this account is allowed, and the rest denied', () => {
    const api = apiOf({ apiPrincipalArns: 'arn:aws:iam::123456789012:role/platform-team' });

    const statements = api.Policy?.Statement ?? [];
    // This account's root principal: arn:<partition>:iam::<AWS::AccountId>:root.
    expect(JSON.stringify(statements[0])).toMatch(/"Ref":"AWS::AccountId"\},":root"/);
    expect(statements[1]?.Effect).toBe('Deny');
    expect(api.EndpointConfiguration?.Types).toStrictEqual(['REGIONAL']);
  });
});
