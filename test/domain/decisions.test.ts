import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConnectionStatus, EndpointServiceStatus } from '../../lambdas/atlas/types';
import {
  AttemptOutcome,
  type AttemptRecord,
  atlasReadMayWait,
  type ConnectionObservation,
  clientTokenFor,
  decideEndpointService,
  describeExhaustedAttempts,
  initialPollState,
  judgeConnection,
  nextPollState,
  PollSchedule,
  type PollState,
  recordAttempt,
  registeredPollState,
  ServiceNext,
  shouldReadAtlas,
  Verdict,
  waitBeforeCheck,
} from '../../lambdas/domain/decisions';
import { EndpointServiceFailedError, ProvisioningTimeoutError } from '../../lambdas/errors';

const SERVICE_ID = '6a0b1c2d3e4f5a6b7c8d9e0f';
const SERVICE_NAME = 'com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0';
const T0 = Date.UTC(2026, 2, 1, 10, 0, 0);
const HOUR = 3_600_000;
const random = () => 0.5;

// ---------------------------------------------------------------------------------------------------
// judgeConnection: the whole matrix

/** EC2 states as the wire sends them, plus `missing` (EC2 no longer knows the endpoint). */
const EC2_STATES = [
  'pendingAcceptance',
  'pending',
  'available',
  'rejected',
  'failed',
  'deleted',
  'missing',
] as const;
const ERROR_MESSAGES = [
  null,
  'Failed to accept interface endpoint: an idempotent operation is going on',
] as const;

interface Expected {
  readonly verdict: Verdict;
  readonly outcome?: AttemptOutcome;
}

/** The rules, as the issue states them, in the order they take precedence. */
function expectedJudgement(status: string, errorMessage: string | null, ec2: string): Expected {
  if (errorMessage) return { verdict: Verdict.REMEDIATE, outcome: 'ERROR_MESSAGE' };
  if (status === 'REJECTED') return { verdict: Verdict.REMEDIATE, outcome: 'REJECTED' };
  if (status === 'DELETING') return { verdict: Verdict.REMEDIATE, outcome: 'ENDPOINT_GONE' };
  if (ec2 === 'rejected') return { verdict: Verdict.REMEDIATE, outcome: 'EC2_REJECTED' };
  if (ec2 === 'failed') return { verdict: Verdict.REMEDIATE, outcome: 'EC2_FAILED' };
  if (ec2 === 'deleted' || ec2 === 'missing') return { verdict: Verdict.REMEDIATE, outcome: 'ENDPOINT_GONE' };
  if (status === 'AVAILABLE' && ec2 === 'available')
    return { verdict: Verdict.AVAILABLE, outcome: 'AVAILABLE' };
  return { verdict: Verdict.PENDING };
}

const matrix = Object.values(ConnectionStatus).flatMap((connectionStatus) =>
  ERROR_MESSAGES.flatMap((errorMessage) =>
    EC2_STATES.map((ec2State) => ({
      connectionStatus,
      errorMessage,
      ec2State,
      expected: expectedJudgement(connectionStatus, errorMessage, ec2State.toLowerCase()),
    })),
  ),
);

describe('judgeConnection decides on fields, never on the words of errorMessage', () => {
  // Atlas changed the wording of its AWS rejection message in 2026; whatever it says, only its presence counts.
  it('remediates with ERROR_MESSAGE for any non-empty errorMessage, whatever the status and the words', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...Object.values(ConnectionStatus)),
        fc.string({ minLength: 1 }),
        fc.constantFrom('pendingAcceptance', 'pending', 'available'),
        (connectionStatus, errorMessage, ec2State) => {
          const judgement = judgeConnection({
            ec2State,
            atlas: { found: true, connectionStatus, errorMessage },
          });
          expect(judgement).toMatchObject({
            verdict: Verdict.REMEDIATE,
            outcome: AttemptOutcome.ERROR_MESSAGE,
          });
        },
      ),
    );
  });

  it.each([
    'Failed to accept interface endpoint vpce-0123456789abcdef0',
    'The interface endpoint connection request was rejected by the service provider',
    'AVAILABLE',
    'no error',
  ])('reads the status alone when errorMessage is null, and the same way for %j', (words) => {
    const withWords = judgeConnection({
      ec2State: 'available',
      atlas: { found: true, connectionStatus: 'REJECTED', errorMessage: words },
    });
    const without = judgeConnection({
      ec2State: 'available',
      atlas: { found: true, connectionStatus: 'REJECTED', errorMessage: null },
    });

    expect(withWords.verdict).toBe(Verdict.REMEDIATE);
    expect(without).toMatchObject({ verdict: Verdict.REMEDIATE, outcome: AttemptOutcome.REJECTED });
  });
});

