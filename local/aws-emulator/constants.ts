/**
 * The services the emulator speaks, named by their SigV4 signing name (the fourth part of the
 * `Credential=…/<date>/<region>/<service>/aws4_request` scope). The request log uses these names.
 */
export const AwsService = {
  EC2: 'ec2',
  SECRETS_MANAGER: 'secretsmanager',
  STEP_FUNCTIONS: 'states',
  EVENTBRIDGE: 'events',
} as const;
export type AwsService = (typeof AwsService)[keyof typeof AwsService];

/** EC2's API version and the XML namespace of its responses (`Version=2016-11-15` in every request). */
export const EC2_API_VERSION = '2016-11-15';
export const EC2_XML_NAMESPACE = `http://ec2.amazonaws.com/doc/${EC2_API_VERSION}/`;

/**
 * `X-Amz-Target` prefixes of the JSON services. The SDK sends `<prefix>.<Operation>`, e.g.
 * `secretsmanager.GetSecretValue`, `AWSStepFunctions.StartExecution`, `AWSEvents.PutEvents`.
 */
export const JSON_TARGET_PREFIX = {
  secretsmanager: AwsService.SECRETS_MANAGER,
  AWSStepFunctions: AwsService.STEP_FUNCTIONS,
  AWSEvents: AwsService.EVENTBRIDGE,
} as const satisfies Record<string, AwsService>;

/**
 * Content types of the JSON services: Step Functions speaks awsJson1_0, the others awsJson1_1.
 * The SDK does not check the response's type, but a curl user comparing with AWS will.
 */
export const JSON_CONTENT_TYPE = {
  [AwsService.SECRETS_MANAGER]: 'application/x-amz-json-1.1',
  [AwsService.STEP_FUNCTIONS]: 'application/x-amz-json-1.0',
  [AwsService.EVENTBRIDGE]: 'application/x-amz-json-1.1',
} as const;

/** @default values of the emulator's options, next to nothing else so they are easy to find. */
export const Defaults = {
  region: 'us-east-1',
  accountId: '123456789012',
  /** Larger than any request this workflow makes (EventBridge caps PutEvents at 256 KiB). */
  maxBodyBytes: 1024 * 1024,
  deletingDescribes: 1,
  deletedRetentionMs: 10 * 60 * 1000,
  waitForExecutionTimeoutMs: 10_000,
} as const;
