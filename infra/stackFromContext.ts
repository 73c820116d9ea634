import type { App } from 'aws-cdk-lib';
import { Defaults } from '../lambdas/defaults';
import { AtlasPrivateLinkStack } from './AtlasPrivateLinkStack';

/**
 * The stack as the CDK app's context describes it: `stackName` (default `AtlasPrivateLink`),
 * `atlasSecretArn` (an existing secret) and `atlasBaseUrl`. The CDK app and the offline runner both build
 * it here, so both honour the same context.
 */
export function stackFromContext(app: App): AtlasPrivateLinkStack {
  const context = (key: string) => app.node.tryGetContext(key) as string | undefined;
  const atlasSecretArn = context('atlasSecretArn');
  const atlasBaseUrl = context('atlasBaseUrl');
  return new AtlasPrivateLinkStack(app, context('stackName') ?? Defaults.stackName, {
    ...(atlasSecretArn ? { atlasSecretArn } : {}),
    ...(atlasBaseUrl ? { atlasBaseUrl } : {}),
  });
}