describe('judgeConnection and eventual consistency', () => {
  const young = { sinceCreated: 10, sinceRegistered: 5 };
  const old = { sinceCreated: 120, sinceRegistered: 110 };

  it('reads an endpoint EC2 does not show yet, within a minute of its creation, as pending', () => {
    expect(judgeConnection({ ec2State: 'missing', ageSeconds: young }).verdict).toBe(Verdict.PENDING);
  });

  it('reads a registration Atlas does not show yet, within a minute of it, as pending', () => {
    expect(
      judgeConnection({ ec2State: 'pendingAcceptance', ageSeconds: young, atlas: { found: false } }).verdict,
    ).toBe(Verdict.PENDING);
  });

  it('reads either as gone once the minute has passed', () => {
    expect(judgeConnection({ ec2State: 'missing', ageSeconds: old })).toMatchObject({
      verdict: Verdict.REMEDIATE,
      outcome: AttemptOutcome.ENDPOINT_GONE,
    });
    expect(
      judgeConnection({ ec2State: 'pendingAcceptance', ageSeconds: old, atlas: { found: false } }),
    ).toMatchObject({ verdict: Verdict.REMEDIATE, outcome: AttemptOutcome.ENDPOINT_GONE });
  });

  it('draws the line at exactly the visibility window', () => {
    const at = PollSchedule.visibilityWindowSeconds;
    const just = { sinceCreated: at - 0.001, sinceRegistered: at - 0.001 };
    const past = { sinceCreated: at, sinceRegistered: at };
    expect(judgeConnection({ ec2State: 'missing', ageSeconds: just }).verdict).toBe(Verdict.PENDING);
    expect(judgeConnection({ ec2State: 'missing', ageSeconds: past }).verdict).toBe(Verdict.REMEDIATE);
  });

  it('reads Atlas again on the next check after a registration it did not find', () => {
    const notFound = nextPollState(
      initialPollState(() => 0),
      { ec2State: 'pendingAcceptance', ageSeconds: young, atlas: { found: false } },
      T0,
      T0 + HOUR,
      () => 0,
    );

    expect(notFound.connectionStatus).toBe('NOT_FOUND');
    expect(shouldReadAtlas(notFound, 'pendingAcceptance', T0 + 5_000)).toBe(true);
  });
});

