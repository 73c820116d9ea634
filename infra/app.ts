import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
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
  const stack = new AtlasPrivateLinkStack(
    app,
    (app.node.tryGetContext('stackName') as string) ?? 'AtlasPrivateLink',
    {
      ...(atlasSecretArn ? { atlasSecretArn } : {}),
      ...(atlasBaseUrl ? { atlasBaseUrl } : {}),
    },
  );
  // The offline runner skips the checks (tests run them): they do not change the template.
  if (options.nagChecks ?? true) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}
