import { describe, expect, it } from 'vitest';
import { initialPollState, type PollState, ServiceNext, Verdict } from '../../lambdas/domain/decisions';
import type { ProvisioningRequest } from '../../lambdas/domain/request';
import { type AttemptState, readableCause, recordEndedAttempt } from '../../lambdas/domain/workflowState';

const GROUP = '5f0c1a2b3c4d5e6f7a8b9c0d';
const SERVICE_ID = '6a0b1c2d3e4f5a6b7c8d9e0f';
const SERVICE_NAME = 'com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0';
const VPCE = 'vpce-0123456789abcdef0';
const STARTED = '2026-03-01T10:00:00.000Z';
const NOW = Date.parse('2026-03-01T10:04:10.400Z');

const request: ProvisioningRequest = {
  groupId: GROUP,
  region: 'us-east-1',
  vpcId: 'vpc-0123456789abcdef0',
  subnetIds: ['subnet-0123456789abcdef0'],
  securityGroupIds: [],
  maxAttempts: 2,
  timeoutSeconds: 3600,
  connectionStringTimeoutSeconds: 1800,
  tags: {},
};
const service = {
  endpointServiceId: SERVICE_ID,
  region: 'us-east-1',
  endpointServiceName: SERVICE_NAME,
  status: 'AVAILABLE',
  next: ServiceNext.READY,
  checks: 2,
  waitSeconds: 0,
};

function attemptEndedWith(poll: Partial<PollState>, number = 1): AttemptState {
  return {
    number,
    vpcEndpointId: VPCE,
    clientToken: 'req-42-a1-abcdef012345',
    startedAt: '2026-03-01T10:01:00.000Z',
    poll: { ...initialPollState(() => 0), ...poll },
  };
}

describe('recordEndedAttempt', () => {
  it('records a successful attempt, builds the output and leaves no attempt to make', () => {
    // Prepare
    const attempt = attemptEndedWith({
      verdict: Verdict.AVAILABLE,
      outcome: 'AVAILABLE',
      connectionStatus: 'AVAILABLE',
    });

    // Act
    const recorded = recordEndedAttempt({
      executionName: 'req-42',
      request,
      service,
      attempt,
      history: { attempts: [], attemptsLeft: true },
      executionStartedAt: STARTED,
      now: NOW,
    });

    // Assess
    const attemptRecord = {
      attempt: 1,
      vpcEndpointId: VPCE,
      outcome: 'AVAILABLE',
      connectionStatus: 'AVAILABLE',
      errorMessage: null,
      startedAt: '2026-03-01T10:01:00.000Z',
      endedAt: '2026-03-01T10:04:10.400Z',
    };
    expect(recorded.attemptsLeft).toBe(false);
    expect(recorded.last).toStrictEqual({
      executionName: 'req-42',
      groupId: GROUP,
      endpointServiceId: SERVICE_ID,
      attempt: attemptRecord,
      maxAttempts: 2,
      willRetry: false,
    });
    expect(recorded.result).toStrictEqual({
      status: 'AVAILABLE',
      executionName: 'req-42',
      groupId: GROUP,
      endpointServiceId: SERVICE_ID,
      endpointServiceName: SERVICE_NAME,
      vpcEndpointId: VPCE,
      attempts: [attemptRecord],
      durationSeconds: 250,
      // Check security groups has not run yet: the result says so until it does.
      securityGroupCheck: { ok: null, detail: 'the security groups were not checked', securityGroupIds: [] },
    });
  });

  it('records a failed attempt with its errorMessage and says it will retry while attempts are left', () => {
    const attempt = attemptEndedWith({
      verdict: Verdict.REMEDIATE,
      outcome: 'ERROR_MESSAGE',
      connectionStatus: 'PENDING',
      errorMessage: 'idempotent operation going on',
    });

    const recorded = recordEndedAttempt({
      executionName: 'req-42',
      request,
      service,
      attempt,
      history: { attempts: [], attemptsLeft: true },
      executionStartedAt: STARTED,
      now: NOW,
    });

    expect(recorded.result).toBeUndefined();
    expect(recorded.attemptsLeft).toBe(true);
    expect(recorded.last.willRetry).toBe(true);
    expect(recorded.last.attempt).toMatchObject({
      outcome: 'ERROR_MESSAGE',
      errorMessage: 'idempotent operation going on',
    });
    expect(recorded.summary).toContain('ERROR_MESSAGE: idempotent operation going on');
  });

  it('says no retry after the last allowed attempt, with a summary of every attempt', () => {
    const first = recordEndedAttempt({
      executionName: 'req-42',
      request,
      service,
      attempt: attemptEndedWith({
        verdict: Verdict.REMEDIATE,
        outcome: 'REJECTED',
        connectionStatus: 'REJECTED',
      }),
      history: { attempts: [], attemptsLeft: true },
      executionStartedAt: STARTED,
      now: NOW,
    });

    const second = recordEndedAttempt({
      executionName: 'req-42',
      request,
      service,
      attempt: attemptEndedWith({ verdict: Verdict.REMEDIATE, outcome: 'EC2_FAILED' }, 2),
      history: first,
      executionStartedAt: STARTED,
      now: NOW,
    });

    expect(second.attempts.map((a) => a.attempt)).toStrictEqual([1, 2]);
    expect(second.attemptsLeft).toBe(false);
    expect(second.last.willRetry).toBe(false);
    expect(second.summary).toMatch(
      /^gave up after 2 attempts: attempt 1 .* REJECTED.*; attempt 2 .* EC2_FAILED/,
    );
  });
});

describe('readableCause', () => {
  it("keeps only the errorMessage of a Lambda's JSON Cause, never its trace", () => {
    const cause = JSON.stringify({
      errorType: 'AtlasAuthError',
      errorMessage: 'Atlas answered 401: You are not authorized for this resource.',
      trace: ['AtlasAuthError: Atlas answered 401', '    at AtlasClient.#send (/var/task/index.js:1:2)'],
    });

    const readable = readableCause({ Error: 'AtlasAuthError', Cause: cause });

    expect(readable).toStrictEqual({
      error: 'AtlasAuthError',
      cause: 'Atlas answered 401: You are not authorized for this resource.',
    });
  });

  it('keeps a Cause that is not JSON as it is', () => {
    const readable = readableCause({ Error: 'AttemptsExhaustedError', Cause: 'gave up after 3 attempts: …' });

    expect(readable).toStrictEqual({ error: 'AttemptsExhaustedError', cause: 'gave up after 3 attempts: …' });
  });

  it('keeps a JSON Cause without an errorMessage as it is', () => {
    const readable = readableCause({ Error: 'States.Timeout', Cause: '{"detail":"x"}' });

    expect(readable.cause).toBe('{"detail":"x"}');
  });

  it('says States.Runtime and that no cause was given when the failure is missing', () => {
    expect(readableCause(undefined)).toStrictEqual({
      error: 'States.Runtime',
      cause: 'States.Runtime (no cause given)',
    });
    expect(readableCause({ Error: 'States.TaskFailed' }).cause).toBe('States.TaskFailed (no cause given)');
  });
});