describe('judgeConnection', () => {
  it('is tested on every connectionStatus × errorMessage × EC2 state', () => {
    expect(matrix).toHaveLength(Object.values(ConnectionStatus).length * 2 * EC2_STATES.length);
  });

  it.each(matrix)(
    'Atlas $connectionStatus with errorMessage $errorMessage, EC2 $ec2State → $expected.verdict $expected.outcome',
    ({ connectionStatus, errorMessage, ec2State, expected }) => {
      // Act
      const judgement = judgeConnection({ ec2State, atlas: { found: true, connectionStatus, errorMessage } });

      // Assess
      expect(judgement.verdict).toBe(expected.verdict);
      expect(judgement.outcome).toBe(expected.outcome);
      expect(judgement.reason).not.toBe('');
    },
  );

  it.each(Object.values(ConnectionStatus))(
    'remediates an errorMessage while Atlas says %s, quoting it in the reason',
    (connectionStatus) => {
      const judgement = judgeConnection({
        ec2State: 'available',
        atlas: { found: true, connectionStatus, errorMessage: 'Cannot modify VPC Endpoint at this time' },
      });

      expect(judgement).toMatchObject({ verdict: Verdict.REMEDIATE, outcome: 'ERROR_MESSAGE' });
      expect(judgement.reason).toContain('Cannot modify VPC Endpoint at this time');
      expect(judgement.reason).toContain(connectionStatus);
    },
  );

  it('treats an empty errorMessage as no error', () => {
    const judgement = judgeConnection({
      ec2State: 'available',
      atlas: { found: true, connectionStatus: 'AVAILABLE', errorMessage: '' },
    });

    expect(judgement.verdict).toBe(Verdict.AVAILABLE);
  });

  it.each(
    Object.values(ConnectionStatus).flatMap((s) =>
      EC2_STATES.map((e) => [s, e] as const).filter(([s, e]) => s === 'AVAILABLE' || e === 'available'),
    ),
  )('says AVAILABLE only when both Atlas and EC2 do (Atlas %s, EC2 %s)', (connectionStatus, ec2State) => {
    const judgement = judgeConnection({
      ec2State,
      atlas: { found: true, connectionStatus, errorMessage: null },
    });

    expect(judgement.verdict === Verdict.AVAILABLE).toBe(
      connectionStatus === 'AVAILABLE' && ec2State === 'available',
    );
  });

  it.each([
    ['PendingAcceptance', Verdict.PENDING, undefined],
    ['Available', Verdict.AVAILABLE, 'AVAILABLE'],
    ['Rejected', Verdict.REMEDIATE, 'EC2_REJECTED'],
    ['Failed', Verdict.REMEDIATE, 'EC2_FAILED'],
    ['Deleted', Verdict.REMEDIATE, 'ENDPOINT_GONE'],
    ['Expired', Verdict.REMEDIATE, 'ENDPOINT_GONE'],
  ])('reads the SDK enum spelling of EC2 state %s like the wire spelling', (ec2State, verdict, outcome) => {
    const judgement = judgeConnection({
      ec2State,
      atlas: { found: true, connectionStatus: 'AVAILABLE', errorMessage: null },
    });

    expect(judgement.verdict).toBe(verdict);
    expect(judgement.outcome).toBe(outcome);
  });

  it('remediates with ENDPOINT_GONE when Atlas no longer knows the endpoint, whatever EC2 says', () => {
    for (const ec2State of EC2_STATES) {
      expect(judgeConnection({ ec2State, atlas: { found: false } })).toMatchObject({
        verdict: Verdict.REMEDIATE,
        outcome: 'ENDPOINT_GONE',
      });
    }
  });

  describe('when this check did not read Atlas', () => {
    it.each(
      Object.values(ConnectionStatus).flatMap((lastStatus) =>
        EC2_STATES.map((ec2State) => ({
          lastStatus,
          ec2State,
          expected: expectedJudgement(lastStatus, null, ec2State.toLowerCase()),
        })),
      ),
    )('judges EC2 $ec2State with the last Atlas status $lastStatus', ({ lastStatus, ec2State, expected }) => {
      const judgement = judgeConnection({ ec2State }, lastStatus);

      expect(judgement.verdict).toBe(expected.verdict);
      expect(judgement.outcome).toBe(expected.outcome);
    });

    it('stays PENDING on a settled EC2 state before Atlas was ever read', () => {
      expect(judgeConnection({ ec2State: 'available' })).toMatchObject({ verdict: Verdict.PENDING });
      expect(judgeConnection({ ec2State: 'available' }).reason).toContain('not read yet');
    });
  });
});

// ---------------------------------------------------------------------------------------------------
// decideEndpointService

const observe = (
  status: string,
  endpointServiceName: string | null = null,
  errorMessage: string | null = null,
) => ({
  endpointServiceId: SERVICE_ID,
  region: 'us-east-1',
  status,
  endpointServiceName,
  errorMessage,
});

