import type { App } from 'aws-cdk-lib';
import { Defaults } from '../lambdas/defaults';
import { readerArnProblem } from '../lambdas/domain/callers';
import { IdForm } from '../lambdas/ids';
import { AllowList, commaSeparated } from './AllowList';
import { AtlasPrivateLinkStack, type AtlasPrivateLinkStackProps } from './AtlasPrivateLinkStack';
import { PUBLISHER_ARN } from './eventBusPolicy';

/** A context value (`cdk synth -c name=value`, or `cdk.json`) that cannot work; the message names it. */
export class AppContextError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AppContextError';
  }
}

/** What the app reads from its context, checked. */
export interface AppContext {
  readonly stackName: string;
  readonly stackProps: AtlasPrivateLinkStackProps;
}

/** What `cdk synth` says when the allow-lists are not given: one line, naming both and what `*` means. */
export const MISSING_ALLOW_LISTS =
  'context allowedVpcIds and allowedGroupIds: give -c allowedVpcIds=vpc-…,vpc-… and -c allowedGroupIds=<project id>,… (the VPCs and Atlas projects provisionings may use; * for any)';

// A complete secret ARN ends with the six random characters Secrets Manager adds to the name; the
// functions' IAM grant and GetSecretValue need the complete one.
const PARTIAL_SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/;
const COMPLETE_SECRET_ARN =
  /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}$/;
const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;

/**
 * Reads and checks the context: `allowedVpcIds` and `allowedGroupIds` (required: values separated by
 * commas, or `*` for any), `atlasSecretArn` (an existing secret's complete ARN), `atlasBaseUrl` (an https
 * URL), `stackName` (a CloudFormation stack name, default `AtlasPrivateLink`), `lambdaVpcId` and
 * `lambdaSubnetIds` (where the functions that call Atlas run), `apiGatewayCloudWatchRole` (`true` or
 * `false`), `atlasSecretKmsKeyArn` (the customer-managed key of an imported secret), `apiPrincipalOrgId`,
 * `apiPrincipalArns` and `apiVpcEndpointIds` (who may call the API; the last makes it PRIVATE),
 * `allowedTagKeys` (the only tag keys requests may use), `endpointReaders` (IAM role or user ARNs who may
 * read and delete every provisioning through the API), `eventPublishers` (who may put events on the bus:
 * role or user ARNs separated by commas, or `*` for any principal your IAM allows).
 * @throws {AppContextError} naming the first value that cannot work and what was expected.
 */
