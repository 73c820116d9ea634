/**
 * Execution names for each way a request arrives, and idempotency keys that are not strings. Each test here
 * once let a mutant of `lambdas/domain/apiRequest.ts` survive.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  eventExecution,
  executionNameFor,
  idempotencyKeyViolation,
  keyedExecution,
} from '../../lambdas/domain/apiRequest';
import type { ProvisioningRequest } from '../../lambdas/domain/request';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const request: ProvisioningRequest = {
  groupId: '5f0c1a2b3c4d5e6f7a8b9c0d',
  region: 'us-east-1',
  vpcId: 'vpc-0123456789abcdef0',
  subnetIds: ['subnet-0123456789abcdef0'],
  securityGroupIds: [],
  maxAttempts: 3,
  timeoutSeconds: 3600,
  connectionStringTimeoutSeconds: 1800,
  tags: {},
};

describe('idempotencyKeyViolation', () => {
  it.each([
    ['a number', 12345],
    ['an array of one key', ['order-42']],
    ['nothing', undefined],
  ])('refuses %s, naming the field', (_what, key) => {
    expect(idempotencyKeyViolation('idempotencyKey', key)).toStrictEqual({
      field: 'idempotencyKey',
      message: 'expected 1 to 255 printable ASCII characters without spaces',
    });
  });

  it('accepts 1 and 255 printable characters', () => {
    expect(idempotencyKeyViolation('idempotencyKey', '!')).toBeUndefined();
    expect(idempotencyKeyViolation('idempotencyKey', '~'.repeat(255))).toBeUndefined();
  });
});

const CALLER = 'arn:aws:iam::123456789012:role/platform-ci';

describe('execution names', () => {
  it('names an event without a key after the event id, and never restarts it after a failure', () => {
    expect(eventExecution('0d6a9e3c-1111-2222-3333-444455556666', sha256)).toStrictEqual({
      name: `evt-${sha256('event:0d6a9e3c-1111-2222-3333-444455556666').slice(0, 40)}`,
      restartAfterFailure: false,
    });
  });

  it('names a keyed request after its caller and the key, the same way from the API and from an event', () => {
    expect(keyedExecution('order-42', CALLER, sha256)).toStrictEqual({
      name: `key-${sha256(`key:${JSON.stringify([CALLER, 'order-42'])}`).slice(0, 40)}`,
      restartAfterFailure: false,
    });
  });

  it('gives a key and an event id of the same text different names', () => {
    expect(keyedExecution('x', CALLER, sha256).name.slice(4)).not.toBe(
      eventExecution('x', sha256).name.slice(4),
    );
  });

  it('lets a request named only by its body start again after its execution failed', () => {
    expect(executionNameFor(request, undefined, CALLER, sha256)).toMatchObject({ restartAfterFailure: true });
  });
});
