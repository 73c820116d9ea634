/**
 * The edges of naming callers: ARNs anchored at both ends, the longest caller, an event without account or
 * source, the exact refusal of a reader ARN, and an execution input that is not a record. Each test here once
 * let a mutant of `lambdas/domain/callers.ts` survive.
 */
import { describe, expect, it } from 'vitest';
import {
  apiCaller,
  eventCaller,
  MAX_REQUESTED_BY_CHARS,
  mayRead,
  readerArnProblem,
  readerPrincipal,
  requestedByOf,
} from '../../lambdas/domain/callers';

const ACCOUNT = '123456789012';

describe('apiCaller at its edges', () => {
  it('takes a principal ARN of exactly the longest length, and refuses one a character longer', () => {
    const prefix = `arn:aws:iam::${ACCOUNT}:user/`;
    const longest = prefix + 'u'.repeat(MAX_REQUESTED_BY_CHARS - prefix.length);
    expect(apiCaller(longest)).toBe(longest);
    expect(apiCaller(`${longest}u`)).toBeUndefined();
  });

  it('refuses text around a principal ARN (the form is anchored at both ends)', () => {
    expect(apiCaller(`x arn:aws:iam::${ACCOUNT}:user/alice`)).toBeUndefined();
    expect(apiCaller(`arn:aws:iam::${ACCOUNT}:user/alice bob`)).toBeUndefined();
  });

  it('drops the session only of an assumed-role ARN that starts the text', () => {
    const inPath = `arn:aws:iam::${ACCOUNT}:user/arn:aws:sts::${ACCOUNT}:assumed-role/Deployer/s1`;
    expect(apiCaller(inPath)).toBe(inPath);
  });
});

describe('eventCaller at its edges', () => {
  it('names an event without account or source with empty parts, never "undefined"', () => {
    expect(eventCaller(undefined, undefined)).toBe('eventbridge::');
  });

  it('cuts a caller to the longest an input may hold', () => {
    const caller = eventCaller(ACCOUNT, 's'.repeat(3000));
    expect(caller).toHaveLength(MAX_REQUESTED_BY_CHARS);
    expect(caller.startsWith(`eventbridge:${ACCOUNT}:sss`)).toBe(true);
  });
});

describe('readerPrincipal and readerArnProblem at their edges', () => {
  it('reads a role ARN only when it is the whole text', () => {
    const notARole = `x arn:aws:iam::${ACCOUNT}:role/Auditor`;
    expect(readerPrincipal(notARole)).toBe(notARole);
    const trailing = `arn:aws:iam::${ACCOUNT}:role/Auditor/`;
    expect(readerPrincipal(trailing)).toBe(trailing);
  });

  it('refuses a reader ARN with text before or after it, quoting at most 200 characters of it', () => {
    expect(readerArnProblem(`x arn:aws:iam::${ACCOUNT}:role/Auditor`)).toMatch(/^expected an IAM role/);
    expect(readerArnProblem(`arn:aws:iam::${ACCOUNT}:root x`)).toMatch(/^expected an IAM role/);
    const long = `arn:aws:iam::${ACCOUNT}:role/${'r'.repeat(300)} `;
    expect(readerArnProblem(long)).toBe(
      `expected an IAM role or user ARN (arn:aws:iam::<account>:role/<name>), an assumed role (arn:aws:sts::<account>:assumed-role/<name>) or an account root, got ${JSON.stringify(long.slice(0, 200))}`,
    );
  });
});

describe('requestedByOf and mayRead with inputs that are not records', () => {
  it('reads no caller from an array, even one carrying a requestedBy property', () => {
    const input = Object.assign([], { requestedBy: `arn:aws:iam::${ACCOUNT}:user/alice` });
    expect(requestedByOf(input)).toBeUndefined();
    expect(mayRead(input, `arn:aws:iam::${ACCOUNT}:user/alice`, [])).toBe(false);
  });

  it('gives a provisioning whose input records no caller to nobody but readers, even a caller with no name', () => {
    expect(mayRead({}, '', [])).toBe(false);
    expect(mayRead({ requestedBy: 'someone-else' }, 'me', [])).toBe(false);
  });
});
