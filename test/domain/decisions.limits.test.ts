/**
 * The edges of the workflow's decisions: the exact deadline, the one-hour slow-down measured from the execution's
 * start, EC2 `deleting`, the visibility window of a registration, and the polls that read or put off Atlas before
 * it was ever read. Each test here once let a mutant of `lambdas/domain/decisions.ts` survive.
 */
import { describe, expect, it } from 'vitest';
import {
  AttemptOutcome,
  atlasReadMayWait,
  type ConnectionObservation,
  clientTokenFor,
  decideEndpointService,
  initialPollState,
  judgeConnection,
  nextPollState,
  PollSchedule,
  type PollState,
  ServiceNext,
  shouldReadAtlas,
  Verdict,
} from '../../lambdas/domain/decisions';
import { ProvisioningTimeoutError } from '../../lambdas/errors';

const SERVICE_ID = '6a0b1c2d3e4f5a6b7c8d9e0f';
const T0 = Date.UTC(2026, 2, 1, 10, 0, 0);
const HOUR = 3_600_000;
const noJitter = () => 0;

const observe = (status: string, endpointServiceName: string | null = null) => ({
  endpointServiceId: SERVICE_ID,
  region: 'us-east-1',
  status,
  endpointServiceName,
  errorMessage: null,
});

/** A poll state past its initial waits, with Atlas last read at T0 while EC2 was pendingAcceptance. */
const polled = (overrides: Partial<PollState> = {}): PollState => ({
  ...initialPollState(noJitter),
  checks: 5,
  ec2State: 'pendingAcceptance',
  connectionStatus: 'PENDING_ACCEPTANCE',
  atlasReadAt: T0,
  checkedAt: T0,
  ...overrides,
});

const pendingBoth: ConnectionObservation = {
  ec2State: 'pendingAcceptance',
  atlas: { found: true, connectionStatus: 'PENDING_ACCEPTANCE', errorMessage: null },
};

describe('decideEndpointService at the deadline', () => {
  it('still waits when the next check falls exactly on the deadline', () => {
    // The third check waits 20 s.
    const state = decideEndpointService(observe('INITIATING'), 2, T0, T0 + 20_000);

    expect(state).toMatchObject({ next: ServiceNext.WAIT, waitSeconds: 20, checks: 3 });
  });

  it('gives up a millisecond before, saying the service did not become AVAILABLE in time', () => {
    const act = () => decideEndpointService(observe('INITIATING'), 2, T0, T0 + 19_999);

    expect(act).toThrow(ProvisioningTimeoutError);
    expect(act).toThrow(
      `Atlas endpoint service ${SERVICE_ID} was still INITIATING after 3 checks; ` +
        'it did not become AVAILABLE within the request timeout',
    );
  });

  it('blames the status, not the remote region, when a cross-region service is not up yet', () => {
    const act = () =>
      decideEndpointService(
        { ...observe('INITIATING'), remoteRegion: { region: 'eu-west-1', listed: false, added: false } },
        2,
        T0,
        T0 + 19_999,
      );

    expect(act).toThrow(/was still INITIATING after 3 checks/);
    expect(act).not.toThrow(/remote region/);
  });
});

describe('judgeConnection at the edges', () => {
  it('remediates an endpoint EC2 reports deleting, as gone', () => {
    const judgement = judgeConnection({
      ec2State: 'deleting',
      atlas: { found: true, connectionStatus: 'PENDING', errorMessage: null },
    });

    expect(judgement).toStrictEqual({
      verdict: Verdict.REMEDIATE,
      outcome: AttemptOutcome.ENDPOINT_GONE,
      reason: 'EC2 reports the VPC endpoint deleting',
    });
  });

  it('judges a young endpoint that both sides already show on what they say, not as "not visible yet"', () => {
    const young = { sinceCreated: 5, sinceRegistered: 5 };

    expect(
      judgeConnection({
        ec2State: 'available',
        ageSeconds: young,
        atlas: { found: true, connectionStatus: 'AVAILABLE', errorMessage: null },
      }).verdict,
    ).toBe(Verdict.AVAILABLE);
    expect(
      judgeConnection({
        ec2State: 'rejected',
        ageSeconds: young,
        atlas: { found: true, connectionStatus: 'PENDING', errorMessage: null },
      }).outcome,
    ).toBe(AttemptOutcome.EC2_REJECTED);
  });

  it('says which side does not show a young endpoint yet', () => {
    const young = { sinceCreated: 5, sinceRegistered: 5 };

    expect(
      judgeConnection({ ec2State: 'pendingAcceptance', ageSeconds: young, atlas: { found: false } }),
    ).toStrictEqual({ verdict: Verdict.PENDING, reason: 'Atlas does not show the registration yet' });
    expect(judgeConnection({ ec2State: 'missing', ageSeconds: young })).toStrictEqual({
      verdict: Verdict.PENDING,
      reason: 'EC2 does not show the VPC endpoint yet',
    });
  });

  it('reads a registration Atlas does not show, exactly the visibility window old, as gone', () => {
    const at = PollSchedule.visibilityWindowSeconds;

    expect(
      judgeConnection({
        ec2State: 'pendingAcceptance',
        ageSeconds: { sinceCreated: at + 10, sinceRegistered: at },
        atlas: { found: false },
      }),
    ).toStrictEqual({
      verdict: Verdict.REMEDIATE,
      outcome: AttemptOutcome.ENDPOINT_GONE,
      reason: 'Atlas no longer knows the endpoint',
    });
  });
});

