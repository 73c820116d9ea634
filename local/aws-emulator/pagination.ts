import { AwsApiError } from './errors';

/**
 * Pagination tokens: opaque to callers (as AWS's are), an offset inside. Good enough for lists that
 * only grow at the end or shrink by expiry, which is all the emulator has.
 */
export function encodeOffsetToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset }), 'utf8').toString('base64');
}

/** The offset in `token` (0 when absent); a token the emulator did not issue is `errorCode`. */
export function decodeOffsetToken(token: string | undefined, errorCode: string): number {
  if (token === undefined || token === '') return 0;
  try {
    const { offset } = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { offset?: unknown };
    if (typeof offset === 'number' && Number.isInteger(offset) && offset >= 0) return offset;
  } catch {
    // falls through to the error below
  }
  throw new AwsApiError(errorCode, `Invalid Token: '${token}'`);
}
