/**
 * The API's decisions: which execution name a request maps to, and how problems are answered. Pure.
 */
import type { FieldViolation } from '../errors';
import type { ProvisioningRequest } from './request';

/** JSON with keys sorted at every level: two bodies that differ only in key order hash the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

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