export function readAppContext(app: App): AppContext {
  const value = (name: string): string | undefined => {
    const raw = app.node.tryGetContext(name) as unknown;
    if (raw === undefined || raw === null) return undefined;
    if (typeof raw !== 'string') {
      throw new AppContextError(`context ${name}: expected a string, got ${JSON.stringify(raw)}`);
    }
    return raw;
  };
  const stackName = value('stackName') ?? Defaults.stackName;
  if (!STACK_NAME.test(stackName)) {
    throw new AppContextError(
      `context stackName: expected a letter, then up to 127 letters, digits or hyphens, got ${JSON.stringify(stackName)}`,
    );
  }
  const atlasSecretArn = value('atlasSecretArn');
  if (atlasSecretArn !== undefined && !COMPLETE_SECRET_ARN.test(atlasSecretArn)) {
    const missingSuffix = PARTIAL_SECRET_ARN.test(atlasSecretArn)
      ? ' It lacks the "-" and 6 characters Secrets Manager adds to the name.'
      : '';
    throw new AppContextError(
      `context atlasSecretArn: expected the secret's complete ARN, arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters> ` +
        `(aws secretsmanager describe-secret --secret-id <name> --query ARN prints it), got ${JSON.stringify(atlasSecretArn)}.${missingSuffix}`,
    );
  }
  const atlasBaseUrl = value('atlasBaseUrl');
  if (atlasBaseUrl !== undefined && !isHttpsUrl(atlasBaseUrl)) {
    throw new AppContextError(
      `context atlasBaseUrl: expected an https URL such as https://cloud.mongodbgov.com, got ${JSON.stringify(atlasBaseUrl)}`,
    );
  }
  const atlasCallersVpc = callersVpc(value('lambdaVpcId'), value('lambdaSubnetIds'));
  const apiGatewayCloudWatchRole = value('apiGatewayCloudWatchRole');
  if (apiGatewayCloudWatchRole !== undefined && !['true', 'false'].includes(apiGatewayCloudWatchRole)) {
    throw new AppContextError(
      `context apiGatewayCloudWatchRole: expected true or false, got ${JSON.stringify(apiGatewayCloudWatchRole)}`,
    );
  }
  const atlasSecretKmsKeyArn = value('atlasSecretKmsKeyArn');
  if (atlasSecretKmsKeyArn !== undefined && !KMS_KEY_ARN.test(atlasSecretKmsKeyArn)) {
    throw new AppContextError(
      `context atlasSecretKmsKeyArn: expected a KMS key ARN, arn:aws:kms:<region>:<account>:key/<key id>, got ${JSON.stringify(atlasSecretKmsKeyArn)}`,
    );
  }
  const apiAccess = readApiAccess(
    value('apiPrincipalOrgId'),
    value('apiPrincipalArns'),
    value('apiVpcEndpointIds'),
  );
  const allowedTagKeys = value('allowedTagKeys');
  const endpointReaders = readEndpointReaders(value('endpointReaders'));
  const eventPublishers = readEventPublishers(value('eventPublishers'));
  const allowedVpcIds = value('allowedVpcIds');
  const allowedGroupIds = value('allowedGroupIds');
  if (allowedVpcIds === undefined || allowedGroupIds === undefined)
    throw new AppContextError(MISSING_ALLOW_LISTS);
  return {
    stackName,
    stackProps: {
      allowedVpcIds: AllowList.parse(allowedVpcIds),
      allowedGroupIds: AllowList.parse(allowedGroupIds),
      ...(atlasSecretArn !== undefined ? { atlasSecretArn } : {}),
      ...(atlasBaseUrl !== undefined ? { atlasBaseUrl } : {}),
      ...(atlasCallersVpc !== undefined ? { atlasCallersVpc } : {}),
      ...(apiGatewayCloudWatchRole !== undefined
        ? { apiGatewayCloudWatchRole: apiGatewayCloudWatchRole === 'true' }
        : {}),
      ...(atlasSecretKmsKeyArn !== undefined ? { atlasSecretKmsKeyArn } : {}),
      ...(apiAccess !== undefined ? { apiAccess } : {}),
      ...(allowedTagKeys !== undefined ? { allowedTagKeys: commaSeparated(allowedTagKeys) } : {}),
      ...(endpointReaders !== undefined ? { endpointReaders } : {}),
      ...(eventPublishers !== undefined ? { eventPublishers } : {}),
    },
  };
}

