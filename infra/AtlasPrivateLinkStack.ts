import {
  CfnOutput,
  Duration,
  Fn,
  Lazy,
  RemovalPolicy,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { ApiEnv, RuntimeEnv } from '../lambdas/handlers/environment';
import { PLACEHOLDER_PUBLIC_KEY } from '../lambdas/secretPlaceholder';
import { CallPlans, timeoutSecondsFor } from '../lambdas/timeBudget';
import { AllowList } from './AllowList';
import { AtlasPrivateEndpointWorkflow, WorkflowEvents } from './AtlasPrivateEndpointWorkflow';
import { HandlerFunction, type HandlerFunctionProps } from './HandlerFunction';
import { type ApiHandler, ApiHandlers } from './handlers';
import { acknowledgeNag, NagFinding } from './nag';
import { endpointReadersProblem, refuseInvalidProps } from './propChecks';
import { provisioningRequestSchema } from './requestModel';
import { SweepSchedule } from './SweepSchedule';

export interface AtlasPrivateLinkStackProps extends StackProps {
  /** The VPCs provisionings may create endpoints in (see the workflow's prop of the same name). */
  readonly allowedVpcIds: AllowList;
  /** The Atlas projects provisionings may connect to (see the workflow's prop of the same name). */
  readonly allowedGroupIds: AllowList;
  /** The only tag keys requests may use (see the workflow's prop of the same name). @default - any */
  readonly allowedTagKeys?: readonly string[];
  /**
   * The ARN of an existing secret holding Atlas credentials (`{ publicKey, privateKey }` or
   * `{ clientId, clientSecret }`).
   * @default - a new secret is created, with a placeholder to replace before the first provisioning
   */
  readonly atlasSecretArn?: string;
  /**
   * The Atlas Admin API's base URL.
   * @default 'https://cloud.mongodb.com'
   */
  readonly atlasBaseUrl?: string;
  /**
   * The VPC and private subnets (with a NAT gateway route) for the functions that call Atlas, so they call
   * from the NAT gateway's fixed address an Atlas API access list can name.
   * @default - the functions run outside any VPC, from changing AWS addresses
   */
  readonly atlasCallersVpc?: { readonly vpcId: string; readonly subnetIds: readonly string[] };
  /**
   * Creates API Gateway's account-wide CloudWatch role (`AWS::ApiGateway::Account`) so the stage can write
   * execution logs. It replaces the region's one setting for every API of the account: only when asked.
   * @default false
   */
  readonly apiGatewayCloudWatchRole?: boolean;
  /**
   * The customer-managed KMS key an imported `atlasSecretArn` is encrypted with: the functions that read
   * the secret get `kms:Decrypt` on it (through Secrets Manager only).
   * @default - the secret uses the AWS-managed key
   */
  readonly atlasSecretKmsKeyArn?: string;
  /**
   * Who may call the API besides holding `execute-api:Invoke`: a resource policy denies every other caller.
   * @default - any principal your IAM policies allow
   */
  readonly apiAccess?: ApiAccess;
  /**
   * Principals who may read (`GET /endpoints/{id}`, the list) and delete (`DELETE`) every provisioning
   * through the API: IAM role or user ARNs (a role ARN stands for every session of the role). Every other
   * caller sees and deletes only the provisionings it started, and gets `404` for the rest; executions
   * started by EventBridge or on the state machine itself are the readers' only.
   * @default - none: each caller its own
   */
  readonly endpointReaders?: readonly string[];
  /**
   * Who may put events on the stack's bus (to request provisionings and deletions) besides the workflow's
   * state machines: IAM role or user ARNs of this account (wildcards allowed), or `AllowList.any()` for
   * any principal your IAM allows. Nobody else, including whoever holds `events:PutEvents` on `*`, can.
   * @default - nobody: provisionings start through the API or the console only
   */
  readonly eventPublishers?: AllowList;
}

/** Narrows who reaches the API, in its resource policy. Each part narrows further; none widens. */
export interface ApiAccess {
  /** Only principals of this AWS Organization (`aws:PrincipalOrgID`, e.g. `o-a1b2c3d4e5`). */
  readonly principalOrgId?: string;
  /** Only these principals (`aws:PrincipalArn`: role or user ARNs). */
  readonly principalArns?: readonly string[];
  /**
   * A PRIVATE API, reachable only through these `execute-api` interface endpoints of your VPCs.
   * @default - a REGIONAL API
   */
  readonly privateVpcEndpointIds?: readonly string[];
}

/**
 * The deployable application: the workflow, its credentials secret and event bus, and the three ways to
 * start it — a REST API (IAM-authorized), an EventBridge rule, and the Step Functions console.
 */
export class AtlasPrivateLinkStack extends Stack {
  readonly workflow: AtlasPrivateEndpointWorkflow;
  readonly api: apigateway.RestApi;
  readonly eventBus: events.EventBus;
  /** Where requests that could not start go: the request rule's and the start function's failed deliveries. */
  readonly deadLetters: sqs.Queue;
  readonly apiFunctions: Readonly<Record<ApiHandler, HandlerFunction>>;
  /** The hourly sweep of what crashed executions left behind. */
  readonly sweep: SweepSchedule;

  constructor(scope: Construct, id: string, props: AtlasPrivateLinkStackProps) {
    super(scope, id, props);
    refuseInvalidProps({ endpointReaders: endpointReadersProblem(props.endpointReaders) });

    const atlasSecretKey = props.atlasSecretKmsKeyArn
      ? kms.Key.fromKeyArn(this, 'AtlasSecretKey', props.atlasSecretKmsKeyArn)
      : undefined;
    const atlasSecret = props.atlasSecretArn
      ? secretsmanager.Secret.fromSecretCompleteArn(this, 'AtlasSecret', props.atlasSecretArn)
      : new secretsmanager.Secret(this, 'AtlasSecret', {
          description:
            'MongoDB Atlas API credentials: {"publicKey","privateKey"} or {"clientId","clientSecret"}',
          generateSecretString: {
            secretStringTemplate: JSON.stringify({ publicKey: PLACEHOLDER_PUBLIC_KEY }),
            generateStringKey: 'privateKey',
          },
        });
    if (atlasSecret instanceof secretsmanager.Secret) {
      Validations.of(atlasSecret).acknowledge({
        id: 'AwsSolutions::AwsSolutions-SMG4',
        reason:
          'Atlas API keys are issued by Atlas, not AWS: there is no rotation Lambda to attach; rotate in Atlas and put the new key.',
      });
    }

    this.eventBus = new events.EventBus(this, 'EventBus');
    const callers = props.atlasCallersVpc;
    this.workflow = new AtlasPrivateEndpointWorkflow(this, 'Workflow', {
      atlasSecret,
      allowedVpcIds: props.allowedVpcIds,
      allowedGroupIds: props.allowedGroupIds,
      ...(props.allowedTagKeys ? { allowedTagKeys: props.allowedTagKeys } : {}),
      ...(atlasSecretKey ? { atlasSecretKey } : {}),
      eventBus: this.eventBus,
      eventPublishers: props.eventPublishers ?? AllowList.none(),
      ...(props.atlasBaseUrl ? { atlasBaseUrl: props.atlasBaseUrl } : {}),
      ...(callers
        ? {
            // Imported from its ids alone: no lookup, so synth needs no credentials.
            vpc: ec2.Vpc.fromVpcAttributes(this, 'AtlasCallersVpc', {
              vpcId: callers.vpcId,
              availabilityZones: callers.subnetIds.map((_, i) => Fn.select(i, Fn.getAzs())),
              privateSubnetIds: [...callers.subnetIds],
            }),
            vpcSubnets: {
              subnets: callers.subnetIds.map((id, i) =>
                ec2.Subnet.fromSubnetId(this, `AtlasCallersSubnet${i}`, id),
              ),
            },
          }
        : {}),
    });
    const { stateMachine } = this.workflow;
    const deprovisioning = this.workflow.deprovisioning.stateMachine;
    this.sweep = new SweepSchedule(this, 'Sweep', {
      workflow: this.workflow,
      atlasSecret,
      ...(props.atlasBaseUrl ? { atlasBaseUrl: props.atlasBaseUrl } : {}),
    });

    // The ways in: the API's functions, and the request rule's target.
    const readers = [...new Set(props.endpointReaders ?? [])];
    const apiFn = (handler: ApiHandler, props: Partial<HandlerFunctionProps> = {}) =>
      new HandlerFunction(this, `${handler[0]?.toUpperCase()}${handler.slice(1)}Function`, {
        module: ApiHandlers[handler],
        serviceName: 'atlas-privatelink-api',
        timeout: Duration.seconds(15),
        environment: {
          [ApiEnv.stateMachineArn]: stateMachine.stateMachineArn,
          [ApiEnv.deprovisioningStateMachineArn]: deprovisioning.stateMachineArn,
          [RuntimeEnv.managedBy]: this.workflow.managedBy,
          ...this.workflow.allowListEnvironment(),
          ...(readers.length > 0 ? { [ApiEnv.endpointReaders]: readers.join(',') } : {}),
        },
        ...props,
      });
    const startProvisioning = apiFn('startProvisioning');
    const getProvisioning = apiFn('getProvisioning');
    const deleteProvisioning = apiFn('deleteProvisioning');
    const listProvisionings = apiFn('listProvisionings');

    // A request never comes with the workflow's own source: only its state machines may publish with it (the
    // bus policy), and they publish outcomes, never requests. An event claiming it is forged and starts nothing.
    const requestPattern = (detailType: string): events.EventPattern => ({
      source: events.Match.anythingBut(this.workflow.eventSource),
      detailType: [detailType],
    });

    // EventBridge: an `Atlas Private Endpoint Requested` event starts an execution with its detail, through the
    // same start path as the API, so a duplicate delivery finds the execution instead of starting a second one.
    const deadLetters = new sqs.Queue(this, 'RequestDeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.deadLetters = deadLetters;
    Validations.of(deadLetters).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue of the request rule and its start function.',
    });
    const startFromEvent = apiFn('startFromEvent', {
      timeout: Duration.seconds(timeoutSecondsFor(CallPlans.startFromEvent)),
      deadLetterQueue: deadLetters,
    });
    new events.Rule(this, 'RequestRule', {
      eventBus: this.eventBus,
      eventPattern: requestPattern(WorkflowEvents.requested),
      targets: [
        new targets.LambdaFunction(startFromEvent, {
          deadLetterQueue: deadLetters,
          retryAttempts: 8,
          maxEventAge: Duration.hours(2),
        }),
      ],
    });

    // EventBridge: an `Atlas Private Endpoint Deletion Requested` event starts the deprovisioning of the
    // provisioning it names, through the same start path as the API's DELETE.
    const deleteFromEvent = apiFn('deleteFromEvent', {
      timeout: Duration.seconds(timeoutSecondsFor(CallPlans.deleteFromEvent)),
      deadLetterQueue: deadLetters,
    });
    new events.Rule(this, 'DeletionRule', {
      eventBus: this.eventBus,
      eventPattern: requestPattern(WorkflowEvents.deletionRequested),
      targets: [
        new targets.LambdaFunction(deleteFromEvent, {
          deadLetterQueue: deadLetters,
          retryAttempts: 8,
          maxEventAge: Duration.hours(2),
        }),
      ],
    });

    this.apiFunctions = {
      startProvisioning,
      getProvisioning,
      startFromEvent,
      deleteProvisioning,
      listProvisionings,
      deleteFromEvent,
    };
    for (const starter of [startProvisioning, startFromEvent]) {
      stateMachine.grantStartExecution(starter);
      // A start reads an existing execution back to tell a repeat from a conflicting reuse.
      stateMachine.grantExecution(starter, 'states:DescribeExecution');
    }
    // The provisionings' records: what may be deleted, and what the API shows.
    for (const reader of [getProvisioning, deleteProvisioning, listProvisionings, deleteFromEvent]) {
      stateMachine.grantExecution(reader, 'states:DescribeExecution');
      deprovisioning.grantExecution(reader, 'states:DescribeExecution');
    }
    for (const deleter of [deleteProvisioning, deleteFromEvent]) deprovisioning.grantStartExecution(deleter);
    stateMachine.grant(listProvisionings, 'states:ListExecutions');
    for (const tagReader of [listProvisionings, deleteFromEvent]) {
      tagReader.addToRolePolicy(
        new iam.PolicyStatement({
          sid: 'DescribeVpcEndpoints',
          actions: ['ec2:DescribeVpcEndpoints'],
          // DescribeVpcEndpoints supports no resource-level permissions.
          resources: ['*'],
        }),
      );
    }

    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const access = props.apiAccess ?? {};
    const privateApi = (access.privateVpcEndpointIds ?? []).length > 0;
    this.api = new apigateway.RestApi(this, 'Api', {
      description: 'Start and follow MongoDB Atlas PrivateLink provisionings',
      // REGIONAL unless asked for PRIVATE (API Gateway's default, EDGE, adds a CloudFront distribution nobody needs here).
      endpointConfiguration: privateApi
        ? {
            types: [apigateway.EndpointType.PRIVATE],
            vpcEndpoints: (access.privateVpcEndpointIds ?? []).map((id, i) =>
              ec2.InterfaceVpcEndpoint.fromInterfaceVpcEndpointAttributes(this, `ApiVpcEndpoint${i}`, {
                vpcEndpointId: id,
                port: 443,
              }),
            ),
          }
        : { types: [apigateway.EndpointType.REGIONAL] },
      ...(privateApi || access.principalOrgId || access.principalArns
        ? { policy: apiResourcePolicy(this, access) }
        : {}),
      defaultMethodOptions: { authorizationType: apigateway.AuthorizationType.IAM },
      // API Gateway's CloudWatch role is one setting per account and region: replaced only when asked.
      cloudWatchRole: props.apiGatewayCloudWatchRole ?? false,
      deployOptions: {
        stageName: 'v1',
        tracingEnabled: true,
        loggingLevel: apigateway.MethodLoggingLevel.INFO,
        dataTraceEnabled: false,
        accessLogDestination: new apigateway.LogGroupLogDestination(accessLogs),
        accessLogFormat: apiAccessLogFormat(),
        throttlingRateLimit: 20,
        throttlingBurstLimit: 40,
      },
    });
    const requestModel = this.api.addModel('ProvisioningRequest', {
      contentType: 'application/json',
      modelName: 'ProvisioningRequest',
      schema: provisioningRequestSchema,
    });
    const endpoints = this.api.root.addResource('endpoints');
    const requestValidator = this.api.addRequestValidator('Validate', {
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    // The model documents the body (and exports with the API), but the function validates it: API Gateway's
    // own body validation would answer a bare "Invalid request body", where the function names every field.
    // No test-invoke-stage permission: the console's "Test" button would reach the functions unsigned.
    const integration = (fn: lambda.IFunction) =>
      new apigateway.LambdaIntegration(fn, { allowTestInvoke: false });
    endpoints.addMethod('POST', integration(startProvisioning), {
      requestModels: { 'application/json': requestModel },
    });
    // The list checks its own query (limit, nextToken), naming the field, as the other functions do.
    endpoints.addMethod('GET', integration(listProvisionings));
    const endpoint = endpoints.addResource('{executionId}');
    endpoint.addMethod('GET', integration(getProvisioning), {
      requestParameters: { 'method.request.path.executionId': true },
      requestValidator,
    });
    endpoint.addMethod('DELETE', integration(deleteProvisioning), {
      requestParameters: { 'method.request.path.executionId': true },
      requestValidator,
    });

    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions::AwsSolutions-APIG3',
      reason:
        'Every method requires SigV4 (AWS_IAM): unsigned traffic never reaches the functions; add WAF per organisation policy.',
    });
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions::AwsSolutions-COG4',
      reason: 'The API is for AWS principals and uses AWS_IAM authorization instead of a Cognito user pool.',
    });
    if (props.apiGatewayCloudWatchRole) {
      acknowledgeNag(
        this.api,
        NagFinding.apiGatewayPushToCloudWatchLogs,
        "API Gateway's account-level CloudWatch role, needed for stage execution logs; it only writes logs.",
      );
    }
    // The workflow and the sweep acknowledge their own findings; these are the entry functions'.
    for (const fn of Object.values(this.apiFunctions)) {
      const ack = (finding: string, reason: string) => acknowledgeNag(fn, finding, reason);
      ack(
        NagFinding.lambdaBasicExecutionRole,
        'AWSLambdaBasicExecutionRole only lets each entry function write its own CloudWatch logs.',
      );
      ack(
        NagFinding.anyResource,
        'X-Ray PutTraceSegments/PutTelemetryRecords and ec2:DescribeVpcEndpoints support no resource-level permissions.',
      );
      ack(
        NagFinding.executionsOf(stateMachine),
        'DescribeExecution is limited to executions of this one state machine; execution names are per request.',
      );
      ack(
        NagFinding.executionsOf(deprovisioning),
        'DescribeExecution is limited to executions of the deprovisioning state machine; their names are per provisioning.',
      );
    }

    if (atlasSecret instanceof secretsmanager.Secret) denyOtherSecretReaders(atlasSecret, this.workflow);

    new CfnOutput(this, 'ApiUrl', { value: this.api.urlForPath('/endpoints') });
    new CfnOutput(this, 'StateMachineArn', { value: stateMachine.stateMachineArn });
    new CfnOutput(this, 'DeprovisioningStateMachineArn', { value: deprovisioning.stateMachineArn });
    new CfnOutput(this, 'EventBusName', { value: this.eventBus.eventBusName });
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: this.deadLetters.queueUrl });
    new CfnOutput(this, 'AtlasSecretArn', { value: atlasSecret.secretArn });
    new CfnOutput(this, 'SweepFunctionName', { value: this.sweep.function.functionName });
    // What `npm run sweep -- --managed-by` takes: the tag value this deployment's endpoints carry.
    new CfnOutput(this, 'ManagedBy', { value: this.workflow.managedBy });
  }
}

