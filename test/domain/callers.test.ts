import { describe, expect, it } from 'vitest';
import {
  apiCaller,
  eventCaller,
  mayRead,
  readerArnProblem,
  readerPrincipal,
  requestedByOf,
  requestedByTagValue,
} from '../../lambdas/domain/callers';

const TEAM_A = 'arn:aws:sts::123456789012:assumed-role/TeamA';
const TEAM_B = 'arn:aws:sts::123456789012:assumed-role/TeamB';

describe('apiCaller', () => {
  it('records an assumed role without its session: every session of a role is one caller', () => {
    expect(apiCaller('arn:aws:sts::123456789012:assumed-role/TeamA/ci-run-1')).toBe(TEAM_A);
    expect(apiCaller('arn:aws:sts::123456789012:assumed-role/TeamA/alice@example.com')).toBe(TEAM_A);
  });

  it('records an IAM user, a federated user and another partition as they are', () => {
    for (const arn of [
      'arn:aws:iam::123456789012:user/ops/alice',
      'arn:aws:sts::123456789012:federated-user/bob',
      'arn:aws-cn:sts::123456789012:assumed-role/TeamA',
    ]) {
      expect(apiCaller(arn)).toBe(arn);
    }
  });

  it.each([
    ['nothing', undefined],
    ['null (an unsigned request)', null],
    ['not an ARN', 'alice'],
    ['an ARN of another service', 'arn:aws:s3:::bucket'],
    ['longer than IAM allows', `arn:aws:iam::123456789012:user/${'a'.repeat(2048)}`],
  ])('finds no caller in %s', (_what, userArn) => {
    expect(apiCaller(userArn)).toBeUndefined();
  });
});

describe('eventCaller', () => {
  it('names the event’s account and source', () => {
    expect(eventCaller('123456789012', 'my.app')).toBe('eventbridge:123456789012:my.app');
  });
});

describe('mayRead', () => {
  it('lets a caller read its own provisioning and nobody else’s', () => {
    expect(mayRead({ requestedBy: TEAM_A }, TEAM_A, [])).toBe(true);
    expect(mayRead({ requestedBy: TEAM_A }, TEAM_B, [])).toBe(false);
  });

  it('gives an execution started on the state machine itself or by an event to readers only', () => {
    for (const input of [
      { groupId: 'x' },
      { requestedBy: 'eventbridge:123456789012:my.app' },
      'text',
      null,
    ]) {
      expect(mayRead(input, TEAM_A, [])).toBe(false);
      expect(mayRead(input, TEAM_A, [TEAM_A])).toBe(true);
    }
  });

  it('lets a reader named by its role ARN, whatever its path, read what anyone started', () => {
    const readers = ['arn:aws:iam::123456789012:role/audit/TeamA'];

    expect(mayRead({ requestedBy: TEAM_B }, TEAM_A, readers)).toBe(true);
    expect(mayRead({ requestedBy: TEAM_A }, TEAM_B, readers)).toBe(false);
  });

  it('does not take a record that is not a string for a caller', () => {
    expect(requestedByOf({ requestedBy: [TEAM_A] })).toBeUndefined();
    expect(mayRead({ requestedBy: [TEAM_A] }, TEAM_A, [])).toBe(false);
  });
});

describe('readerPrincipal and readerArnProblem', () => {
  it('reads a role ARN as its callers are recorded, and a user ARN as it is', () => {
    expect(readerPrincipal('arn:aws:iam::123456789012:role/TeamA')).toBe(TEAM_A);
    expect(readerPrincipal('arn:aws:iam::123456789012:user/alice')).toBe(
      'arn:aws:iam::123456789012:user/alice',
    );
  });

  it('accepts roles, users, assumed roles and the account root, and names what it expected otherwise', () => {
    for (const arn of [
      'arn:aws:iam::123456789012:role/a/b/Reader',
      'arn:aws:iam::123456789012:user/alice',
      TEAM_A,
      'arn:aws:iam::123456789012:root',
    ]) {
      expect(readerArnProblem(arn)).toBeUndefined();
    }
    expect(readerArnProblem('arn:aws:iam::123456789012:group/admins')).toMatch(
      /expected an IAM role or user ARN/,
    );
    expect(readerArnProblem('*')).toMatch(/got "\*"/);
  });
});

describe('requestedByTagValue', () => {
  it('keeps an ARN as it is', () => {
    expect(requestedByTagValue(TEAM_A)).toBe(TEAM_A);
  });

  it('replaces characters outside AWS’s common tag set and cuts to 256 characters', () => {
    const value = requestedByTagValue(`eventbridge:123456789012:${'my,app*'.repeat(60)}`);

    expect(value).toHaveLength(256);
    expect(value).toMatch(/^eventbridge:123456789012:my_app_my_app_/);
  });
});
