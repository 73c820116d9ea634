/**
 * atlas-privatelink-workflow: the public API. This module only re-exports, and loads nothing of the
 * offline rig (that is `atlas-privatelink-workflow/local`).
 *
 * - `AtlasPrivateEndpointWorkflow`: the CDK construct (Step Functions workflow and its Lambdas), with
 *   `WorkflowEvents` (the detail-types it publishes), its `AtlasPrivateEndpointDeprovisioning` (the state
 *   machine that deletes what a provisioning made) and `SweepSchedule` (the scheduled sweep).
 * - `AtlasPrivateLinkStack`: the deployable stack with its API, EventBridge rule and secret.
 * - `AtlasClient` and `digestAuth`: the Atlas Admin API over undici, usable on their own.
 * - The request, its limits and the managed tags; the workflow's output and event details.
 * - Every error class, with `ErrorName` (the names Step Functions matches on).
 */

// Infrastructure
export { AllowList } from './infra/AllowList';
export {
  AtlasPrivateEndpointDeprovisioning,
  type AtlasPrivateEndpointDeprovisioningProps,
} from './infra/AtlasPrivateEndpointDeprovisioning';
export {
  AtlasPrivateEndpointWorkflow,
  type AtlasPrivateEndpointWorkflowProps,
  WorkflowEvents,
} from './infra/AtlasPrivateEndpointWorkflow';
export { AtlasPrivateLinkStack, type AtlasPrivateLinkStackProps } from './infra/AtlasPrivateLinkStack';
export { SweepSchedule, type SweepScheduleProps } from './infra/SweepSchedule';
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
export { Defaults } from './lambdas/defaults';
// The workflow's domain: request validation and decisions, connection strings, deprovisioning
export type { ClusterNotCovered, ConnectionString } from './lambdas/domain/connectionStrings';
export type {
  DeprovisioningFailure,
  DeprovisioningRequest,
  DeprovisioningResult,
  LifecycleStatus,
} from './lambdas/domain/deprovisioning';
export {
  ManagedTag,
  type ProvisioningRequest,
  type ProvisioningRequestInput,
  parseProvisioningRequest,
  RequestLimits,
} from './lambdas/domain/request';
export type {
  AttemptEventDetail,
  AvailableResult,
  FailureOutcome,
  ProvisioningResult,
} from './lambdas/domain/workflowState';
// Errors
export * from './lambdas/errors';
