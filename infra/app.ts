import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
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

// A complete secret ARN ends with the six random characters Secrets Manager adds to the name; the
// functions' IAM grant and GetSecretValue need the complete one.
const PARTIAL_SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/;
const COMPLETE_SECRET_ARN =
  /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+-[A-Za-z0-9]{6}$/;
const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;

/**
 * Reads and checks the context: `atlasSecretArn` (an existing secret's complete ARN), `atlasBaseUrl`
 * (an https URL), `stackName` (a CloudFormation stack name).
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
  const stackName = value('stackName') ?? 'AtlasPrivateLink';
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
  return {
    stackName,
    stackProps: {
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
 * The CDK app. Context: `atlasSecretArn` (use an existing secret), `atlasBaseUrl`, `stackName`.
 * Synthesizes offline with no credentials: nothing here looks anything up.
 */
export function createApp(
  app: App = new App(),
  options: { readonly nagChecks?: boolean } = {},
): { app: App; stack: AtlasPrivateLinkStack } {
  const context = readAppContext(app);
  const stack = new AtlasPrivateLinkStack(app, context.stackName, context.stackProps);
  // The offline runner skips the checks (tests run them): they do not change the template.
  if (options.nagChecks ?? true) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}