/**
 * The created Atlas secret's resource policy: nobody but the roles the workflow granted it to (its
 * functions that call Atlas, the deprovisioning's and the sweep's) reads its value, whatever their IAM
 * policies allow, administrators included (they can still put a new value). The list is read when the
 * template is synthesized, so a grant made after this call is included too. An imported secret's policy is
 * its owner's to set.
 */
function denyOtherSecretReaders(secret: secretsmanager.Secret, workflow: AtlasPrivateEndpointWorkflow): void {
  const roleArns = Lazy.list({
    produce: () =>
      workflow.atlasSecretReaders.map(({ grantPrincipal }) => {
        const role = grantPrincipal as Partial<iam.IRole>;
        if (role.roleArn === undefined) {
          throw new Error(
            `the Atlas secret's resource policy names roles; ${grantPrincipal} was granted read but is not one`,
          );
        }
        return role.roleArn;
      }),
  });
  secret.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'OnlyTheWorkflowReadsTheCredentials',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['secretsmanager:GetSecretValue'],
      resources: ['*'],
      conditions: { ArnNotEquals: { 'aws:PrincipalArn': roleArns } },
    }),
  );
}

/**
 * The API's access log: one JSON line per request, naming its caller (`userArn`: the signing principal, an
 * assumed role's session included) next to the path, whose last segment is the execution id for GET and
 * DELETE. For POST the execution id is known only once the start function names it: its log line carries
 * the same `requestId` (as `apiRequestId`), the caller and the `executionId`.
 */
