import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { AtlasPrivateLinkStack } from './AtlasPrivateLinkStack';
import { stackFromContext } from './stackFromContext';

export { type AppContext, AppContextError, readAppContext } from './stackFromContext';

/**
 * The CDK app. Context: `allowedVpcIds` and `allowedGroupIds` (required), `atlasSecretArn` (use an existing
 * secret), `atlasBaseUrl`, `stackName`: see `readAppContext`.
 * Synthesizes offline with no credentials: nothing here looks anything up.
 */
export function createApp(
  app: App = new App(),
  options: { readonly nagChecks?: boolean } = {},
): { app: App; stack: AtlasPrivateLinkStack } {
  const stack = stackFromContext(app);
  // The offline runner skips the checks (tests run them): they do not change the template.
  if (options.nagChecks ?? true) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack };
}
