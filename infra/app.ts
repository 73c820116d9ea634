import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { AllowList } from './AllowList';
import { AtlasPrivateLinkStack } from './AtlasPrivateLinkStack';

/**
 * The CDK app. Context: `atlasSecretArn` (use an existing secret), `atlasBaseUrl`, `stackName`.
 * Synthesizes offline with no credentials: nothing here looks anything up.
 */
export function createApp(
  app: App = new App(),
  options: { readonly nagChecks?: boolean } = {},
): { app: App; stack: AtlasPrivateLinkStack } {
  const atlasSecretArn = app.node.tryGetContext('atlasSecretArn') as string | undefined;
  const atlasBaseUrl = app.node.tryGetContext('atlasBaseUrl') as string | undefined;
  const allowedVpcIds = app.node.tryGetContext('allowedVpcIds') as string | undefined;
  const allowedGroupIds = app.node.tryGetContext('allowedGroupIds') as string | undefined;
  if (allowedVpcIds === undefined || allowedGroupIds === undefined) {
    throw new Error(
      'give -c allowedVpcIds=vpc-…,vpc-… and -c allowedGroupIds=<project id>,… (the VPCs and Atlas projects provisionings may use; * for any)',
    );
  }
  const stack = new AtlasPrivateLinkStack(
    app,
    (app.node.tryGetContext('stackName') as string) ?? 'AtlasPrivateLink',
    {
      allowedVpcIds: AllowList.parse(String(allowedVpcIds)),
      allowedGroupIds: AllowList.parse(String(allowedGroupIds)),
      ...(atlasSecretArn ? { atlasSecretArn } : {}),
      ...(atlasBaseUrl ? { atlasBaseUrl } : {}),
    },
  );
  // The offline runner skips the checks (tests run them): they do not change the template.
  if (options.nagChecks ?? true) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}
