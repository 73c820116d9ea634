import type { App } from 'aws-cdk-lib';
import { Defaults } from '../lambdas/defaults';
import { AllowList } from './AllowList';
import { AtlasPrivateLinkStack } from './AtlasPrivateLinkStack';

/** What `cdk synth` says when the allow-lists are not given: one line, naming both and what `*` means. */
export const MISSING_ALLOW_LISTS =
  'give -c allowedVpcIds=vpc-…,vpc-… and -c allowedGroupIds=<project id>,… (the VPCs and Atlas projects provisionings may use; * for any)';

/**
 * The stack as the CDK app's context describes it: `allowedVpcIds` and `allowedGroupIds` (required: values
 * separated by commas, or `*` for any), `stackName` (default `AtlasPrivateLink`), `atlasSecretArn` (an
 * existing secret) and `atlasBaseUrl`. The CDK app and the offline runner both build it here, so both
 * honour the same context.
 */
export function stackFromContext(app: App): AtlasPrivateLinkStack {
  const context = (key: string) => app.node.tryGetContext(key) as string | undefined;
  const allowedVpcIds = context('allowedVpcIds');
  const allowedGroupIds = context('allowedGroupIds');
  if (allowedVpcIds === undefined || allowedGroupIds === undefined) throw new Error(MISSING_ALLOW_LISTS);
  const atlasSecretArn = context('atlasSecretArn');
  const atlasBaseUrl = context('atlasBaseUrl');
  return new AtlasPrivateLinkStack(app, context('stackName') ?? Defaults.stackName, {
    allowedVpcIds: AllowList.parse(String(allowedVpcIds)),
    allowedGroupIds: AllowList.parse(String(allowedGroupIds)),
    ...(atlasSecretArn ? { atlasSecretArn } : {}),
    ...(atlasBaseUrl ? { atlasBaseUrl } : {}),
  });
}
