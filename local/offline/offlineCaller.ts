/** The principal the local API's requests come from when they name none: an IAM user of the emulators' account. */
export const OFFLINE_CALLER_ARN = 'arn:aws:iam::123456789012:user/offline-developer';

/**
 * The header that names the caller of one request to the local API, which signs nothing (behind API
 * Gateway the caller comes from the request's SigV4 signature, and this header means nothing).
 */
export const OFFLINE_CALLER_HEADER = 'x-offline-caller-arn';
