import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { PollSchedule } from '../lambdas/domain/decisions';
import { ManagedTag } from '../lambdas/domain/request';
import { ApiEnv, RuntimeEnv } from '../lambdas/handlers/environment';
import { CallPlans, timeoutSecondsFor } from '../lambdas/timeBudget';
import type { AtlasCallerNetwork } from './AtlasPrivateEndpointWorkflow';
import { WorkflowEvents } from './events';
import { HandlerFunction } from './HandlerFunction';
import { type DeprovisioningHandler, DeprovisioningHandlers } from './handlers';
import { acknowledgeNag, NagFinding } from './nag';
import { lambdaStep, publishStep } from './steps';

export interface AtlasPrivateEndpointDeprovisioningProps {
  /** The provisioning state machine: its executions' output is the record of what may be deleted. */
  readonly provisioning: sfn.StateMachine;
  /** The secret holding Atlas credentials. */
  readonly atlasSecret: secretsmanager.ISecret;
  /** The bus `Atlas Private Endpoint Deleted` (and `… Deletion Failed`) go to. */
  readonly eventBus: events.IEventBus;
  /** The `source` of those events. */
  readonly eventSource: string;
  /** The managed-by value of the endpoints the provisioning creates: the only ones this may delete. */
  readonly managedBy: string;
  /**
   * The Atlas Admin API's base URL.
   * @default 'https://cloud.mongodb.com'
   */
  readonly atlasBaseUrl?: string;
  /**
   * How long the execution logs and function logs are kept.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /** What `cdk destroy` does with those logs. @default RemovalPolicy.RETAIN (an audit trail) */
  readonly logRemovalPolicy?: RemovalPolicy;
  /**
   * Where the functions that call Atlas run (the provisioning's, so Atlas sees the same addresses).
   * @default - outside any VPC
   */
  readonly atlasCallerNetwork?: AtlasCallerNetwork;
  /**
   * Lets a function read the Atlas secret (and decrypt it with its key).
   * @default - `atlasSecret.grantRead`
   */
  readonly grantAtlasSecretRead?: (grantee: iam.IGrantable) => void;
}

/**
 * The deprovisioning: deletes what one provisioning created, proven by that provisioning's own output —
 * the Atlas registration first (until Atlas answers 404), then the VPC endpoint (until EC2 says `deleted`),
 * the endpoint service only on request and only when no other endpoint uses it — and publishes
 * `Atlas Private Endpoint Deleted`. Its input: `{ executionId }` or `{ vpcEndpointId }`, with an optional
 * `deleteEndpointService`.
 *
 * @example
 * const deprovisioning = new AtlasPrivateEndpointDeprovisioning(this, 'Deprovisioning', {
 *   provisioning: workflow.stateMachine, atlasSecret, eventBus, eventSource: 'atlas-privatelink', managedBy: 'team-a',
 * });
 */
export class AtlasPrivateEndpointDeprovisioning extends Construct {
  readonly stateMachine: sfn.StateMachine;
  /** The step functions, by handler: the offline runner maps the synthesized tasks back to their modules. */
  readonly functions: Readonly<Record<DeprovisioningHandler, HandlerFunction>>;

  readonly #provisioning: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: AtlasPrivateEndpointDeprovisioningProps) {
    super(scope, id);
    this.#provisioning = props.provisioning;
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    const logRemovalPolicy = props.logRemovalPolicy ?? RemovalPolicy.RETAIN;