export function apiAccessLogFormat(): apigateway.AccessLogFormat {
  const F = apigateway.AccessLogField;
  return apigateway.AccessLogFormat.custom(
    JSON.stringify({
      requestId: F.contextRequestId(),
      extendedRequestId: F.contextExtendedRequestId(),
      requestTime: F.contextRequestTime(),
      ip: F.contextIdentitySourceIp(),
      userAgent: F.contextIdentityUserAgent(),
      userArn: F.contextIdentityUserArn(),
      caller: F.contextIdentityCaller(),
      accountId: F.contextIdentityAccountId(),
      principalOrgId: F.contextIdentityPrincipalOrgId(),
      httpMethod: F.contextHttpMethod(),
      resourcePath: F.contextResourcePath(),
      path: F.contextPath(),
      status: F.contextStatus(),
      protocol: F.contextProtocol(),
      responseLength: F.contextResponseLength(),
      // The function invocation's request id: what Lambda's own log lines carry.
      integrationRequestId: F.contextAwsEndpointRequestId(),
    }),
  );
}

/**
 * The API's resource policy. It allows this account's principals (or, with `principalOrgId`, the
 * organization's), each still needing `execute-api:Invoke` from its own IAM policy, then denies every
 * caller outside the organization, the named principals or the VPC endpoints that `access` names.
 */
function apiResourcePolicy(scope: Construct, access: ApiAccess): iam.PolicyDocument {
  const invoke = { actions: ['execute-api:Invoke'], resources: ['execute-api:/*'] };
  const statements = [
    access.principalOrgId
      ? new iam.PolicyStatement({
          ...invoke,
          principals: [new iam.AnyPrincipal()],
          conditions: { StringEquals: { 'aws:PrincipalOrgID': access.principalOrgId } },
        })
      : new iam.PolicyStatement({
          ...invoke,
          principals: [new iam.AccountPrincipal(Stack.of(scope).account)],
        }),
  ];
  const deny = (condition: Record<string, Record<string, unknown>>) =>
    statements.push(
      new iam.PolicyStatement({
        ...invoke,
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        conditions: condition,
      }),
    );
  if (access.principalArns) deny({ ArnNotLike: { 'aws:PrincipalArn': [...access.principalArns] } });
  if (access.privateVpcEndpointIds?.length) {
    deny({ StringNotEquals: { 'aws:SourceVpce': [...access.privateVpcEndpointIds] } });
  }
  return new iam.PolicyDocument({ statements });
}
