export { CLUSTERS_MEDIA_TYPE } from './AtlasRequestHandler';
export type { EmulatedEndpointService, EmulatedPrivateEndpoint } from './AtlasState';
export { ATLAS_DIGEST_REALM, parseDigestCredentials } from './DigestAuthenticator';
export {
  type ApiErrorBody,
  AtlasEmulatorOptionError,
  AtlasErrorCode,
  AtlasScriptError,
  UNAUTHORIZED_BODY,
} from './errors';
export type { RateLimitOptions } from './RateLimiter';
export { ATLAS_V2_MEDIA_TYPE, type AtlasRequestLogEntry, type AuthOutcome } from './Reply';
export {
  type AtlasAttemptScript,
  type AtlasClusterScript,
  type AtlasEndpointServiceScript,
  type AtlasFault,
  type AtlasScript,
  type ConnectionStatusStep,
  type ConnectionTimelineStep,
  DEFAULT_ATTEMPT_STATUSES,
  DEFAULT_DELETING_POLLS,
  DEFAULT_ENDPOINT_SERVICE_STATUSES,
  type EndpointServiceStatusStep,
  type EndpointServiceTimelineStep,
  loadAtlasScript,
  validateAtlasScript,
} from './script';
export {
  type AtlasEmulator,
  type AtlasEmulatorOptions,
  DEMO_API_KEY,
  DEMO_GROUP_ID,
  DEMO_SERVICE_ACCOUNT,
  startAtlasEmulator,
} from './startAtlasEmulator';