describe('decideEndpointService', () => {
  it.each(['AVAILABLE', 'WAITING_FOR_USER'])('is READY when %s with a service name', (status) => {
    const state = decideEndpointService(observe(status, SERVICE_NAME), 0, T0, T0 + HOUR);

    expect(state).toStrictEqual({
      endpointServiceId: SERVICE_ID,
      region: 'us-east-1',
      endpointServiceName: SERVICE_NAME,
      status,
      next: ServiceNext.READY,
      checks: 1,
      waitSeconds: 0,
    });
  });

  it.each(['INITIATING', 'WAITING_FOR_USER'])(
    'waits with backoff 5, 10, 20, 30, 30 s while %s without a service name',
    (status) => {
      const waits = [0, 1, 2, 3, 4].map((previous) => {
        const state = decideEndpointService(observe(status), previous, T0, T0 + HOUR);
        expect(state.next).toBe(ServiceNext.WAIT);
        expect(state.checks).toBe(previous + 1);
        return state.waitSeconds;
      });

      expect(waits).toStrictEqual([5, 10, 20, 30, 30]);
    },
  );

  it('never waits longer than the maximum, however many checks', () => {
    const state = decideEndpointService(observe('INITIATING'), 500, T0, T0 + 100 * HOUR);

    expect(state.waitSeconds).toBe(PollSchedule.serviceMaxWaitSeconds);
  });

  it('waits while AVAILABLE but still without a service name', () => {
    const state = decideEndpointService(observe('AVAILABLE', null), 0, T0, T0 + HOUR);

    expect(state).toMatchObject({ next: ServiceNext.WAIT, endpointServiceName: null, waitSeconds: 5 });
  });

  it('waits on a status it does not know, or none at all', () => {
    expect(decideEndpointService(observe('SOMETHING_NEW'), 0, T0, T0 + HOUR).next).toBe(ServiceNext.WAIT);
    expect(decideEndpointService({ ...observe('x'), status: undefined }, 0, T0, T0 + HOUR)).toMatchObject({
      next: ServiceNext.WAIT,
      status: 'UNKNOWN',
    });
  });

  it('fails with EndpointServiceFailedError carrying Atlas errorMessage when FAILED', () => {
    const act = () =>
      decideEndpointService(observe('FAILED', null, 'Insufficient capacity in us-east-1'), 0, T0, T0 + HOUR);

    expect(act).toThrow(EndpointServiceFailedError);
    expect(act).toThrow(/Insufficient capacity in us-east-1/);
    expect(act).toThrow(new RegExp(`${SERVICE_ID} is FAILED`));
  });

  it('waits while DELETING, even with a service name: once it is gone it is found or created again', () => {
    const state = decideEndpointService(observe('DELETING', SERVICE_NAME), 0, T0, T0 + HOUR);

    expect(state).toMatchObject({ next: ServiceNext.WAIT, status: 'DELETING', waitSeconds: 5 });
  });

  it('fails with EndpointServiceFailedError saying Atlas gave no errorMessage when there is none', () => {
    expect(() => decideEndpointService(observe('FAILED'), 0, T0, T0 + HOUR)).toThrow(/gave no errorMessage/);
  });

  it('covers every status Atlas documents', () => {
    const outcomes = Object.values(EndpointServiceStatus).map((status) => {
      try {
        return decideEndpointService(observe(status, SERVICE_NAME), 0, T0, T0 + HOUR).next;
      } catch (error) {
        return (error as Error).name;
      }
    });

    expect(outcomes).toStrictEqual(['WAIT', 'READY', 'READY', 'EndpointServiceFailedError', 'WAIT']);
  });

  it('fails with ProvisioningTimeoutError when the next check would fall past the deadline', () => {
    const act = () => decideEndpointService(observe('INITIATING'), 2, T0, T0 + 19_000);

    expect(act).toThrow(ProvisioningTimeoutError);
    expect(act).toThrow(/still INITIATING after 3 checks/);
  });

  it('still answers READY after the deadline when the service is ready', () => {
    expect(decideEndpointService(observe('AVAILABLE', SERVICE_NAME), 9, T0 + HOUR, T0).next).toBe(
      ServiceNext.READY,
    );
  });

  it('fails with ProvisioningTimeoutError at its own bound of checks, whatever the deadline', () => {
    expect(() =>
      decideEndpointService(observe('INITIATING'), PollSchedule.maxServiceChecks - 1, T0, T0 + 1000 * HOUR),
    ).toThrow(ProvisioningTimeoutError);
  });
});