const ORG_ID = /^o-[a-z0-9]{10,32}$/;
const PRINCIPAL_ARN = /^arn:aws[a-z-]*:(iam|sts)::\d{12}:[A-Za-z0-9+=,.@_/*-]+$/;

/** `apiPrincipalOrgId`, `apiPrincipalArns` and `apiVpcEndpointIds` (comma-separated): who may call the API. */
function readApiAccess(
  orgId: string | undefined,
  principalArns: string | undefined,
  vpcEndpointIds: string | undefined,
): AtlasPrivateLinkStackProps['apiAccess'] {
  if (orgId === undefined && principalArns === undefined && vpcEndpointIds === undefined) return undefined;
  if (orgId !== undefined && !ORG_ID.test(orgId)) {
    throw new AppContextError(
      `context apiPrincipalOrgId: expected an organization id such as o-a1b2c3d4e5, got ${JSON.stringify(orgId)}`,
    );
  }
  const arns = principalArns === undefined ? undefined : commaSeparated(principalArns);
  if (arns !== undefined && (arns.length === 0 || arns.some((a) => !PRINCIPAL_ARN.test(a)))) {
    throw new AppContextError(
      `context apiPrincipalArns: expected IAM role or user ARNs separated by commas, got ${JSON.stringify(principalArns)}`,
    );
  }
  const endpoints = vpcEndpointIds === undefined ? undefined : commaSeparated(vpcEndpointIds);
  if (
    endpoints !== undefined &&
    (endpoints.length === 0 || endpoints.some((e) => !IdForm.vpcEndpointId.pattern.test(e)))
  ) {
    throw new AppContextError(
      `context apiVpcEndpointIds: expected execute-api interface endpoint ids (vpce-…) separated by commas, got ${JSON.stringify(vpcEndpointIds)}`,
    );
  }
  return {
    ...(orgId !== undefined ? { principalOrgId: orgId } : {}),
    ...(arns !== undefined ? { principalArns: arns } : {}),
    ...(endpoints !== undefined ? { privateVpcEndpointIds: endpoints } : {}),
  };
}

/** `endpointReaders` (comma-separated ARNs): who reads every provisioning through the API. */
function readEndpointReaders(text: string | undefined): readonly string[] | undefined {
  if (text === undefined) return undefined;
  const arns = commaSeparated(text);
  const problem = arns.length === 0 ? 'expected at least one ARN' : arns.map(readerArnProblem).find(Boolean);
  if (problem) throw new AppContextError(`context endpointReaders: ${problem}`);
  return arns;
}

/** `eventPublishers`: `*`, or IAM role or user ARNs separated by commas. */
function readEventPublishers(text: string | undefined): AllowList | undefined {
  if (text === undefined) return undefined;
  const publishers = AllowList.parse(text);
  if (publishers.isAny) return publishers;
  if (publishers.values.length === 0 || [...publishers.values].some((a) => !PUBLISHER_ARN.test(a))) {
    throw new AppContextError(
      `context eventPublishers: expected IAM role or user ARNs (arn:aws:iam::<account>:role/<name>) separated by commas, or * for any principal your IAM allows, got ${JSON.stringify(text)}`,
    );
  }
  return publishers;
}

const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;

/** `lambdaVpcId` and `lambdaSubnetIds` (comma-separated): both or neither. */
function callersVpc(
  vpcId: string | undefined,
  subnetIds: string | undefined,
): AtlasPrivateLinkStackProps['atlasCallersVpc'] {
  if (vpcId === undefined && subnetIds === undefined) return undefined;
  if (vpcId === undefined || subnetIds === undefined) {
    throw new AppContextError(
      'context lambdaVpcId and lambdaSubnetIds: give both (the VPC and its private subnets, with a NAT gateway route, for the functions that call Atlas), or neither',
    );
  }
  if (!IdForm.vpcId.pattern.test(vpcId)) {
    throw new AppContextError(
      `context lambdaVpcId: expected "vpc-" and 8 or 17 hex digits, got ${JSON.stringify(vpcId)}`,
    );
  }
  const subnets = commaSeparated(subnetIds);
  const bad = subnets.find((id) => !IdForm.subnetId.pattern.test(id));
  if (subnets.length === 0 || bad !== undefined) {
    throw new AppContextError(
      `context lambdaSubnetIds: expected subnet ids ("subnet-" and 8 or 17 hex digits) separated by commas, got ${JSON.stringify(subnetIds)}`,
    );
  }
  return { vpcId, subnetIds: subnets };
}

function isHttpsUrl(text: string): boolean {
  try {
    return new URL(text).protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * The stack as the CDK app's context describes it ({@link readAppContext}). The CDK app and the offline
 * runner both build it here, so both honour the same context.
 */
export function stackFromContext(app: App): AtlasPrivateLinkStack {
  const context = readAppContext(app);
  return new AtlasPrivateLinkStack(app, context.stackName, context.stackProps);
}