    const fn = (handler: DeprovisioningHandler, environment: Record<string, string> = {}) =>
      new HandlerFunction(this, `${handler[0]?.toUpperCase()}${handler.slice(1)}Function`, {
        module: DeprovisioningHandlers[handler],
        serviceName: 'atlas-privatelink',
        ...(RuntimeEnv.secretArn in environment && props.atlasCallerNetwork
          ? { network: props.atlasCallerNetwork }
          : {}),
        // Long enough for the function's calls at their worst (see lambdas/timeBudget.ts).
        timeout: Duration.seconds(timeoutSecondsFor(CallPlans[handler])),
        logRetention,
        logRemovalPolicy,
        environment: { [RuntimeEnv.managedBy]: props.managedBy, ...environment },
      });
    const atlasEnvironment = {
      [RuntimeEnv.secretArn]: props.atlasSecret.secretArn,
      ...(props.atlasBaseUrl ? { [RuntimeEnv.atlasBaseUrl]: props.atlasBaseUrl } : {}),
    };
    const functions = {
      findProvisioning: fn('findProvisioning', {
        [ApiEnv.stateMachineArn]: props.provisioning.stateMachineArn,
      }),
      deleteRegistration: fn('deleteRegistration', atlasEnvironment),
      deleteVpcEndpoint: fn('deleteVpcEndpoint'),
      deleteEndpointService: fn('deleteEndpointService', atlasEnvironment),
      recordDeprovisioning: fn('recordDeprovisioning'),
    };
    this.functions = functions;
    const grantSecretRead = props.grantAtlasSecretRead ?? ((g) => props.atlasSecret.grantRead(g));
    grantSecretRead(functions.deleteRegistration);
    grantSecretRead(functions.deleteEndpointService);
    props.provisioning.grantExecution(functions.findProvisioning, 'states:DescribeExecution');
    this.grantEc2(functions, props.managedBy);

    // ------------------------------------------------------------------------------------------------
    // The states, in the order a deprovisioning meets them.
    const step = (
      name: string,
      handler: DeprovisioningHandler,
      payload: Record<string, unknown>,
      resultPath?: string,
    ) => lambdaStep(this, name, functions[handler], CallPlans[handler], payload, resultPath);
    const publish = (name: string, detailType: string) =>
      publishStep(
        this,
        name,
        { eventBus: props.eventBus, source: props.eventSource },
        detailType,
        '$.outcome',
      );
    const startWith = (name: string, resultPath: string) =>
      new sfn.Pass(this, name, { result: sfn.Result.fromObject({ passes: 0 }), resultPath });
    const waitFor = (name: string) =>
      new sfn.Wait(this, name, {
        time: sfn.WaitTime.duration(Duration.seconds(PollSchedule.deletionWaitSeconds)),
      });
    const target = { 'target.$': '$.target' };

    const findProvisioning = step('Find provisioning', 'findProvisioning', {
      'input.$': '$',
      'executionStartedAt.$': '$$.Execution.StartTime',
    });
    const startDeletingRegistration = startWith('Start deleting the registration', '$.registration');
    const deleteRegistration = step(
      'Delete Atlas registration',
      'deleteRegistration',
      { ...target, 'registration.$': '$.registration' },
      '$.registration',
    );
    const waitForRegistration = waitFor('Wait for the registration to go');
    const startDeletingVpcEndpoint = startWith('Start deleting the VPC endpoint', '$.vpcEndpoint');
    const deleteVpcEndpoint = step(
      'Delete VPC endpoint',
      'deleteVpcEndpoint',
      { ...target, 'vpcEndpoint.$': '$.vpcEndpoint' },
      '$.vpcEndpoint',
    );
    const waitForVpcEndpoint = waitFor('Wait for the VPC endpoint to go');
    const keepEndpointService = new sfn.Pass(this, 'Keep endpoint service', {
      result: sfn.Result.fromObject({
        outcome: 'KEPT',
        reason: 'not asked to: deleteEndpointService was not true',
      }),
      resultPath: '$.endpointService',
    });
    const startDeletingService = startWith('Start deleting the endpoint service', '$.endpointService');
    const deleteEndpointService = step(
      'Delete endpoint service',
      'deleteEndpointService',
      { ...target, 'endpointService.$': '$.endpointService' },
      '$.endpointService',
    );
    const waitForService = waitFor('Wait for the endpoint service to go');
    const record = { 'executionStartedAt.$': '$$.Execution.StartTime', 'state.$': '$' };
    const recordDeleted = step('Record deprovisioning', 'recordDeprovisioning', record, '$.outcome');
    const publishDeleted = publish('Publish deleted event', WorkflowEvents.deleted);
    const deleted = new sfn.Succeed(this, 'Endpoint deleted', { outputPath: '$.outcome' });

    const refused = new sfn.Pass(this, 'Deletion refused', { parameters: { 'failure.$': '$' } });
    const recordFailure = step('Record deprovisioning failure', 'recordDeprovisioning', record, '$.outcome');
    const publishFailed = publish('Publish deletion failed event', WorkflowEvents.deletionFailed);
    const failed = new sfn.Fail(this, 'Deprovisioning failed', {
      errorPath: '$.outcome.error',
      causePath: '$.outcome.cause',
    });