// ---------------------------------------------------------------------------------------------------
// The check loop

const readAt = (overrides: Partial<PollState> = {}): PollState => ({
  ...initialPollState(random),
  checks: 3,
  ec2State: 'pendingacceptance',
  connectionStatus: 'PENDING_ACCEPTANCE',
  atlasReadAt: T0,
  checkedAt: T0,
  ...overrides,
});

describe('waitBeforeCheck', () => {
  it('waits the initial waits first', () => {
    expect(PollSchedule.initialWaitsSeconds.map((_, i) => waitBeforeCheck(i, random))).toStrictEqual([
      5, 5, 8,
    ]);
  });

  it('then waits 6 to 8 s, depending on the random draw', () => {
    const after = PollSchedule.initialWaitsSeconds.length;

    expect(waitBeforeCheck(after, () => 0)).toBe(8);
    expect(waitBeforeCheck(after, () => 0.5)).toBe(7);
    expect(waitBeforeCheck(after + 50, () => 0.999_999)).toBe(6);
    for (let i = 0; i < 200; i++) {
      const wait = waitBeforeCheck(after + i, Math.random);
      expect(wait).toBeGreaterThanOrEqual(6);
      expect(wait).toBeLessThanOrEqual(8);
    }
  });

  it('slows to 28 to 30 s once the execution has run an hour, so a long timeout fits the execution history', () => {
    const after = PollSchedule.initialWaitsSeconds.length;
    const late = PollSchedule.slowDownAfterSeconds;

    expect(waitBeforeCheck(after, () => 0, late - 1)).toBe(8);
    expect(waitBeforeCheck(after, () => 0, late)).toBe(30);
    expect(waitBeforeCheck(after, () => 0.999_999, late + 600)).toBe(28);
  });

  it('keeps a six-hour provisioning within 25,000 history events at about 9 events a check', () => {
    let elapsed = 0;
    let checks = 0;
    while (elapsed < 21_600) {
      elapsed += waitBeforeCheck(checks, () => 0.999_999, elapsed);
      checks += 1;
    }

    expect(checks).toBeLessThanOrEqual(PollSchedule.maxChecksPerAttempt);
    expect(checks * 9).toBeLessThan(25_000);
  });
});

describe('initialPollState', () => {
  it('is PENDING with nothing read and the first short wait', () => {
    expect(initialPollState(random)).toStrictEqual({
      checks: 0,
      waitSeconds: 5,
      verdict: Verdict.PENDING,
      reason: 'registered; waiting for the first check',
      ec2State: null,
      connectionStatus: null,
      errorMessage: null,
      atlasReadAt: null,
      checkedAt: null,
    });
  });
});