describe('shouldReadAtlas and atlasReadMayWait before Atlas was ever read', () => {
  // Whatever the clock says: even a `now` within the read interval of the epoch must not read as "read at 0".
  const nows = [0, 1_000, T0];

  it('reads Atlas when it never did, even if EC2 was already seen pending', () => {
    for (const now of nows) {
      expect(shouldReadAtlas(polled({ atlasReadAt: null }), 'pendingAcceptance', now)).toBe(true);
    }
  });

  it('reads Atlas when EC2 was never seen, even if Atlas was read a moment ago', () => {
    expect(shouldReadAtlas(polled({ ec2State: null }), 'pendingAcceptance', T0 + 1_000)).toBe(true);
  });

  it('never lets a read wait when Atlas was never read, or EC2 never seen', () => {
    expect(atlasReadMayWait(polled({ atlasReadAt: null }), 'pendingAcceptance')).toBe(false);
    expect(atlasReadMayWait(polled({ ec2State: null }), 'pendingAcceptance')).toBe(false);
  });

  it('never lets a read wait while EC2 stays settled (available stays available)', () => {
    expect(atlasReadMayWait(polled({ ec2State: 'available' }), 'available')).toBe(false);
  });
});

describe('nextPollState: the one-hour slow-down counts from the execution start', () => {
  const late = PollSchedule.slowDownAfterSeconds * 1000;

  it('keeps the steady wait ten minutes into the execution', () => {
    const now = T0 + 600_000;

    const state = nextPollState(polled(), pendingBoth, now, now + HOUR, noJitter, T0);

    expect(state.waitSeconds).toBe(PollSchedule.steadyWaitSeconds);
  });

  it('keeps the steady wait a second before the hour, and slows down at the hour exactly', () => {
    const before = nextPollState(polled(), pendingBoth, T0 + late - 1_000, T0 + 2 * HOUR, noJitter, T0);
    const at = nextPollState(polled(), pendingBoth, T0 + late, T0 + 2 * HOUR, noJitter, T0);

    expect(before.waitSeconds).toBe(PollSchedule.steadyWaitSeconds);
    expect(at.waitSeconds).toBe(PollSchedule.lateWaitSeconds);
  });

  it('measures from the execution start, not from the attempt: a new attempt after an hour polls slowly', () => {
    const now = T0 + late + 60_000;
    const fresh = { ...polled(), checks: PollSchedule.initialWaitsSeconds.length };

    expect(nextPollState(fresh, pendingBoth, now, now + HOUR, noJitter, T0).waitSeconds).toBe(
      PollSchedule.lateWaitSeconds,
    );
    // Without a start, the execution is taken to have just begun.
    expect(nextPollState(fresh, pendingBoth, now, now + HOUR, noJitter).waitSeconds).toBe(
      PollSchedule.steadyWaitSeconds,
    );
  });
});

describe('nextPollState at the deadline', () => {
  it('schedules a check that falls exactly on the deadline', () => {
    const now = T0 + 10_000;

    const state = nextPollState(
      polled(),
      pendingBoth,
      now,
      now + PollSchedule.steadyWaitSeconds * 1000,
      noJitter,
    );

    expect(state).toMatchObject({ verdict: Verdict.PENDING, waitSeconds: PollSchedule.steadyWaitSeconds });
  });

  it('gives up when it would fall a millisecond past, saying why it was still pending', () => {
    const now = T0 + 10_000;
    const deadline = now + PollSchedule.steadyWaitSeconds * 1000 - 1;

    const act = () => nextPollState(polled(), pendingBoth, now, deadline, noJitter);

    expect(act).toThrow(ProvisioningTimeoutError);
    expect(act).toThrow(
      'the endpoint was still pending after 6 checks (Atlas PENDING_ACCEPTANCE, EC2 pendingacceptance); ' +
        'it did not become AVAILABLE within the request timeout',
    );
  });
});

describe('clientTokenFor with characters EC2 does not take', () => {
  const zeros = () => '0'.repeat(64);

  it('writes each as an underscore, keeping the rest of the name in place', () => {
    expect(clientTokenFor('stack-a', 'order 42\té', 1, zeros)).toBe('order_42__-a1-000000000000');
  });
});