    // ------------------------------------------------------------------------------------------------
    // Errors: a request that proves nothing fails at once; a deletion that fails for good fails typed, and
    // whatever it left is removed by a new request or by the sweep.
    // The whole state becomes the error (Catch's default ResultPath, "$"): the raw input may not even be an object.
    findProvisioning.addCatch(refused);
    for (const task of [deleteRegistration, deleteVpcEndpoint, deleteEndpointService, recordDeleted]) {
      task.addCatch(recordFailure, { resultPath: '$.failure' });
    }
    publishDeleted.addCatch(deleted, { resultPath: sfn.JsonPath.DISCARD });
    publishFailed.addCatch(failed, { resultPath: sfn.JsonPath.DISCARD });

    // ------------------------------------------------------------------------------------------------
    // The story.
    const finish = recordDeleted.next(publishDeleted).next(deleted);
    const endpointService = new sfn.Choice(this, 'Delete endpoint service?')
      .when(
        sfn.Condition.booleanEquals('$.request.deleteEndpointService', true),
        startDeletingService
          .next(deleteEndpointService)
          .next(
            new sfn.Choice(this, 'Endpoint service settled?')
              .when(sfn.Condition.booleanEquals('$.endpointService.done', true), finish)
              .otherwise(waitForService.next(deleteEndpointService)),
          ),
      )
      .otherwise(keepEndpointService.next(finish));
    refused.next(recordFailure);
    recordFailure.next(publishFailed).next(failed);

    const definition = findProvisioning
      .next(startDeletingRegistration)
      .next(deleteRegistration)
      .next(
        new sfn.Choice(this, 'Registration gone?')
          .when(
            sfn.Condition.booleanEquals('$.registration.done', true),
            startDeletingVpcEndpoint
              .next(deleteVpcEndpoint)
              .next(
                new sfn.Choice(this, 'VPC endpoint deleted?')
                  .when(sfn.Condition.booleanEquals('$.vpcEndpoint.done', true), endpointService)
                  .otherwise(waitForVpcEndpoint.next(deleteVpcEndpoint)),
              ),
          )
          .otherwise(waitForRegistration.next(deleteRegistration)),
      );

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      stateMachineType: sfn.StateMachineType.STANDARD,
      // Each of the three deletion loops has its own bound; this is the backstop.
      timeout: Duration.seconds(3 * PollSchedule.deletionTimeoutSeconds + 600),
      tracingEnabled: true,
      logs: {
        destination: new logs.LogGroup(this, 'ExecutionLogs', {
          retention: logRetention,
          removalPolicy: logRemovalPolicy,
        }),
        level: sfn.LogLevel.ALL,
        includeExecutionData: true,
      },
    });

    this.acknowledgeNagFindings();
  }

  /** EC2: every VPC endpoint may be read (no resource-level permissions), only this deployment's deleted. */
  private grantEc2(functions: Record<DeprovisioningHandler, HandlerFunction>, managedBy: string): void {
    const { partition, region, account } = Stack.of(this);
    for (const f of [functions.findProvisioning, functions.deleteVpcEndpoint]) {
      f.addToRolePolicy(
        new iam.PolicyStatement({
          sid: 'DescribeVpcEndpoints',
          actions: ['ec2:DescribeVpcEndpoints'],
          // DescribeVpcEndpoints supports no resource-level permissions.
          resources: ['*'],
        }),
      );
    }
    functions.deleteVpcEndpoint.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'DeleteOnlyManagedVpcEndpoints',
        actions: ['ec2:DeleteVpcEndpoints'],
        resources: [`arn:${partition}:ec2:${region}:${account}:vpc-endpoint/*`],
        conditions: { StringEquals: { [`aws:ResourceTag/${ManagedTag.managedBy}`]: managedBy } },
      }),
    );
  }

  private acknowledgeNagFindings(): void {
    for (const f of Object.values(this.functions)) {
      acknowledgeNag(
        this,
        NagFinding.versionsOf(f),
        'The state machine may invoke any version of its own step function (CDK grants function ARN and ARN:*).',
      );
    }
    acknowledgeNag(
      this,
      NagFinding.executionsOf(this.#provisioning),
      'Find provisioning reads (DescribeExecution) only executions of the provisioning state machine: their output is the proof of what may be deleted.',
    );
  }
}
