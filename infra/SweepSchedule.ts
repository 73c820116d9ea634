import { Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { Defaults } from '../lambdas/defaults';
import { ManagedTag } from '../lambdas/domain/request';
import { RuntimeEnv, SweepEnv } from '../lambdas/handlers/environment';
import { CallPlans, timeoutSecondsFor } from '../lambdas/timeBudget';
import type { AtlasPrivateEndpointWorkflow } from './AtlasPrivateEndpointWorkflow';
import { HandlerFunction } from './HandlerFunction';
import { MaintenanceHandlers } from './handlers';
import { acknowledgeNag, NagFinding } from './nag';
import { atlasBaseUrlProblem, refuseInvalidProps } from './propChecks';

export interface SweepScheduleProps {
  /** The workflow whose leftovers it removes: its managed-by value and its executions. */
  readonly workflow: AtlasPrivateEndpointWorkflow;
  /** The Atlas credentials secret the workflow uses. */
  readonly atlasSecret: secretsmanager.ISecret;
  /**
   * How often the sweep runs (one pass per run; a later run finishes deletions still under way).
   * @default events.Schedule.rate(Duration.hours(1))
   */
  readonly schedule?: events.Schedule;
  /**
   * Endpoints younger than this are left alone, whatever their execution says.
   * @default Duration.hours(2)
   */
  readonly gracePeriod?: Duration;
  /**
   * Whether the schedule rule is enabled (the function is deployed either way, to run by hand).
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * The Atlas Admin API's base URL, as given to the workflow.
   * @default 'https://cloud.mongodb.com'
   */
  readonly atlasBaseUrl?: string;
}

/**
 * The scheduled sweep: a function that, on a schedule, removes the VPC endpoints (and their Atlas
 * registrations) that executions of `workflow` created and could not clean up because they never reached
 * their Catch — stopped, timed out, or their clean-up gave up. It may delete only endpoints carrying the
 * workflow's managed-by tag, and it leaves those of running and succeeded executions alone.
 *
 * @example
 * new SweepSchedule(this, 'Sweep', { workflow, atlasSecret, schedule: events.Schedule.rate(Duration.hours(6)) });
 */
export class SweepSchedule extends Construct {
  readonly function: HandlerFunction;
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: SweepScheduleProps) {
    super(scope, id);
    const gracePeriod = props.gracePeriod ?? Duration.seconds(Defaults.sweepGraceSeconds);
    const graceMs = gracePeriod.toMilliseconds();
    refuseInvalidProps({
      gracePeriod:
        graceMs % 1000 === 0
          ? undefined
          : `expected a whole number of seconds, got ${gracePeriod.toHumanString()}`,
      atlasBaseUrl: atlasBaseUrlProblem(props.atlasBaseUrl),
    });
    const { workflow, atlasSecret } = props;

    this.function = new HandlerFunction(this, 'Function', {
      module: MaintenanceHandlers.sweep,
      serviceName: 'atlas-privatelink-sweep',
      // One pass at its worst (see lambdas/timeBudget.ts); a pass stops taking orphans when time runs short.
      timeout: Duration.seconds(timeoutSecondsFor(CallPlans.sweep)),
      // It calls Atlas: from the same network as the workflow's Atlas callers (an access list names it).
      ...(workflow.atlasCallerNetwork ? { network: workflow.atlasCallerNetwork } : {}),
      environment: {
        [RuntimeEnv.managedBy]: workflow.managedBy,
        [RuntimeEnv.secretArn]: atlasSecret.secretArn,
        ...(props.atlasBaseUrl ? { [RuntimeEnv.atlasBaseUrl]: props.atlasBaseUrl } : {}),
        [SweepEnv.stateMachineArn]: workflow.stateMachine.stateMachineArn,
        [SweepEnv.deprovisioningStateMachineArn]: workflow.deprovisioning.stateMachine.stateMachineArn,
        [SweepEnv.graceSeconds]: String(graceMs / 1000),
      },
    });
    this.grant(workflow);

    this.rule = new events.Rule(this, 'Schedule', {
      description: `Sweeps the VPC endpoints managed by ${workflow.managedBy} that crashed executions left behind`,
      schedule: props.schedule ?? events.Schedule.rate(Duration.hours(1)),
      enabled: props.enabled ?? true,
      // A missed run is made up by the next one: no point retrying for hours.
      targets: [
        new targets.LambdaFunction(this.function, { retryAttempts: 2, maxEventAge: Duration.minutes(30) }),
      ],
    });

    this.acknowledgeNagFindings(workflow);
  }

  /** The workflow's own EC2 limits for deletion (managed-by tag), and read access to its executions. */
  private grant(workflow: AtlasPrivateEndpointWorkflow): void {
    const { partition, region, account } = Stack.of(this);
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'DescribeVpcEndpoints',
        actions: ['ec2:DescribeVpcEndpoints'],
        // DescribeVpcEndpoints supports no resource-level permissions.
        resources: ['*'],
      }),
    );
    this.function.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'DeleteOnlyManagedVpcEndpoints',
        actions: ['ec2:DeleteVpcEndpoints'],
        resources: [`arn:${partition}:ec2:${region}:${account}:vpc-endpoint/*`],
        conditions: { StringEquals: { [`aws:ResourceTag/${ManagedTag.managedBy}`]: workflow.managedBy } },
      }),
    );
    // The status of the execution an endpoint's tag names, and its history: the proof the sweep deletes by.
    workflow.stateMachine.grantExecution(
      this.function,
      'states:DescribeExecution',
      'states:GetExecutionHistory',
    );
    // A deprovisioning that ended without success is finished by the sweep.
    workflow.deprovisioning.stateMachine.grantExecution(this.function, 'states:DescribeExecution');
    workflow.grantAtlasSecretRead(this.function);
  }

  private acknowledgeNagFindings(workflow: AtlasPrivateEndpointWorkflow): void {
    const { stateMachine } = workflow;
    const ack = (finding: string, reason: string) => acknowledgeNag(this, finding, reason);
    ack(
      NagFinding.lambdaBasicExecutionRole,
      'AWSLambdaBasicExecutionRole only lets the sweep function write its own CloudWatch logs.',
    );
    if (workflow.atlasCallerNetwork) {
      ack(
        NagFinding.lambdaVpcAccessExecutionRole,
        'AWSLambdaVPCAccessExecutionRole only lets the sweep attach to the VPC the deployer gave the functions that call Atlas.',
      );
    }
    ack(
      NagFinding.anyResource,
      'ec2:DescribeVpcEndpoints and X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions.',
    );
    ack(
      NagFinding.ec2Resources('vpc-endpoint'),
      'The orphans are not known in advance; DeleteVpcEndpoints is allowed only on endpoints carrying the workflow managed-by tag (aws:ResourceTag condition).',
    );
    ack(
      NagFinding.executionsOf(stateMachine),
      'DescribeExecution and GetExecutionHistory on executions of the one workflow state machine: the sweep reads the status of the execution each endpoint tag names, and its history to prove that execution created the endpoint.',
    );
    ack(
      NagFinding.executionsOf(workflow.deprovisioning.stateMachine),
      'DescribeExecution on executions of the deprovisioning state machine: the sweep finishes a deprovisioning that ended without success.',
    );
  }
}
