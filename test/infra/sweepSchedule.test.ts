import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { beforeAll, describe, expect, it } from 'vitest';
import { AllowList } from '../../infra/AllowList';
import { AtlasPrivateEndpointWorkflow } from '../../infra/AtlasPrivateEndpointWorkflow';
import { SweepSchedule } from '../../infra/SweepSchedule';
import { ManagedTag } from '../../lambdas/domain/request';
import { RuntimeEnv, SweepEnv } from '../../lambdas/handlers/environment';
import {
  ACCOUNT,
  actionsOf,
  logicalIdOf,
  REGION,
  resourcesOf,
  type Synthesized,
  statementsOfFunction,
  synthesize,
} from './synthesize';

let synthesized: Synthesized;
let sweepId: string;

beforeAll(() => {
  synthesized = synthesize();
  sweepId = logicalIdOf(synthesized.stack, synthesized.stack.sweep.function);
});

/** A workflow in a stack of its own, for the props the deployed stack leaves at their defaults. */
function standalone(props: Partial<ConstructorParameters<typeof SweepSchedule>[2]> = {}): Template {
  const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Standalone');
  const atlasSecret = new secretsmanager.Secret(stack, 'Secret');
  const workflow = new AtlasPrivateEndpointWorkflow(stack, 'Workflow', {
    atlasSecret,
    managedBy: 'team-a',
    allowedVpcIds: AllowList.any(),
    allowedGroupIds: AllowList.any(),
  });
  new SweepSchedule(stack, 'Sweep', { workflow, atlasSecret, ...props });
  return Template.fromStack(stack);
}

describe('GIVEN the synthesized stack', () => {
  describe('WHEN reading the sweep schedule', () => {
    it('THEN an hourly rule invokes the sweep function', () => {
      synthesized.template.hasResourceProperties('AWS::Events::Rule', {
        ScheduleExpression: 'rate(1 hour)',
        State: 'ENABLED',
        Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [sweepId, 'Arn'] } })],
      });
      synthesized.template.hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunction',
        FunctionName: { 'Fn::GetAtt': [sweepId, 'Arn'] },
        Principal: 'events.amazonaws.com',
      });
    });

    it('THEN the function runs the sweep handler for this workflow, with a two-hour grace period', () => {
      const { stack, template } = synthesized;
      const fn = template.toJSON().Resources[sweepId];

      expect(fn.Properties.Environment.Variables).toMatchObject({
        [RuntimeEnv.managedBy]: stack.workflow.managedBy,
        [RuntimeEnv.secretArn]: expect.anything(),
        [SweepEnv.stateMachineArn]: { Ref: logicalIdOf(stack, stack.workflow.stateMachine) },
        [SweepEnv.graceSeconds]: '7200',
      });
      template.hasOutput('SweepFunctionName', { Value: { Ref: sweepId } });
    });

    it('THEN the stack outputs the managed-by value the sweep CLI needs, the one the functions and IAM use', () => {
      const { stack, template } = synthesized;

      template.hasOutput('ManagedBy', { Value: stack.workflow.managedBy });
      expect(stack.workflow.managedBy).toMatch(new RegExp(`^${stack.stackName}-[0-9a-f]{8}$`));
    });
  });

  describe('WHEN reading the sweep function permissions', () => {
    it('THEN it may delete only VPC endpoints carrying the managed-by tag', () => {
      const deleting = statementsOfFunction(synthesized.template, sweepId).filter((s) =>
        actionsOf(s).includes('ec2:DeleteVpcEndpoints'),
      );

      expect(deleting).toHaveLength(1);
      expect(actionsOf(deleting[0]!)).toStrictEqual(['ec2:DeleteVpcEndpoints']);
      expect(resourcesOf(deleting[0]!, synthesized.template)).toStrictEqual([
        `arn:aws:ec2:${REGION}:${ACCOUNT}:vpc-endpoint/*`,
      ]);
      expect(deleting[0]!.Condition).toStrictEqual({
        StringEquals: { [`aws:ResourceTag/${ManagedTag.managedBy}`]: synthesized.stack.workflow.managedBy },
      });
    });

    it('THEN its EC2 actions are DescribeVpcEndpoints on "*" and the conditioned delete, nothing else', () => {
      const statements = statementsOfFunction(synthesized.template, sweepId);
      const ec2Actions = statements.flatMap(actionsOf).filter((a) => a.startsWith('ec2:'));
      const onStar = statements.filter((s) => resourcesOf(s, synthesized.template).includes('*'));

      expect(new Set(ec2Actions)).toStrictEqual(
        new Set(['ec2:DescribeVpcEndpoints', 'ec2:DeleteVpcEndpoints']),
      );
      expect([...new Set(onStar.flatMap(actionsOf))].sort()).toStrictEqual([
        'ec2:DescribeVpcEndpoints',
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
      ]);
      for (const action of statements.flatMap(actionsOf)) expect(action).not.toMatch(/^\*$|:\*$/);
    });

    it('THEN it may describe executions of the two state machines only (provisioning, deprovisioning), read the provisionings’ histories, and read the Atlas secret', () => {
      const { stack, template } = synthesized;
      const statements = statementsOfFunction(template, sweepId);
      const states = statements.filter((s) => actionsOf(s).some((a) => a.startsWith('states:')));

      expect(states.map(actionsOf)).toStrictEqual([
        ['states:DescribeExecution', 'states:GetExecutionHistory'],
        ['states:DescribeExecution'],
      ]);
      const smId = logicalIdOf(stack, stack.workflow.stateMachine);
      const deprovisioningId = logicalIdOf(stack, stack.workflow.deprovisioning.stateMachine);
      expect(JSON.stringify(states[0]!.Resource)).toContain(`{"Ref":"${smId}"}`);
      expect(JSON.stringify(states[1]!.Resource)).toContain(`{"Ref":"${deprovisioningId}"}`);
      expect(statements.flatMap(actionsOf)).toEqual(
        expect.arrayContaining(['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret']),
      );
    });
  });
});

describe('GIVEN a sweep schedule with its props set', () => {
  it('THEN the rule follows the schedule and can be left disabled, with the grace period in seconds', () => {
    const template = standalone({
      schedule: events.Schedule.rate(Duration.hours(6)),
      gracePeriod: Duration.minutes(30),
      enabled: false,
    });

    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(6 hours)',
      State: 'DISABLED',
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ [RuntimeEnv.managedBy]: 'team-a', [SweepEnv.graceSeconds]: '1800' }),
      },
    });
  });

  it('fails when the grace period is not a whole number of seconds, naming gracePeriod', () => {
    expect(() => standalone({ gracePeriod: Duration.millis(1500) })).toThrow(/gracePeriod/);
  });
});
