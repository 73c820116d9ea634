/**
 * The environment variables the functions read, named once: the construct sets them, the handlers
 * read them, and the offline runner sets them to point at the emulators.
 */
export const RuntimeEnv = {
  secretArn: 'ATLAS_SECRET_ARN',
  atlasBaseUrl: 'ATLAS_BASE_URL',
  managedBy: 'MANAGED_BY',
  /** The deployment's AWS account: the only owner of endpoints "Register with Atlas" registers. */
  accountId: 'DEPLOYMENT_ACCOUNT_ID',
  /** The VPCs provisionings may use: ids separated by commas, or `*` for any. @default - not checked */
  allowedVpcIds: 'ALLOWED_VPC_IDS',
  /** The Atlas projects provisionings may use: ids separated by commas, or `*` for any. @default - not checked */
  allowedGroupIds: 'ALLOWED_GROUP_IDS',
  /** Set only when the deployment narrows tag keys. */
  allowedTagKeys: 'ALLOWED_TAG_KEYS',
  /**
   * Milliseconds the Atlas client allows to connect, and to wait for headers and between body chunks.
   * @default - the client's own (5 s connect, 15 s headers and body)
   */
  atlasTimeoutMs: 'ATLAS_TIMEOUT_MS',
  /**
   * Milliseconds one Atlas operation may spend on its own retries, waits included.
   * @default - the client's own (20 s)
   */
  atlasRetryDeadlineMs: 'ATLAS_RETRY_DEADLINE_MS',
} as const;

/** The provisioning state machine's ARN, for the functions that start or read its executions. */
const STATE_MACHINE_ARN = 'STATE_MACHINE_ARN';
/** The deprovisioning state machine's ARN, for the functions that start or read deprovisionings. */
const DEPROVISIONING_STATE_MACHINE_ARN = 'DEPROVISIONING_STATE_MACHINE_ARN';

export const ApiEnv = {
  stateMachineArn: STATE_MACHINE_ARN,
  deprovisioningStateMachineArn: DEPROVISIONING_STATE_MACHINE_ARN,
  /**
   * Principals (IAM role or user ARNs, separated by commas) who may read and delete every provisioning
   * through the API, besides each caller its own. @default - none
   */
  endpointReaders: 'ENDPOINT_READERS',
} as const;

/** Environment variables of the sweep function (besides `ATLAS_SECRET_ARN` and `MANAGED_BY`). */
export const SweepEnv = {
  stateMachineArn: STATE_MACHINE_ARN,
  /** @default - none: endpoints of succeeded provisionings are never swept */
  deprovisioningStateMachineArn: DEPROVISIONING_STATE_MACHINE_ARN,
  /** @default - `Defaults.sweepGraceSeconds` (7200) */
  graceSeconds: 'SWEEP_GRACE_SECONDS',
  /** `true`: report only. @default 'false' */
  dryRun: 'SWEEP_DRY_RUN',
} as const;
