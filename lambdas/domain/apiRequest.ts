/**
 * The API's decisions: which execution name a request maps to, and how problems are answered. Pure.
 */

import { canonicalJson } from '../canonicalJson';
import type { FieldViolation } from '../errors';
import type { ProvisioningRequest } from './request';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/**
 * The execution name for a request: from its `Idempotency-Key` when given (so a retried request finds
 * its execution), else from the canonical body (so an identical request does too). Step Functions then
 * refuses the same name with another input, which the API answers with 409.
 */
export function executionNameFor(
  request: ProvisioningRequest,
  idempotencyKey: string | undefined,
  hash: (text: string) => string,
): { name: string } | { violation: FieldViolation } {
  if (idempotencyKey !== undefined) {
    if (!IDEMPOTENCY_KEY.test(idempotencyKey)) {
      return {
        violation: {
          field: 'Idempotency-Key',
          message: 'expected 1 to 255 printable ASCII characters without spaces',
        },
      };
    }
    return { name: `key-${hash(`key:${idempotencyKey}`).slice(0, 40)}` };
  }
  return { name: `req-${hash(`body:${canonicalJson(request)}`).slice(0, 40)}` };
}