describe('shouldReadAtlas', () => {
  it('reads on the first check', () => {
    expect(shouldReadAtlas(initialPollState(random), 'pendingAcceptance', T0)).toBe(true);
  });

  it('reads when EC2 state changed', () => {
    expect(shouldReadAtlas(readAt(), 'pending', T0 + 1000)).toBe(true);
  });

  it('does not read when EC2 is still pending the same way and Atlas was read recently', () => {
    expect(shouldReadAtlas(readAt(), 'pendingAcceptance', T0 + 10_000)).toBe(false);
    expect(shouldReadAtlas(readAt({ ec2State: 'pending' }), 'Pending', T0 + 10_000)).toBe(false);
  });

  it.each(['available', 'rejected', 'failed', 'deleted', 'missing'])(
    'reads when EC2 says the connection settled (%s), so Atlas can confirm',
    (ec2State) => {
      expect(shouldReadAtlas(readAt({ ec2State }), ec2State, T0 + 1000)).toBe(true);
    },
  );

  it('reads again once the last Atlas read is the interval old', () => {
    const interval = PollSchedule.atlasReadIntervalSeconds * 1000;

    expect(shouldReadAtlas(readAt(), 'pendingAcceptance', T0 + interval - 1)).toBe(false);
    expect(shouldReadAtlas(readAt(), 'pendingAcceptance', T0 + interval)).toBe(true);
  });
});

describe('registeredPollState', () => {
  const registration = {
    registeredAt: new Date(T0).toISOString(),
    connectionStatus: 'PENDING_ACCEPTANCE',
    errorMessage: null,
  };

  it("counts Atlas's answer to the registration as its first read", () => {
    const seeded = registeredPollState(initialPollState(random), registration);

    expect(seeded).toMatchObject({
      atlasReadAt: T0,
      connectionStatus: 'PENDING_ACCEPTANCE',
      errorMessage: null,
      ec2State: 'pendingAcceptance',
    });
    expect(shouldReadAtlas(seeded, 'pendingAcceptance', T0 + 5_000)).toBe(false);
    expect(shouldReadAtlas(seeded, 'pending', T0 + 5_000)).toBe(true);
    expect(
      shouldReadAtlas(seeded, 'pendingAcceptance', T0 + PollSchedule.atlasReadIntervalSeconds * 1000),
    ).toBe(true);
  });

  it('leaves the first read to the check when the registration already carries an errorMessage', () => {
    const fresh = initialPollState(random);

    expect(registeredPollState(fresh, { ...registration, errorMessage: 'Failed to accept' })).toBe(fresh);
  });

  it('changes nothing once Atlas has been read, or when the registration time is unreadable', () => {
    const read = readAt();

    expect(registeredPollState(read, registration)).toBe(read);
    expect(
      registeredPollState(initialPollState(random), { ...registration, registeredAt: 'soon' }),
    ).toStrictEqual(initialPollState(random));
  });
});

describe('atlasReadMayWait', () => {
  it('lets a read wait that only the interval asked for (EC2 unchanged and still pending)', () => {
    expect(atlasReadMayWait(readAt(), 'pendingAcceptance')).toBe(true);
    expect(atlasReadMayWait(readAt({ ec2State: 'pending' }), 'Pending')).toBe(true);
  });

  it.each(['pending', 'available', 'rejected', 'failed', 'missing'])(
    'never lets a read wait that decides the verdict: EC2 moved to %s',
    (ec2State) => {
      expect(atlasReadMayWait(readAt(), ec2State)).toBe(false);
    },
  );

  it('never lets the first read wait', () => {
    expect(atlasReadMayWait(initialPollState(random), 'pendingAcceptance')).toBe(false);
  });

  it('moves the next such read an interval on when it was put off', () => {
    const later = T0 + PollSchedule.atlasReadIntervalSeconds * 1000;
    const putOff = nextPollState(
      readAt(),
      { ec2State: 'pendingAcceptance', atlasReadPutOff: true },
      later,
      later + HOUR,
      random,
    );

    expect(putOff).toMatchObject({
      atlasReadAt: later,
      verdict: Verdict.PENDING,
      connectionStatus: 'PENDING_ACCEPTANCE',
    });
    expect(shouldReadAtlas(putOff, 'pendingAcceptance', later + 10_000)).toBe(false);
  });
});

