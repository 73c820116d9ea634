import type { App } from 'aws-cdk-lib';
import { Defaults } from '../lambdas/defaults';
import { AllowList } from './AllowList';
import { AtlasPrivateLinkStack, type AtlasPrivateLinkStackProps } from './AtlasPrivateLinkStack';

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
 * URL), `stackName` (a CloudFormation stack name, default `AtlasPrivateLink`).
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
    },
  };
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
