import { createHash } from 'node:crypto';
import { Duration, Names, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { StringsNext } from '../lambdas/domain/connectionStrings';
import { PollSchedule, ServiceNext, Verdict } from '../lambdas/domain/decisions';
import { ManagedTag, RESERVED_TAG_PREFIXES, RequestLimits } from '../lambdas/domain/request';
import { StateNames } from '../lambdas/domain/workflowState';
import { ErrorName } from '../lambdas/errors';
import { RuntimeEnv } from '../lambdas/handlers/environment';
import { CallPlans, timeoutSecondsFor } from '../lambdas/timeBudget';
import { AllowList } from './AllowList';
import { AtlasPrivateEndpointDeprovisioning } from './AtlasPrivateEndpointDeprovisioning';
import { eventBusPolicyStatements, eventPublishersProblem } from './eventBusPolicy';
import { WorkflowEvents } from './events';
import { HandlerFunction } from './HandlerFunction';
import { type WorkflowHandler, WorkflowHandlers } from './handlers';
import { acknowledgeNag, NagFinding } from './nag';
import { atlasBaseUrlProblem, eventSourceProblem, managedByProblem, refuseInvalidProps } from './propChecks';
import { lambdaStep, publishStep } from './steps';

export { WorkflowEvents } from './events';
export { AtlasRateLimitRetry } from './steps';

export interface AtlasPrivateEndpointWorkflowProps {
  /** The secret holding Atlas credentials: JSON `{ publicKey, privateKey }` or `{ clientId, clientSecret }`. */
  readonly atlasSecret: secretsmanager.ISecret;
  /**
   * The customer-managed KMS key `atlasSecret` is encrypted with, when it is imported (a secret the stack
   * creates carries its own key reference): the functions that read it get `kms:Decrypt` on the key, through
   * Secrets Manager only.
   * @default - the secret uses the AWS-managed key, or `atlasSecret` knows its key
   */
  readonly atlasSecretKey?: kms.IKey;
  /**
   * The VPCs provisionings may create endpoints in, enforced twice: requests naming another VPC are refused
   * before any call, and the create function's IAM allows only these VPCs (and subnets and security groups
   * in them). `AllowList.any()` allows every VPC of the account: an explicit choice, never a default.
   */
  readonly allowedVpcIds: AllowList;
  /**
   * The Atlas projects provisionings may connect to, enforced in request validation and by every function
   * that writes to Atlas. `AllowList.any()` allows every project the Atlas key reaches.
   */
  readonly allowedGroupIds: AllowList;
  /**
   * The only tag keys a request may put on its VPC endpoint, enforced in request validation and by
   * `aws:TagKeys` in the create function's IAM (besides the workflow's own `atlas-privatelink:*` keys).
   * @default - any key that is not reserved
   */
  readonly allowedTagKeys?: readonly string[];
  /**
   * The bus the workflow publishes its events on.
   * @default - a new event bus
   */
  readonly eventBus?: events.IEventBus;
  /**
   * The `source` of the events it publishes. The bus policy lets only the two state machines publish with
   * it (when the bus is one this app defines), so nobody can forge the workflow's events.
   * @default 'atlas-privatelink'
   */
  readonly eventSource?: string;
  /**
   * Who besides the two state machines may put events on the bus: IAM role or user ARNs of this account
   * (matched as `aws:PrincipalArn`, wildcards allowed; each still needs `events:PutEvents` from its own IAM),
   * or `AllowList.any()` for any principal the account's IAM allows. Enforced by Deny statements in the
   * bus's resource policy, so the bus must be one this app defines (`events.EventBus`).
   * @default - on the bus the workflow creates: nobody; on a bus you give: its policy only keeps the
   * workflow's `eventSource` to the state machines
   */
  readonly eventPublishers?: AllowList;
  /**
   * The value of the `atlas-privatelink:managed-by` tag on every VPC endpoint this workflow creates; the
   * functions may delete only endpoints carrying it. Two deployments must never share it.
   * @default - the stack name, a hyphen and 8 hex characters of a hash of this construct's address in the
   * app and of the stack's account and region when known at synthesis (see {@link defaultManagedBy}); the
   * stack output `ManagedBy` shows it. Before this default, it was the stack name: set
   * `managedBy: '<stack name>'` to keep an existing deployment's endpoints its own.
   */
  readonly managedBy?: string;
  /**
   * The Atlas Admin API's base URL (Atlas for Government: `https://cloud.mongodbgov.com`).
   * @default 'https://cloud.mongodb.com'
   */
  readonly atlasBaseUrl?: string;
  /**
   * How long the execution logs and function logs are kept.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * What `cdk destroy` does with the execution and function logs: kept by default, as an audit trail of
   * what was created and deleted; `RemovalPolicy.DESTROY` removes them with the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly logRemovalPolicy?: RemovalPolicy;
  /**
   * A VPC for the functions that call Atlas, so they reach it from a fixed address (your NAT gateway's
   * Elastic IP) that an Atlas API access list can name; Lambdas outside a VPC call from changing AWS
   * addresses. The subnets need a route to the internet through a NAT gateway.
   * @default - the functions run outside any VPC
   */
  readonly vpc?: ec2.IVpc;
  /**
   * Where in `vpc` the functions that call Atlas run.
   * @default - the VPC's private subnets with egress
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
}

/**
 * Where the functions that call Atlas run: the VPC, subnets and security group of
 * {@link AtlasPrivateEndpointWorkflowProps.vpc}, for every function (the sweep's too) that calls Atlas.
 */
export interface AtlasCallerNetwork {
  readonly vpc: ec2.IVpc;
  readonly vpcSubnets?: ec2.SubnetSelection;
  readonly securityGroups: ec2.ISecurityGroup[];
}

/**
 * A Step Functions workflow that gets a MongoDB Atlas AWS PrivateLink connection to AVAILABLE: it finds
 * (or creates) the Atlas endpoint service, creates the interface VPC endpoint, registers it with Atlas,
 * polls until AVAILABLE and, on REJECTED or an Atlas `errorMessage`, deletes the endpoint and tries
 * again, then looks for the clusters' connection strings. A failed execution removes what it created.
 * Its `deprovisioning` state machine deletes what a successful one created.
 *
 * @example
 * const workflow = new AtlasPrivateEndpointWorkflow(this, 'Workflow', { atlasSecret: secret });
 * workflow.stateMachine.grantStartExecution(myFunction);
 */
export class AtlasPrivateEndpointWorkflow extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly eventBus: events.IEventBus;
  /** The step functions, by handler: the offline runner maps the synthesized tasks back to their modules. */
  readonly functions: Readonly<Record<WorkflowHandler, HandlerFunction>>;
  readonly managedBy: string;
  /** The `source` of the events both state machines publish. */
  readonly eventSource: string;
  /** The state machine that deletes what a provisioning of this workflow created. */
  readonly deprovisioning: AtlasPrivateEndpointDeprovisioning;
  /** Where the functions that call Atlas run, when `vpc` was given. */
  readonly atlasCallerNetwork: AtlasCallerNetwork | undefined;
  readonly allowedVpcIds: AllowList;
  readonly allowedGroupIds: AllowList;
  /** The tag keys requests may use, or undefined for any. */
  readonly allowedTagKeys: readonly string[] | undefined;
  readonly #atlasSecret: secretsmanager.ISecret;
  readonly #atlasSecretKey: kms.IKey | undefined;
  readonly #atlasSecretReaders: iam.IGrantable[] = [];

  constructor(scope: Construct, id: string, props: AtlasPrivateEndpointWorkflowProps) {
    super(scope, id);
    this.#atlasSecret = props.atlasSecret;
    this.#atlasSecretKey = props.atlasSecretKey;
    const required =
      'required: list what provisionings may use (AllowList.of(…)), or allow any with AllowList.any()';
    refuseInvalidProps({
      allowedVpcIds: props.allowedVpcIds ? undefined : required,
      allowedGroupIds: props.allowedGroupIds ? undefined : required,
    });
    this.allowedVpcIds = props.allowedVpcIds.check('allowedVpcIds', 'vpcId');
    this.allowedGroupIds = props.allowedGroupIds.check('allowedGroupIds', 'groupId');
    this.allowedTagKeys = props.allowedTagKeys ? [...new Set(props.allowedTagKeys)] : undefined;
    refuseInvalidProps({ allowedTagKeys: tagKeysProblem(this.allowedTagKeys) });
    const eventSource = props.eventSource ?? 'atlas-privatelink';
    this.managedBy = props.managedBy ?? defaultManagedBy(this);
    this.eventSource = eventSource;
    refuseInvalidProps({
      eventSource: eventSourceProblem(eventSource),
      managedBy: managedByProblem(this.managedBy),
      atlasBaseUrl: atlasBaseUrlProblem(props.atlasBaseUrl),
    });
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_MONTH;
    const logRemovalPolicy = props.logRemovalPolicy ?? RemovalPolicy.RETAIN;
    this.eventBus = props.eventBus ?? new events.EventBus(this, 'Events');

    if (props.vpcSubnets && !props.vpc) throw new Error('vpcSubnets needs vpc: give both, or neither');
    this.atlasCallerNetwork = props.vpc
      ? {
          vpc: props.vpc,
          ...(props.vpcSubnets ? { vpcSubnets: props.vpcSubnets } : {}),
          securityGroups: [
            new ec2.SecurityGroup(this, 'AtlasCallers', {
              vpc: props.vpc,
              description: 'The functions that call Atlas and AWS APIs: outbound HTTPS only, no inbound',
              allowAllOutbound: false,
            }),
          ],
        }
      : undefined;
    this.atlasCallerNetwork?.securityGroups[0]?.addEgressRule(
      ec2.Peer.anyIpv4(),
      ec2.Port.tcp(443),
      'HTTPS to the Atlas Admin API and the AWS APIs',
    );

    const fn = (handler: WorkflowHandler, readsAtlas: boolean) => {
      const f = new HandlerFunction(this, `${handler[0]?.toUpperCase()}${handler.slice(1)}Function`, {
        module: WorkflowHandlers[handler],
        serviceName: 'atlas-privatelink',
        ...(readsAtlas && this.atlasCallerNetwork ? { network: this.atlasCallerNetwork } : {}),
        // Long enough for the function's calls at their worst (see lambdas/timeBudget.ts).
        timeout: Duration.seconds(timeoutSecondsFor(CallPlans[handler])),
        logRetention,
        logRemovalPolicy,
        environment: {
          [RuntimeEnv.managedBy]: this.managedBy,
          ...this.allowListEnvironment(),
          ...(readsAtlas ? { [RuntimeEnv.secretArn]: props.atlasSecret.secretArn } : {}),
          ...(readsAtlas && props.atlasBaseUrl ? { [RuntimeEnv.atlasBaseUrl]: props.atlasBaseUrl } : {}),
        },
      });
      if (readsAtlas) this.grantAtlasSecretRead(f);
      return f;
    };
    const functions = {
      validateRequest: fn('validateRequest', false),
      findEndpointService: fn('findEndpointService', true),
      createVpcEndpoint: fn('createVpcEndpoint', false),
      registerEndpoint: fn('registerEndpoint', true),
      checkEndpoint: fn('checkEndpoint', true),
      checkSecurityGroups: fn('checkSecurityGroups', false),
      recordAttempt: fn('recordAttempt', false),
      deleteAttempt: fn('deleteAttempt', true),
      cleanUp: fn('cleanUp', true),
      findConnectionStrings: fn('findConnectionStrings', true),
    };
    this.functions = functions;
    // The only account whose endpoints "Register with Atlas" registers.
    functions.registerEndpoint.addEnvironment(RuntimeEnv.accountId, Stack.of(this).account);
    this.grantEc2(functions);

    // ------------------------------------------------------------------------------------------------
    // The states, in the order a provisioning meets them.
    const step = (
      name: string,
      handler: WorkflowHandler,
      payload: Record<string, unknown>,
      resultPath?: string,
    ) => lambdaStep(this, name, functions[handler], CallPlans[handler], payload, resultPath);
    const publish = (name: string, detailType: string, detailPath: string) =>
      publishStep(this, name, { eventBus: this.eventBus, source: eventSource }, detailType, detailPath);

    const validateRequest = step('Validate request', 'validateRequest', {
      'input.$': '$',
      'executionStartedAt.$': '$$.Execution.StartTime',
    });
    const findEndpointService = step(
      'Find endpoint service',
      'findEndpointService',
      { 'executionStartedAt.$': '$.execution.startedAt', 'request.$': '$.request', 'service.$': '$.service' },
      '$.service',
    );
    const waitForEndpointService = new sfn.Wait(this, 'Wait for endpoint service', {
      time: sfn.WaitTime.secondsPath('$.service.waitSeconds'),
    });
    const createVpcEndpoint = step(
      StateNames.createVpcEndpoint,
      'createVpcEndpoint',
      { 'request.$': '$.request', 'service.$': '$.service', 'history.$': '$.history' },
      '$.attempt',
    );
    const endpointRef = {
      'groupId.$': '$.request.groupId',
      'endpointServiceId.$': '$.service.endpointServiceId',
      'vpcEndpointId.$': '$.attempt.vpcEndpointId',
    };
    const registerWithAtlas = step(
      'Register with Atlas',
      'registerEndpoint',
      { ...endpointRef, 'endpointServiceName.$': '$.service.endpointServiceName' },
      '$.attempt.registration',
    );
    // Right after the create, EC2's reads may not see the endpoint yet (eventual consistency): read again,
    // without jitter (nothing is throttled), for about two minutes: 2 + 4 + 8 + 16 + 32 + 60 s.
    registerWithAtlas.addRetry({
      errors: [ErrorName.EndpointNotVisible],
      interval: Duration.seconds(2),
      backoffRate: 2,
      maxAttempts: 6,
      maxDelay: Duration.seconds(60),
    });
    const waitBeforeChecking = new sfn.Wait(this, 'Wait before checking', {
      time: sfn.WaitTime.secondsPath('$.attempt.poll.waitSeconds'),
    });
    const checkEndpoint = step(
      'Check endpoint',
      'checkEndpoint',
      {
        ...endpointRef,
        'executionStartedAt.$': '$.execution.startedAt',
        'timeoutSeconds.$': '$.request.timeoutSeconds',
        'createdAt.$': '$.attempt.startedAt',
        'registeredAt.$': '$.attempt.registration.registeredAt',
        'poll.$': '$.attempt.poll',
        'registration.$': '$.attempt.registration',
      },
      '$.attempt.poll',
    );
    const attemptRecord = {
      'executionStartedAt.$': '$.execution.startedAt',
      'request.$': '$.request',
      'service.$': '$.service',
      'attempt.$': '$.attempt',
      'history.$': '$.history',
    };
    // A warning, never a failure: the endpoint works; whether the application's clients may reach it is told.
    const checkSecurityGroups = step(
      'Check security groups',
      'checkSecurityGroups',
      { 'vpcId.$': '$.request.vpcId', 'vpcEndpointId.$': '$.attempt.vpcEndpointId' },
      '$.securityGroupCheck',
    );
    const securityGroupsNotChecked = new sfn.Pass(this, 'Security groups not checked', {
      parameters: {
        ok: null,
        'detail.$':
          "States.Format('the security groups could not be read ({}); check that they admit TCP 1024-65535 from the application', $.securityGroupCheckError.Error)",
        securityGroupIds: [],
      },
      resultPath: '$.securityGroupCheck',
    });
    const recordSuccess = step(
      'Record success',
      'recordAttempt',
      { ...attemptRecord, 'securityGroupCheck.$': '$.securityGroupCheck' },
      '$.history',
    );
    const startLookingForStrings = new sfn.Pass(this, 'Start looking for connection strings', {
      result: sfn.Result.fromObject({ reads: 0 }),
      resultPath: '$.strings',
    });
    const lookForConnectionStrings = step(
      'Look for connection strings',
      'findConnectionStrings',
      {
        'executionStartedAt.$': '$.execution.startedAt',
        'groupId.$': '$.request.groupId',
        'vpcEndpointId.$': '$.attempt.vpcEndpointId',
        'region.$': '$.service.region',
        'timeoutSeconds.$': '$.request.connectionStringTimeoutSeconds',
        'result.$': '$.history.result',
        'strings.$': '$.strings',
      },
      '$.strings',
    );
    const waitForConnectionStrings = new sfn.Wait(this, 'Wait for connection strings', {
      time: sfn.WaitTime.secondsPath('$.strings.waitSeconds'),
    });
    // The endpoint is AVAILABLE: a failure to read the clusters must not undo it. The result says why it has no strings.
    const stringsUnavailable = new sfn.Pass(this, 'Connection strings unavailable', {
      parameters: {
        connectionStrings: [],
        clustersNotCovered: [],
        'connectionStringsNote.$':
          "States.Format('could not read the clusters of the project ({}); the endpoint is AVAILABLE: read its strings from the cluster (connectionStrings.privateEndpoint)', $.strings.failure.Error)",
        'availableAfterSeconds.$': '$.history.result.durationSeconds',
      },
      resultPath: '$.strings.outcome',
    });
    const resultWithoutStrings = new sfn.Pass(this, 'Result without connection strings', {
      parameters: { 'result.$': 'States.JsonMerge($.history.result, $.strings.outcome, false)' },
      resultPath: '$.strings',
    });
    const publishAvailable = publish('Publish available event', WorkflowEvents.available, '$.strings.result');
    const succeed = new sfn.Succeed(this, 'Endpoint available', { outputPath: '$.strings.result' });

    const recordFailedAttempt = step('Record failed attempt', 'recordAttempt', attemptRecord, '$.history');
    const publishAttemptFailed = publish(
      'Publish attempt failed event',
      WorkflowEvents.attemptFailed,
      '$.history.last',
    );
    const startDeletion = new sfn.Pass(this, 'Start deletion', {
      result: sfn.Result.fromObject({ passes: 0 }),
      resultPath: '$.deletion',
    });
    const deleteAttempt = step(
      'Delete attempt',
      'deleteAttempt',
      {
        ...endpointRef,
        'deletion.$': '$.deletion',
        // What an endpoint of this execution that its state never recorded must agree with (tags alone can be planted).
        provenance: {
          'startedAt.$': '$.execution.startedAt',
          'vpcId.$': '$.request.vpcId',
          'serviceName.$': '$.service.endpointServiceName',
        },
      },
      '$.deletion',
    );
    const waitForDeletion = new sfn.Wait(this, 'Wait for deletion', {
      time: sfn.WaitTime.duration(Duration.seconds(PollSchedule.deletionWaitSeconds)),
    });
    // Atlas may remove an AWS endpoint service together with its last endpoint: read it again before each new
    // attempt (found or created anew if it is gone), with its own wait schedule from the start.
    const readServiceAgain = new sfn.Pass(this, 'Read endpoint service again', {
      parameters: {
        checks: 0,
        'endpointServiceId.$': '$.service.endpointServiceId',
        'region.$': '$.service.region',
      },
      resultPath: '$.service',
    });
    const giveUp = new sfn.Pass(this, 'Give up', {
      parameters: { Error: ErrorName.AttemptsExhausted, 'Cause.$': '$.history.summary' },
      resultPath: '$.failure',
    });

    const keepValidationFailure = new sfn.Pass(this, 'Request rejected', {
      parameters: { 'failure.$': '$' },
    });
    const startCleanUp = new sfn.Pass(this, 'Start clean-up', {
      result: sfn.Result.fromObject({ passes: 0 }),
      resultPath: '$.cleanup',
    });
    const cleanUp = step('Clean up', 'cleanUp', { 'state.$': '$' }, '$.cleanup');
    const waitForCleanUp = new sfn.Wait(this, 'Wait for clean-up', {
      time: sfn.WaitTime.duration(Duration.seconds(PollSchedule.deletionWaitSeconds)),
    });
    const cleanUpFailed = new sfn.Pass(this, 'Clean-up failed', {
      parameters: {
        done: true,
        outcome: {
          status: 'FAILED',
          'executionName.$': '$$.Execution.Name',
          'error.$': '$.failure.Error',
          'cause.$':
            "States.Format('{} (clean-up failed: {}; endpoints of this execution may remain)', $.failure.Cause, $.cleanupError.Error)",
          cleanup: { complete: false },
        },
      },
      resultPath: '$.cleanup',
    });
    const publishFailed = publish('Publish failure event', WorkflowEvents.failed, '$.cleanup.outcome');
    const fail = new sfn.Fail(this, 'Provisioning failed', {
      errorPath: '$.cleanup.outcome.error',
      causePath: '$.cleanup.outcome.cause',
    });

    // ------------------------------------------------------------------------------------------------
    // Errors: a bad request fails at once; anything else cleans up what this execution created.
    // The whole state becomes the error (Catch's default ResultPath, "$"): the raw input may not even be an object.
    validateRequest.addCatch(keepValidationFailure);
    for (const task of [
      findEndpointService,
      createVpcEndpoint,
      registerWithAtlas,
      checkEndpoint,
      recordSuccess,
      recordFailedAttempt,
      deleteAttempt,
    ]) {
      task.addCatch(startCleanUp, { resultPath: '$.failure' });
    }
    publishAttemptFailed.addCatch(startDeletion, { resultPath: sfn.JsonPath.DISCARD });
    lookForConnectionStrings.addCatch(stringsUnavailable, { resultPath: '$.strings.failure' });
    publishAvailable.addCatch(succeed, { resultPath: sfn.JsonPath.DISCARD });
    publishFailed.addCatch(fail, { resultPath: sfn.JsonPath.DISCARD });
    cleanUp.addCatch(cleanUpFailed, { resultPath: '$.cleanupError' });
    checkSecurityGroups.addCatch(securityGroupsNotChecked, { resultPath: '$.securityGroupCheckError' });

    // ------------------------------------------------------------------------------------------------
    // The story.
    const attemptsLeft = new sfn.Choice(this, 'Attempts left?')
      .when(sfn.Condition.booleanEquals('$.history.attemptsLeft', true), readServiceAgain)
      .otherwise(giveUp);
    const remediate = recordFailedAttempt
      .next(publishAttemptFailed)
      .next(startDeletion)
      .next(deleteAttempt)
      .next(
        new sfn.Choice(this, 'Attempt deleted?')
          .when(sfn.Condition.booleanEquals('$.deletion.done', true), attemptsLeft)
          .otherwise(waitForDeletion.next(deleteAttempt)),
      );
    const provision = createVpcEndpoint
      .next(registerWithAtlas)
      .next(waitBeforeChecking)
      .next(checkEndpoint)
      .next(
        new sfn.Choice(this, 'Endpoint available?')
          .when(
            sfn.Condition.stringEquals('$.attempt.poll.verdict', Verdict.AVAILABLE),
            checkSecurityGroups
              .next(recordSuccess)
              .next(startLookingForStrings)
              .next(lookForConnectionStrings)
              .next(
                new sfn.Choice(this, 'Connection strings ready?')
                  .when(sfn.Condition.stringEquals('$.strings.next', StringsNext.DONE), publishAvailable)
                  .otherwise(waitForConnectionStrings.next(lookForConnectionStrings)),
              ),
          )
          .when(sfn.Condition.stringEquals('$.attempt.poll.verdict', Verdict.REMEDIATE), remediate)
          .otherwise(waitBeforeChecking),
      );
    readServiceAgain.next(findEndpointService);
    securityGroupsNotChecked.next(recordSuccess);
    keepValidationFailure.next(startCleanUp);
    giveUp.next(startCleanUp);
    startCleanUp
      .next(cleanUp)
      .next(
        new sfn.Choice(this, 'Clean-up finished?')
          .when(sfn.Condition.booleanEquals('$.cleanup.done', true), publishFailed)
          .otherwise(waitForCleanUp.next(cleanUp)),
      );
    stringsUnavailable.next(resultWithoutStrings).next(publishAvailable);
    publishAvailable.next(succeed);
    cleanUpFailed.next(publishFailed);
    publishFailed.next(fail);

    const definition = validateRequest
      .next(findEndpointService)
      .next(
        new sfn.Choice(this, 'Endpoint service available?')
          .when(sfn.Condition.stringEquals('$.service.next', ServiceNext.READY), provision)
          .otherwise(waitForEndpointService.next(findEndpointService)),
      );

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      stateMachineType: sfn.StateMachineType.STANDARD,
      timeout: Duration.seconds(
        RequestLimits.maxTimeoutSeconds +
          RequestLimits.maxConnectionStringTimeoutSeconds +
          2 * PollSchedule.deletionTimeoutSeconds +
          600,
      ),
      tracingEnabled: true,
      logs: {
        destination: new logs.LogGroup(this, 'ExecutionLogs', {
          // Under /aws/vendedlogs/: CloudWatch Logs' resource policy for vended logs would otherwise grow with
          // every log group Step Functions delivers to, and it has a size limit.
          logGroupName: `/aws/vendedlogs/states/${Names.uniqueResourceName(this, { maxLength: 200, separator: '-' })}`,
          retention: logRetention,
          removalPolicy: logRemovalPolicy,
        }),
        level: sfn.LogLevel.ALL,
        includeExecutionData: true,
      },
    });

    this.deprovisioning = new AtlasPrivateEndpointDeprovisioning(this, 'Deprovisioning', {
      provisioning: this.stateMachine,
      atlasSecret: props.atlasSecret,
      eventBus: this.eventBus,
      eventSource,
      managedBy: this.managedBy,
      logRetention,
      logRemovalPolicy,
      ...(props.atlasBaseUrl ? { atlasBaseUrl: props.atlasBaseUrl } : {}),
      ...(this.atlasCallerNetwork ? { atlasCallerNetwork: this.atlasCallerNetwork } : {}),
      grantAtlasSecretRead: (grantee) => this.grantAtlasSecretRead(grantee),
    });

    this.restrictPublishers(props.eventBus === undefined, props.eventPublishers);
    this.acknowledgeNagFindings();
  }

  /**
   * The bus policy (see `eventBusPolicy.ts`): the workflow's `source` is the state machines' alone, and,
   * on a bus it created or when `publishers` is given, only they and the publishers put events at all.
   */
  private restrictPublishers(ownBus: boolean, publishers: AllowList | undefined): void {
    const bus = this.eventBus;
    const ownsPolicy = bus instanceof events.EventBus;
    refuseInvalidProps({
      eventPublishers:
        publishers && !ownsPolicy
          ? 'needs an event bus this app defines (events.EventBus): an imported bus keeps its own policy'
          : eventPublishersProblem(publishers, Stack.of(this).account),
    });
    if (!ownsPolicy) return;
    const statements = eventBusPolicyStatements({
      eventBusArn: bus.eventBusArn,
      eventSource: this.eventSource,
      workflowRoleArns: [this.stateMachine.role.roleArn, this.deprovisioning.stateMachine.role.roleArn],
      publishers: publishers ?? (ownBus ? AllowList.none() : undefined),
    });
    for (const statement of statements) bus.addToResourcePolicy(statement);
  }

  /** The allow-lists as the functions read them (request validation, and the functions that write). */
  allowListEnvironment(): Record<string, string> {
    return {
      [RuntimeEnv.allowedVpcIds]: this.allowedVpcIds.toEnvironment(),
      [RuntimeEnv.allowedGroupIds]: this.allowedGroupIds.toEnvironment(),
      ...(this.allowedTagKeys ? { [RuntimeEnv.allowedTagKeys]: this.allowedTagKeys.join(',') } : {}),
    };
  }

  /**
   * Everyone {@link grantAtlasSecretRead} has let read the Atlas secret so far: the functions that call
   * Atlas, this construct's and those composed with it (the sweep's). A created secret's resource policy
   * denies everyone else.
   */
  get atlasSecretReaders(): readonly iam.IGrantable[] {
    return this.#atlasSecretReaders;
  }

  /**
   * Lets `grantee` read the Atlas credentials secret (and decrypt it with its customer-managed key, through
   * Secrets Manager only): for every function that calls Atlas, this construct's and those composed with it.
   */
  grantAtlasSecretRead(grantee: iam.IGrantable): void {
    this.#atlasSecretReaders.push(grantee);
    this.#atlasSecret.grantRead(grantee);
    if (!this.#atlasSecretKey) return;
    grantee.grantPrincipal.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'DecryptAtlasSecret',
        actions: ['kms:Decrypt'],
        resources: [this.#atlasSecretKey.keyArn],
        conditions: {
          StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(this).region}.amazonaws.com` },
        },
      }),
    );
  }

  /**
   * EC2 permissions, as narrow as EC2 allows: a VPC endpoint may be created only with this deployment's
   * managed-by tag in the request, and deleted only when it carries that tag; only the function that creates
   * endpoints may create cross-region ones.
   */
  private grantEc2(functions: Record<WorkflowHandler, HandlerFunction>): void {
    const { partition, region, account } = Stack.of(this);
    const arn = (type: string) => `arn:${partition}:ec2:${region}:${account}:${type}/*`;
    functions.createVpcEndpoint.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'CreateOnlyManagedVpcEndpoints',
        actions: ['ec2:CreateVpcEndpoint'],
        resources: [arn('vpc-endpoint')],
        conditions: {
          StringEquals: { [`aws:RequestTag/${ManagedTag.managedBy}`]: this.managedBy },
          // With allowedTagKeys, no other key can be written, whatever the request says.
          ...(this.allowedTagKeys
            ? {
                'ForAllValues:StringEquals': {
                  'aws:TagKeys': [...Object.values(ManagedTag), ...this.allowedTagKeys],
                },
              }
            : {}),
        },
      }),
    );
    // The network the endpoint goes in: only the allowed VPCs, and subnets and security groups inside them.
    const vpcArns =
      this.allowedVpcIds.values === '*'
        ? undefined
        : this.allowedVpcIds.values.map((id) => `arn:${partition}:ec2:${region}:${account}:vpc/${id}`);
    functions.createVpcEndpoint.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'CreateVpcEndpointsInAllowedVpcs',
        actions: ['ec2:CreateVpcEndpoint'],
        resources: vpcArns ?? [arn('vpc')],
      }),
    );
    functions.createVpcEndpoint.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'UseSubnetsAndSecurityGroupsOfAllowedVpcs',
        actions: ['ec2:CreateVpcEndpoint'],
        resources: [arn('subnet'), arn('security-group')],
        ...(vpcArns ? { conditions: { StringEquals: { 'ec2:Vpc': vpcArns } } } : {}),
      }),
    );
    // Cross-region endpoints (a request with crossRegion: true) also need this permission-only action, which
    // AWS authorizes against the vpc-endpoint being created. No condition on ec2:VpceServiceRegion: the service
    // regions requests will name are not known when the stack is synthesized (an SCP can narrow them).
    functions.createVpcEndpoint.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'CreateCrossRegionVpcEndpoints',
        actions: ['vpce:AllowMultiRegion'],
        resources: [arn('vpc-endpoint')],
      }),
    );
    functions.createVpcEndpoint.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'TagVpcEndpointsOnCreate',
        actions: ['ec2:CreateTags'],
        resources: [arn('vpc-endpoint')],
        conditions: {
          StringEquals: { 'ec2:CreateAction': 'CreateVpcEndpoint' },
          ...(this.allowedTagKeys
            ? {
                'ForAllValues:StringEquals': {
                  'aws:TagKeys': [...Object.values(ManagedTag), ...this.allowedTagKeys],
                },
              }
            : {}),
        },
      }),
    );
    functions.checkSecurityGroups.addToRolePolicy(
      new iam.PolicyStatement({
        sid: 'ReadSecurityGroupsAndVpcs',
        actions: ['ec2:DescribeSecurityGroups', 'ec2:DescribeVpcs'],
        // Describe actions support no resource-level permissions.
        resources: ['*'],
      }),
    );
    // registerEndpoint reads the endpoint to make sure this execution created it before registering it.
    for (const f of [
      functions.registerEndpoint,
      functions.checkEndpoint,
      functions.checkSecurityGroups,
      functions.deleteAttempt,
      functions.cleanUp,
    ]) {
      f.addToRolePolicy(
        new iam.PolicyStatement({
          sid: 'DescribeVpcEndpoints',
          actions: ['ec2:DescribeVpcEndpoints'],
          // DescribeVpcEndpoints supports no resource-level permissions.
          resources: ['*'],
        }),
      );
    }
    for (const f of [functions.deleteAttempt, functions.cleanUp]) {
      f.addToRolePolicy(
        new iam.PolicyStatement({
          sid: 'DeleteOnlyManagedVpcEndpoints',
          actions: ['ec2:DeleteVpcEndpoints'],
          resources: [arn('vpc-endpoint')],
          conditions: { StringEquals: { [`aws:ResourceTag/${ManagedTag.managedBy}`]: this.managedBy } },
        }),
      );
    }
  }

  private acknowledgeNagFindings(): void {
    const ack = (finding: string, reason: string) => acknowledgeNag(this, finding, reason);
    ack(
      NagFinding.lambdaBasicExecutionRole,
      'AWSLambdaBasicExecutionRole only lets each function write its own CloudWatch logs.',
    );
    if (this.atlasCallerNetwork) {
      ack(
        NagFinding.lambdaVpcAccessExecutionRole,
        'AWSLambdaVPCAccessExecutionRole only lets the functions that call Atlas attach to the VPC the deployer gave them (network interfaces).',
      );
    }
    ack(
      NagFinding.anyResource,
      'ec2:DescribeVpcEndpoints, ec2:DescribeSecurityGroups, ec2:DescribeVpcs, X-Ray PutTraceSegments/PutTelemetryRecords and the Step Functions log-delivery actions support no resource-level permissions.',
    );
    ack(
      NagFinding.ec2Resources('vpc-endpoint'),
      'VPC endpoint ids are not known before creation; create requires and delete checks the managed-by tag (aws:RequestTag / aws:ResourceTag conditions); vpce:AllowMultiRegion (permission-only, for cross-region endpoints) is authorized against the endpoint being created.',
    );
    if (this.allowedVpcIds.isAny) {
      ack(
        NagFinding.ec2Resources('vpc'),
        'allowedVpcIds is AllowList.any(), an explicit choice of the deployer: any VPC of the account.',
      );
    }
    for (const type of ['subnet', 'security-group']) {
      ack(
        NagFinding.ec2Resources(type),
        `The ${type} is workflow input; CreateVpcEndpoint may use it only inside the allowed VPCs (ec2:Vpc condition, unless allowedVpcIds is any).`,
      );
    }
    for (const f of Object.values(this.functions)) {
      ack(
        NagFinding.versionsOf(f),
        'The state machine may invoke any version of its own step function (CDK grants function ARN and ARN:*).',
      );
    }
  }
}

/** `allowedTagKeys`: AWS tag keys a request can use (1 to 128 characters, not reserved, no comma). */
function tagKeysProblem(keys: readonly string[] | undefined): string | undefined {
  if (keys === undefined) return undefined;
  if (keys.length === 0) return 'lists nothing: leave it out to allow any key';
  const bad = keys.find(
    (k) =>
      k.length < 1 ||
      k.length > 128 ||
      k.includes(',') ||
      RESERVED_TAG_PREFIXES.some((prefix) => k.toLowerCase().startsWith(prefix)),
  );
  return bad === undefined
    ? undefined
    : `expected tag keys of 1 to 128 characters, without commas, not starting with aws: or atlas-privatelink:, got ${JSON.stringify(bad)}`;
}

/**
 * The default `managedBy`: the stack name and a short hash of the construct's unique address in the app
 * and of the stack's account and region (when they are known at synthesis), so that two workflows in one
 * stack, or same-named stacks in two accounts or regions, never share the value their delete rights hang
 * on. Deterministic: the same construct in the same stack gets the same value at every synthesis.
 *
 * @example
 * defaultManagedBy(workflow); // 'AtlasPrivateLink-3f2a9c1e'
 */
export function defaultManagedBy(scope: Construct): string {
  const stack = Stack.of(scope);
  const known = (value: string) => (Token.isUnresolved(value) ? '' : value);
  const hash = createHash('sha256')
    .update([scope.node.addr, known(stack.account), known(stack.region)].join('/'))
    .digest('hex')
    .slice(0, 8);
  return `${stack.stackName}-${hash}`;
}