describe('nextPollState', () => {
  const pendingBoth: ConnectionObservation = {
    ec2State: 'pendingAcceptance',
    atlas: { found: true, connectionStatus: 'PENDING_ACCEPTANCE', errorMessage: null },
  };

  it('records the check, the readings and the next wait', () => {
    const state = nextPollState(initialPollState(random), pendingBoth, T0, T0 + HOUR, random);

    expect(state).toStrictEqual({
      checks: 1,
      waitSeconds: 5,
      verdict: Verdict.PENDING,
      reason: 'Atlas PENDING_ACCEPTANCE, EC2 pendingacceptance',
      ec2State: 'pendingAcceptance',
      connectionStatus: 'PENDING_ACCEPTANCE',
      errorMessage: null,
      atlasReadAt: T0,
      checkedAt: T0,
    });
  });

  it('carries the last Atlas status and read time when this check did not read Atlas', () => {
    const previous = readAt({ connectionStatus: 'PENDING', errorMessage: null, atlasReadAt: T0 });

    const state = nextPollState(previous, { ec2State: 'pendingAcceptance' }, T0 + 9000, T0 + HOUR, random);

    expect(state).toMatchObject({
      checks: 4,
      connectionStatus: 'PENDING',
      atlasReadAt: T0,
      checkedAt: T0 + 9000,
      verdict: Verdict.PENDING,
    });
  });

  it('judges a check without an Atlas read by the last Atlas status (REJECTED remediates)', () => {
    const previous = readAt({ connectionStatus: 'REJECTED' });

    const state = nextPollState(previous, { ec2State: 'pendingAcceptance' }, T0 + 9000, T0 + HOUR, random);

    expect(state).toMatchObject({
      verdict: Verdict.REMEDIATE,
      outcome: 'REJECTED',
      connectionStatus: 'REJECTED',
    });
  });

  it('records NOT_FOUND when Atlas answered 404', () => {
    const state = nextPollState(
      readAt(),
      { ec2State: 'available', atlas: { found: false } },
      T0,
      T0 + HOUR,
      random,
    );

    expect(state).toMatchObject({
      verdict: Verdict.REMEDIATE,
      outcome: 'ENDPOINT_GONE',
      connectionStatus: 'NOT_FOUND',
    });
  });

  it('keeps the errorMessage it remediates on', () => {
    const observation: ConnectionObservation = {
      ec2State: 'pendingAcceptance',
      atlas: { found: true, connectionStatus: 'PENDING', errorMessage: 'idempotent operation going on' },
    };

    const state = nextPollState(readAt(), observation, T0, T0 + HOUR, random);

    expect(state).toMatchObject({
      verdict: Verdict.REMEDIATE,
      errorMessage: 'idempotent operation going on',
    });
  });

  it('fails with ProvisioningTimeoutError when still pending and the next check would pass the deadline', () => {
    const act = () => nextPollState(readAt(), pendingBoth, T0, T0 + 5_000, random);

    expect(act).toThrow(ProvisioningTimeoutError);
    expect(act).toThrow(/still pending after 4 checks/);
  });

  it('does not time out a verdict that is final, even past the deadline', () => {
    const available: ConnectionObservation = {
      ec2State: 'available',
      atlas: { found: true, connectionStatus: 'AVAILABLE', errorMessage: null },
    };

    expect(nextPollState(readAt(), available, T0 + HOUR, T0, random).verdict).toBe(Verdict.AVAILABLE);
  });

  it('fails with ProvisioningTimeoutError at the per-attempt bound of checks', () => {
    const previous = readAt({ checks: PollSchedule.maxChecksPerAttempt - 1 });

    expect(() => nextPollState(previous, pendingBoth, T0, T0 + 1000 * HOUR, random)).toThrow(
      ProvisioningTimeoutError,
    );
  });
});

// ---------------------------------------------------------------------------------------------------
// Attempts

const record = (attempt: number, overrides: Partial<AttemptRecord> = {}): AttemptRecord => ({
  attempt,
  vpcEndpointId: `vpce-0123456789abcdef${attempt}`,
  outcome: 'REJECTED',
  connectionStatus: 'REJECTED',
  errorMessage: null,
  startedAt: '2026-03-01T10:00:00.000Z',
  endedAt: '2026-03-01T10:05:00.000Z',
  ...overrides,
});

