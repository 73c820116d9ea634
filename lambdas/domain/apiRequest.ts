/**
 * Which execution a request maps to, whichever way it arrives: pure.
 */
import { canonicalJson } from '../canonicalJson';
import type { FieldViolation } from '../errors';
import type { ProvisioningRequest } from './request';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

/** An execution name, and whether a failed execution of it may make way for a new one (see `services/startProvisioning`). */
export interface ExecutionNaming {
  readonly name: string;
  /** `false` when the caller named the request: its execution answers for it, whatever became of it. */
  readonly restartAfterFailure: boolean;
}

/** Checks an idempotency key: 1 to 255 printable ASCII characters, no spaces. */
export function idempotencyKeyViolation(field: string, key: unknown): FieldViolation | undefined {
  return typeof key === 'string' && IDEMPOTENCY_KEY.test(key)
    ? undefined
    : { field, message: 'expected 1 to 255 printable ASCII characters without spaces' };
}

/**
 * The execution named by an idempotency key (an API `Idempotency-Key` or an event's `idempotencyKey`) of
 * one caller (see `domain/callers`): the same key from another caller names another execution, so nobody
 * can claim, join or read someone else's.
 */
export function keyedExecution(key: string, caller: string, hash: (text: string) => string): ExecutionNaming {
  return {
    name: `key-${hash(`key:${JSON.stringify([caller, key])}`).slice(0, 40)}`,
    restartAfterFailure: false,
  };
}

/** The execution of an EventBridge event without an idempotency key: the same event delivered twice is one execution. */
export function eventExecution(eventId: string, hash: (text: string) => string): ExecutionNaming {
  return { name: `evt-${hash(`event:${eventId}`).slice(0, 40)}`, restartAfterFailure: false };
}

/**
 * The execution name for an API request of `caller`: from its `Idempotency-Key` when given (so a retried
 * request finds its execution), else from the canonical body (so an identical request does too; after that
 * execution failed, the same body starts a new one). Both are the caller's own: another caller's same key
 * or body names another execution. Step Functions refuses the same name with another input, which the API
 * answers with 409.
 */
export function executionNameFor(
  request: ProvisioningRequest,
  idempotencyKey: string | undefined,
  caller: string,
  hash: (text: string) => string,
): ExecutionNaming | { violation: FieldViolation } {
  if (idempotencyKey !== undefined) {
    const violation = idempotencyKeyViolation('Idempotency-Key', idempotencyKey);
    return violation ? { violation } : keyedExecution(idempotencyKey, caller, hash);
  }
  return {
    name: `req-${hash(`body:${JSON.stringify(caller)}:${canonicalJson(request)}`).slice(0, 40)}`,
    restartAfterFailure: true,
  };
}
