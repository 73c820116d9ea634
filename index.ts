/**
 * atlas-privatelink-workflow: the public API. This module only re-exports.
 *
 * - `AtlasPrivateEndpointWorkflow`: the CDK construct (Step Functions workflow and its Lambdas).
 * - `AtlasPrivateLinkStack`: the deployable stack with its API, EventBridge rule and secret.
 * - `AtlasClient` and `digestAuth`: the Atlas Admin API over undici, usable on their own.
 * - `startAtlasEmulator`, `startAwsEmulator`, `startOfflineEnvironment`: the offline stack.
 * - Every error class, with `ErrorName` (the names Step Functions matches on).
 */

// Infrastructure
export {
  AtlasPrivateEndpointWorkflow,
  type AtlasPrivateEndpointWorkflowProps,
  WorkflowEvents,
} from './infra/AtlasPrivateEndpointWorkflow';
export { AtlasPrivateLinkStack, type AtlasPrivateLinkStackProps } from './infra/AtlasPrivateLinkStack';
// Atlas Admin API client
export {
  type ApiVersion,
  AtlasClient,
  type AtlasClientOptions,
  type CreateEndpointRequestOf,
  type DeleteResult,
  type EndpointOf,
  type EndpointServiceOf,
  type RetryOptions,
} from './lambdas/atlas/AtlasClient';
export {
  type DigestChallenge,
  parseWwwAuthenticate,
  selectDigestChallenge,
} from './lambdas/atlas/digest/challenge';
export { type DigestAuthOptions, digestAuth } from './lambdas/atlas/digest/digestAuth';
export {
  DigestAlgorithm,
  type DigestResponseInput,
  digestResponse,
} from './lambdas/atlas/digest/digestResponse';
export type {
  AtlasApiErrorBody,
  AtlasApiKey,
  AtlasCredentials,
  AtlasServiceAccount,
  AwsEndpointService,
  AwsInterfaceEndpoint,
  AzureEndpointService,
  AzurePrivateEndpoint,
  CreateAwsEndpointRequest,
  CreateAzureEndpointRequest,
  CreateEndpointServiceRequest,
  CreateGcpEndpointRequest,
  EndpointService,
  GcpEndpointGroup,
  GcpEndpointService,
} from './lambdas/atlas/types';
export { CloudProvider, ConnectionStatus, EndpointServiceStatus } from './lambdas/atlas/types';
// The workflow's domain: request validation and decisions
export {
  type ProvisioningRequest,
  type ProvisioningRequestInput,
  parseProvisioningRequest,
} from './lambdas/domain/request';
export type { FailureOutcome, ProvisioningResult } from './lambdas/domain/workflowState';
// Errors
export * from './lambdas/errors';

// Offline: emulators and the runner
export {
  type AtlasEmulator,
  type AtlasEmulatorOptions,
  type AtlasScript,
  DEMO_API_KEY,
  DEMO_GROUP_ID,
  startAtlasEmulator,
} from './local/atlas-emulator';
export { type AwsEmulator, type AwsEmulatorOptions, startAwsEmulator } from './local/aws-emulator';
export {
  DEMO_REQUEST,
  type OfflineEnvironment,
  type OfflineEnvironmentOptions,
  startOfflineEnvironment,
} from './local/offline/OfflineEnvironment';
export { type RunReport, runScenario } from './local/offline/runScenario';
export type { Scenario } from './local/offline/scenario';