describe('recordAttempt', () => {
  it('appends the attempt and says whether maxAttempts allows another', () => {
    const one = recordAttempt({ attempts: [], attemptsLeft: true }, record(1), 2);
    const two = recordAttempt(one, record(2), 2);

    expect(one).toStrictEqual({ attempts: [record(1)], attemptsLeft: true });
    expect(two).toStrictEqual({ attempts: [record(1), record(2)], attemptsLeft: false });
  });

  it('leaves no attempt when maxAttempts is 1', () => {
    expect(recordAttempt({ attempts: [], attemptsLeft: true }, record(1), 1).attemptsLeft).toBe(false);
  });

  it('does not change the history it was given', () => {
    const history = { attempts: [record(1)], attemptsLeft: true };

    recordAttempt(history, record(2), 3);

    expect(history.attempts).toHaveLength(1);
  });
});

describe('describeExhaustedAttempts', () => {
  it('says why each attempt failed', () => {
    const text = describeExhaustedAttempts([
      record(1, { outcome: 'ERROR_MESSAGE', errorMessage: 'idempotent operation going on' }),
      record(2),
      record(3, { outcome: 'EC2_FAILED', connectionStatus: null }),
    ]);

    expect(text).toBe(
      'gave up after 3 attempts: attempt 1 (vpce-0123456789abcdef1) ERROR_MESSAGE: idempotent operation going on; ' +
        'attempt 2 (vpce-0123456789abcdef2) REJECTED with Atlas REJECTED; attempt 3 (vpce-0123456789abcdef3) EC2_FAILED',
    );
  });

  it('says "attempt" for one', () => {
    expect(describeExhaustedAttempts([record(1)])).toMatch(/^gave up after 1 attempt: /);
  });
});

describe('clientTokenFor', () => {
  const textHex = (text: string) => Buffer.from(text).toString('hex').padEnd(64, '0');
  const hash = (text: string) => {
    // A stand-in for sha256 that depends on the whole text.
    let h = 0;
    for (const c of text) h = (h * 31 + c.charCodeAt(0)) >>> 0;
    return h.toString(16).padStart(8, '0').repeat(8);
  };

  it('is at most 64 printable ASCII characters, for names of any length and alphabet', () => {
    const names = [
      'req-1',
      'x'.repeat(80),
      `key-${'a'.repeat(40)}`,
      'exécution-ünïcode-名前',
      'with space\tand tab',
    ];
    for (const name of names) {
      for (const attempt of [1, 10]) {
        const token = clientTokenFor('stack-a', name, attempt, hash);
        expect(token.length).toBeLessThanOrEqual(64);
        expect(token).toMatch(/^[\x21-\x7e]+$/);
      }
    }
  });

  it('differs per attempt', () => {
    const tokens = new Set(
      [1, 2, 3, 4, 5].map((attempt) => clientTokenFor('stack-a', 'req-42', attempt, hash)),
    );

    expect(tokens.size).toBe(5);
  });

  it('is the same for a retried call of one attempt', () => {
    expect(clientTokenFor('stack-a', 'req-42', 2, hash)).toBe(clientTokenFor('stack-a', 'req-42', 2, hash));
  });

  it('tells apart two long execution names that share their first 64 characters', () => {
    const a = `${'x'.repeat(70)}-a`;
    const b = `${'x'.repeat(70)}-b`;

    expect(clientTokenFor('stack-a', a, 1, hash)).not.toBe(clientTokenFor('stack-a', b, 1, hash));
  });

  it('differs between deployments for the same execution name and attempt', () => {
    expect(clientTokenFor('stack-a', 'key-42', 1, hash)).not.toBe(
      clientTokenFor('stack-b', 'key-42', 1, hash),
    );
  });

  it('keeps as much of the execution name as fits, then the attempt', () => {
    expect(clientTokenFor('stack-a', 'req-42', 3, textHex)).toMatch(/^req-42-a3-[0-9a-f]{12}$/);
  });
});
