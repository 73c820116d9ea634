import { Stack, Validations } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { IConstruct } from 'constructs';

const EC2_ARN = 'arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>';

/** The cdk-nag (AwsSolutions) findings this project acknowledges, each spelled once. */
export const NagFinding = {
  lambdaBasicExecutionRole:
    'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
  lambdaVpcAccessExecutionRole:
    'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
  apiGatewayPushToCloudWatchLogs:
    'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
  anyResource: 'IAM5[Resource::*]',
  /** Every EC2 resource of a type (`vpc-endpoint`, `subnet`, …) in the stack's account and region. */
  ec2Resources: (type: string) => `IAM5[Resource::${EC2_ARN}:${type}/*]`,
  /** Every execution of `stateMachine` (what `grantExecution` grants). */
  executionsOf: (stateMachine: sfn.StateMachine) => {
    const id = Stack.of(stateMachine).getLogicalId(stateMachine.node.defaultChild as sfn.CfnStateMachine);
    return `IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:{"Fn::Select":[6,{"Fn::Split":[":",{"Ref":"${id}"}]}]}:*]`;
  },
  /** Every version of `fn` (CDK grants a function's ARN and ARN:*). */
  versionsOf: (fn: lambda.IFunction) => {
    const id = Stack.of(fn).getLogicalId(fn.node.defaultChild as lambda.CfnFunction);
    return `IAM5[Resource::<${id}.Arn>:*]`;
  },
} as const;

/** Acknowledges an AwsSolutions finding on `scope` and everything in it, with why it is acceptable. */
export function acknowledgeNag(scope: IConstruct, finding: string, reason: string): void {
  Validations.of(scope).acknowledge({ id: `AwsSolutions::AwsSolutions-${finding}`, reason });
}
