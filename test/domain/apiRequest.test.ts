import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../lambdas/canonicalJson';
import { executionNameFor, keyedExecution } from '../../lambdas/domain/apiRequest';
import { parseProvisioningRequest } from '../../lambdas/domain/request';

const ALICE = 'arn:aws:sts::123456789012:assumed-role/TeamA';
const BOB = 'arn:aws:sts::123456789012:assumed-role/TeamB';
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const request = parseProvisioningRequest({
  groupId: '5f0c1a2b3c4d5e6f7a8b9c0d',
  region: 'us-east-1',
  vpcId: 'vpc-0123456789abcdef0',
  subnetIds: ['subnet-0123456789abcdef0'],
  tags: { b: '2', a: '1' },
});

describe('canonicalJson', () => {
  it('renders two objects that differ only in key order identically, at every depth', () => {
    const a = { z: 1, a: { y: [1, { q: true, p: null }], b: 'x' } };
    const b = { a: { b: 'x', y: [1, { p: null, q: true }] }, z: 1 };

    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(canonicalJson(a)).toBe('{"a":{"b":"x","y":[1,{"p":null,"q":true}]},"z":1}');
  });

  it('keeps the order of arrays', () => {
    expect(canonicalJson([2, 1])).not.toBe(canonicalJson([1, 2]));
  });

  it('leaves out undefined fields, as JSON.stringify does', () => {
    expect(canonicalJson({ a: 1, b: undefined })).toBe('{"a":1}');
  });
});

describe('executionNameFor', () => {
  it('names the execution after the Idempotency-Key, whatever the body', () => {
    const other = { ...request, maxAttempts: 7 };

    const first = executionNameFor(request, 'order-42', ALICE, sha256);
    const second = executionNameFor(other, 'order-42', ALICE, sha256);

    expect(first).toStrictEqual(second);
    expect(first).toStrictEqual({
      name: `key-${sha256(`key:${JSON.stringify([ALICE, 'order-42'])}`).slice(0, 40)}`,
      restartAfterFailure: false,
    });
  });

  it('names the execution after the canonical body without a key, so key order does not matter', () => {
    const reordered = JSON.parse(JSON.stringify(Object.fromEntries(Object.entries(request).reverse())));

    const first = executionNameFor(request, undefined, ALICE, sha256);
    const second = executionNameFor(reordered, undefined, ALICE, sha256);

    expect(first).toStrictEqual(second);
    expect('name' in first && first.name).toMatch(/^req-[0-9a-f]{40}$/);
  });

  it('gives different bodies different names', () => {
    expect(executionNameFor(request, undefined, ALICE, sha256)).not.toStrictEqual(
      executionNameFor({ ...request, maxAttempts: 9 }, undefined, ALICE, sha256),
    );
  });

  it('gives another caller’s same Idempotency-Key another execution', () => {
    const alices = executionNameFor(request, 'order-42', ALICE, sha256);
    const bobs = executionNameFor(request, 'order-42', BOB, sha256);

    expect('name' in bobs && bobs.name).toMatch(/^key-[0-9a-f]{40}$/);
    expect(bobs).not.toStrictEqual(alices);
  });

  it('gives another caller’s same body without a key another execution', () => {
    expect(executionNameFor(request, undefined, BOB, sha256)).not.toStrictEqual(
      executionNameFor(request, undefined, ALICE, sha256),
    );
  });

  it('keeps a caller and key apart however their characters could be split', () => {
    // "a" + ":b" and "a:" + "b" must not collide: the pair is hashed as a JSON array.
    expect(keyedExecution(':b', 'a', sha256)).not.toStrictEqual(keyedExecution('b', 'a:', sha256));
  });

  it('gives a valid Step Functions execution name (at most 80 characters)', () => {
    const named = executionNameFor(request, 'k'.repeat(255), ALICE, sha256);

    expect('name' in named && named.name.length).toBeLessThanOrEqual(80);
  });

  it.each([
    ['empty', ''],
    ['with a space', 'order 42'],
    ['with a non-ASCII character', 'commande-é'],
    ['longer than 255 characters', 'k'.repeat(256)],
  ])('refuses an Idempotency-Key that is %s, naming the header', (_what, key) => {
    expect(executionNameFor(request, key, ALICE, sha256)).toStrictEqual({
      violation: {
        field: 'Idempotency-Key',
        message: 'expected 1 to 255 printable ASCII characters without spaces',
      },
    });
  });
});
