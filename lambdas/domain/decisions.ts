/**
 * The workflow's decisions, as pure functions: what a status means, what to do next and how long to
 * wait. No I/O, no clock and no randomness of their own (callers pass `now` and `random`), so every
 * status × errorMessage combination is unit-tested and the Lambdas stay thin.
 */
import type { ConnectionStatus, EndpointServiceStatus } from '../atlas/types';
import { EndpointServiceFailedError, ProvisioningTimeoutError } from '../errors';

/** How the workflow polls; the defaults are what `npm run bench` measured (see README, Performance). */
export const PollSchedule = {
  /** Waits before the first checks of a new endpoint: connections take a minute or more, but often less. */
  initialWaitsSeconds: [5, 5, 8] as readonly number[],
  /**
   * The steady wait between checks: never longer, so a change is noticed within this many seconds. With the
   * jitter, checks come every 7 s on average and notice AVAILABLE about 3.5 s after it happens; at 10 s
   * (every 9 s) `npm run bench` measured about 4.5 s, too close to fixed 10 s polling's 5 s to beat it
   * reliably. EC2 carries these checks, so Atlas sees no more reads for them.
   */
  steadyWaitSeconds: 8,
  /**
   * After this long since the execution started, checks slow to `lateWaitSeconds`: a STANDARD execution's
   * history holds 25,000 events and each check costs about 9, so a six-hour timeout at 10 s would not fit.
   */
  slowDownAfterSeconds: 3_600,
  lateWaitSeconds: 30,
  /** Up to this much is taken off each steady wait at random, so many executions do not poll in step. */
  jitterSeconds: 2,
  /**
   * EC2 `DescribeVpcEndpoints` is read on every check (EC2 shares no rate limit with Atlas); Atlas is read
   * when EC2's state changed, when EC2 says the connection settled, and at least this often otherwise —
   * the bound within which an Atlas `errorMessage` on a still-pending endpoint is caught.
   */
  atlasReadIntervalSeconds: 60,
  /** A check loop's own bound, besides the request's timeout (an hour at 6 s, then five at 28 s, fit). */
  maxChecksPerAttempt: 1_300,
  /** Endpoint service polling: 5 s, doubling, at most 30 s. */
  serviceBaseWaitSeconds: 5,
  serviceMaxWaitSeconds: 30,
  maxServiceChecks: 1_000,
  /** Deletion polling: a fixed wait, and how long a deletion may take before the workflow gives up on it. */
  deletionWaitSeconds: 5,
  deletionTimeoutSeconds: 900,
  /** How long clean-up keeps waiting for deletions before it reports itself incomplete. */
  cleanUpTimeoutSeconds: 900,
  /**
   * EC2 and Atlas are eventually consistent: an endpoint this young (since its creation, or its registration
   * for Atlas) that a read does not find is "not visible yet", not gone.
   */
  visibilityWindowSeconds: 60,
} as const;

// ---------------------------------------------------------------------------------------------------
// Endpoint service

/** What the workflow does after reading the endpoint service. */
export const ServiceNext = { READY: 'READY', WAIT: 'WAIT' } as const;
export type ServiceNext = (typeof ServiceNext)[keyof typeof ServiceNext];

export interface ServiceObservation {
  readonly endpointServiceId: string;
  /** In AWS's form (`us-east-1`). */
  readonly region: string;
  readonly status: EndpointServiceStatus | string | undefined;
  readonly endpointServiceName: string | null | undefined;
  readonly errorMessage: string | null | undefined;
  /**
   * Cross-region only: the region (AWS's form) the VPC endpoint is created in, which the service must support
   * as a remote one; whether the service lists it; and whether this very read added it (a PATCH).
   * @default - not cross-region
   */
  readonly remoteRegion?: { readonly region: string; readonly listed: boolean; readonly added: boolean };
}

/** Where a cross-region service stands with the deployment's region. */
export const RemoteRegionStatus = {
  /** Listed, and the service is up since: endpoints may come from it. */
  SUPPORTED: 'SUPPORTED',
  /** Listed, but the change has not been seen to take effect yet (just added, or the service is not up). */
  ADDING: 'ADDING',
  /** Not listed: it is added once the service is up. */
  MISSING: 'MISSING',
} as const;
export type RemoteRegionStatus = (typeof RemoteRegionStatus)[keyof typeof RemoteRegionStatus];

export interface ServiceState {
  readonly endpointServiceId: string;
  /** In AWS's form (`us-east-1`): where to find or create the service again if Atlas removes it. */
  readonly region: string;
  readonly endpointServiceName: string | null;
  readonly status: string;
  readonly next: ServiceNext;
  readonly checks: number;
  readonly waitSeconds: number;
  /** Cross-region only: the deployment's region and where the service stands with it. */
  readonly remoteRegion?: { readonly region: string; readonly status: RemoteRegionStatus };
}

/**
 * Whether endpoints can be made to a service: it is AVAILABLE or WAITING_FOR_USER (up, waiting for
 * endpoints; Terraform's provider treats it as ready too) and has its AWS service name.
 */
export function isServiceUp(
  status: string | undefined,
  endpointServiceName: string | null | undefined,
): boolean {
  return (status === 'AVAILABLE' || status === 'WAITING_FOR_USER') && Boolean(endpointServiceName);
}

/**
 * Decides what an endpoint service's status means: AVAILABLE or WAITING_FOR_USER (the service is up and
 * waits for endpoints; Terraform's provider treats it as ready too) with a service name → READY;
 * INITIATING, or no name yet → WAIT with backoff; DELETING → WAIT too (Atlas removes an AWS service with its
 * last endpoint: once it is gone, the next read finds or creates the region's service anew); FAILED → fail.
 *
 * Cross-region, READY also needs the deployment's region among the service's remote regions, seen on a read
 * after the one that added it: Atlas applies the change to the AWS service asynchronously (Terraform's
 * provider likewise waits after an update until the service is AVAILABLE or WAITING_FOR_USER again), and EC2
 * refuses a cross-region endpoint from a region the service does not support yet.
 *
 * @throws EndpointServiceFailedError carrying Atlas's `errorMessage`.
 * @throws ProvisioningTimeoutError when the service is not ready within the deadline or the loop's bound.
 */
export function decideEndpointService(
  observation: ServiceObservation,
  previousChecks: number,
  now: number,
  deadline: number,
): ServiceState {
  const checks = previousChecks + 1;
  const status = observation.status ?? 'UNKNOWN';
  const up = isServiceUp(status, observation.endpointServiceName);
  const remote = observation.remoteRegion;
  const remoteRegion =
    remote === undefined
      ? undefined
      : {
          region: remote.region,
          status: !remote.listed
            ? RemoteRegionStatus.MISSING
            : remote.added || !up
              ? RemoteRegionStatus.ADDING
              : RemoteRegionStatus.SUPPORTED,
        };
  const remoteStatus = remoteRegion?.status;
  const base = {
    endpointServiceId: observation.endpointServiceId,
    region: observation.region,
    endpointServiceName: observation.endpointServiceName ?? null,
    status,
    checks,
    ...(remoteRegion ? { remoteRegion } : {}),
  };
  if (status === 'FAILED') {
    const why = observation.errorMessage ?? 'Atlas gave no errorMessage';
    throw new EndpointServiceFailedError(
      `Atlas endpoint service ${observation.endpointServiceId} is ${status}: ${why}`,
    );
  }
  if (up && (remoteStatus === undefined || remoteStatus === RemoteRegionStatus.SUPPORTED)) {
    return { ...base, next: ServiceNext.READY, waitSeconds: 0 };
  }
  const waitSeconds = Math.min(
    PollSchedule.serviceBaseWaitSeconds * 2 ** Math.min(checks - 1, 10),
    PollSchedule.serviceMaxWaitSeconds,
  );
  if (checks >= PollSchedule.maxServiceChecks || now + waitSeconds * 1000 > deadline) {
    throw new ProvisioningTimeoutError(
      // A service that is up and still waited for is one whose remote region is not supported yet.
      up
        ? `Atlas endpoint service ${observation.endpointServiceId} did not come to support ${remote?.region} ` +
            `as a remote region after ${checks} checks, within the request timeout`
        : `Atlas endpoint service ${observation.endpointServiceId} was still ${status} after ${checks} checks; ` +
            'it did not become AVAILABLE within the request timeout',
    );
  }
  return { ...base, next: ServiceNext.WAIT, waitSeconds };
}

// ---------------------------------------------------------------------------------------------------
// Interface endpoint connection

/** The `connectionStatus` a poll records when Atlas answered 404 for the registration. */
const NOT_FOUND = 'NOT_FOUND';

/** What a check of the endpoint means. */
export const Verdict = {
  /** Atlas reports AVAILABLE and EC2 `available`: done. */
  AVAILABLE: 'AVAILABLE',
  /** Still connecting: wait and check again. */
  PENDING: 'PENDING',
  /** This attempt failed: delete it and try again (Atlas's own advice). */
  REMEDIATE: 'REMEDIATE',
} as const;
export type Verdict = (typeof Verdict)[keyof typeof Verdict];

/** Why an attempt ended. */
export const AttemptOutcome = {
  AVAILABLE: 'AVAILABLE',
  REJECTED: 'REJECTED',
  ERROR_MESSAGE: 'ERROR_MESSAGE',
  EC2_REJECTED: 'EC2_REJECTED',
  EC2_FAILED: 'EC2_FAILED',
  ENDPOINT_GONE: 'ENDPOINT_GONE',
} as const;
export type AttemptOutcome = (typeof AttemptOutcome)[keyof typeof AttemptOutcome];

/** One check's readings. `atlas` is absent when this check did not read Atlas. */
export interface ConnectionObservation {
  /** EC2's state, any case (`pendingAcceptance` on the wire, `PendingAcceptance` in the SDK enum), or `missing`. */
  readonly ec2State: string;
  /**
   * Seconds since the VPC endpoint was created and since it was registered with Atlas: within
   * `visibilityWindowSeconds`, an endpoint a read does not find is not visible yet.
   * @default - old enough: not found means gone
   */
  readonly ageSeconds?: { readonly sinceCreated: number; readonly sinceRegistered: number };
  /** This check's Atlas read was put off (Atlas answered 429; see {@link atlasReadMayWait}). */
  readonly atlasReadPutOff?: boolean;
  readonly atlas?:
    | {
        readonly found: true;
        readonly connectionStatus: ConnectionStatus | string;
        readonly errorMessage: string | null;
      }
    | { readonly found: false };
}

export interface ConnectionJudgement {
  readonly verdict: Verdict;
  readonly outcome?: AttemptOutcome;
  readonly reason: string;
}

const EC2_FAILED_STATES = new Set(['rejected', 'failed', 'deleted', 'deleting', 'expired', 'missing']);

/**
 * Judges one check. An `errorMessage` means remediate whatever the status (Atlas can report one while
 * still PENDING); REJECTED, or EC2 `rejected`/`failed`, or the endpoint vanishing from either side, too.
 * AVAILABLE needs both sides to agree.
 */
export function judgeConnection(
  observation: ConnectionObservation,
  lastAtlasStatus?: string,
): ConnectionJudgement {
  const ec2 = observation.ec2State.toLowerCase();
  const atlas = observation.atlas;
  const window = PollSchedule.visibilityWindowSeconds;
  const age = observation.ageSeconds ?? {
    sinceCreated: Number.POSITIVE_INFINITY,
    sinceRegistered: Number.POSITIVE_INFINITY,
  };
  if (atlas?.found === false && age.sinceRegistered < window) {
    return { verdict: Verdict.PENDING, reason: 'Atlas does not show the registration yet' };
  }
  if (ec2 === 'missing' && age.sinceCreated < window) {
    return { verdict: Verdict.PENDING, reason: 'EC2 does not show the VPC endpoint yet' };
  }
  if (atlas?.found === false) {
    return {
      verdict: Verdict.REMEDIATE,
      outcome: AttemptOutcome.ENDPOINT_GONE,
      reason: 'Atlas no longer knows the endpoint',
    };
  }
  if (atlas?.found && atlas.errorMessage) {
    return {
      verdict: Verdict.REMEDIATE,
      outcome: AttemptOutcome.ERROR_MESSAGE,
      reason: `Atlas reports an error (${atlas.connectionStatus}): ${atlas.errorMessage}`,
    };
  }
  const status = atlas?.found ? atlas.connectionStatus : lastAtlasStatus;
  if (status === 'REJECTED') {
    return { verdict: Verdict.REMEDIATE, outcome: AttemptOutcome.REJECTED, reason: 'Atlas reports REJECTED' };
  }
  if (status === 'DELETING') {
    return {
      verdict: Verdict.REMEDIATE,
      outcome: AttemptOutcome.ENDPOINT_GONE,
      reason: 'Atlas is deleting the endpoint',
    };
  }
  if (EC2_FAILED_STATES.has(ec2)) {
    const outcome =
      ec2 === 'rejected'
        ? AttemptOutcome.EC2_REJECTED
        : ec2 === 'failed'
          ? AttemptOutcome.EC2_FAILED
          : AttemptOutcome.ENDPOINT_GONE;
    return { verdict: Verdict.REMEDIATE, outcome, reason: `EC2 reports the VPC endpoint ${ec2}` };
  }
  if (status === 'AVAILABLE' && ec2 === 'available') {
    return {
      verdict: Verdict.AVAILABLE,
      outcome: AttemptOutcome.AVAILABLE,
      reason: 'Atlas and EC2 report AVAILABLE',
    };
  }
  return {
    verdict: Verdict.PENDING,
    reason: `Atlas ${status ?? 'not read yet'}, EC2 ${ec2}`,
  };
}

/** The state of one attempt's check loop, carried between checks in the state machine. */
export interface PollState {
  readonly checks: number;
  readonly waitSeconds: number;
  readonly verdict: Verdict;
  readonly outcome?: AttemptOutcome;
  readonly reason: string;
  readonly ec2State: string | null;
  readonly connectionStatus: string | null;
  readonly errorMessage: string | null;
  /** Epoch ms of the last Atlas read (or of a read put off), or null before the first. */
  readonly atlasReadAt: number | null;
  readonly checkedAt: number | null;
}

/** The poll state of a just-registered endpoint: nothing read yet, first wait short. */
export function initialPollState(random: () => number): PollState {
  return {
    checks: 0,
    waitSeconds: waitBeforeCheck(0, random),
    verdict: Verdict.PENDING,
    reason: 'registered; waiting for the first check',
    ec2State: null,
    connectionStatus: null,
    errorMessage: null,
    atlasReadAt: null,
    checkedAt: null,
  };
}

/** What Atlas answered to the registration (`POST …/endpoint`), as "Register with Atlas" reports it. */
export interface RegistrationAnswer {
  readonly registeredAt: string;
  readonly connectionStatus: string | null;
  readonly errorMessage?: string | null;
}

/**
 * The poll state once Atlas has answered the registration: that answer is a read of the endpoint, so the
 * first checks read only EC2 (a new interface endpoint is `pendingAcceptance`) until its state moves or
 * `atlasReadIntervalSeconds` pass. One Atlas request fewer per attempt, and none at the moment when every
 * execution started together is registering.
 */
export function registeredPollState(poll: PollState, registration: RegistrationAnswer): PollState {
  const registeredAt = Date.parse(registration.registeredAt);
  // An answer that already carries an errorMessage leaves the first read (and its verdict) to the check.
  if (poll.atlasReadAt !== null || !Number.isFinite(registeredAt) || registration.errorMessage) return poll;
  return {
    ...poll,
    ec2State: poll.ec2State ?? 'pendingAcceptance',
    connectionStatus: registration.connectionStatus,
    atlasReadAt: registeredAt,
  };
}

/**
 * How long to wait before check number `checks + 1`: the initial waits, then the steady wait less up to
 * `jitterSeconds`, and the late wait once the execution has run `slowDownAfterSeconds`.
 */
export function waitBeforeCheck(checks: number, random: () => number, executionElapsedSeconds = 0): number {
  const initial = PollSchedule.initialWaitsSeconds[checks];
  if (initial !== undefined) return initial;
  const base =
    executionElapsedSeconds >= PollSchedule.slowDownAfterSeconds
      ? PollSchedule.lateWaitSeconds
      : PollSchedule.steadyWaitSeconds;
  return base - Math.floor(random() * (PollSchedule.jitterSeconds + 1));
}

/**
 * Whether this check reads Atlas: on the first check, when EC2's state changed, when EC2 says the
 * connection settled (Atlas must confirm), or when the last Atlas read is `atlasReadIntervalSeconds` old.
 */
export function shouldReadAtlas(previous: PollState, ec2State: string, now: number): boolean {
  const ec2 = ec2State.toLowerCase();
  if (previous.atlasReadAt === null || previous.ec2State === null) return true;
  // Atlas did not show the registration yet: look again rather than wait out the read interval.
  if (previous.connectionStatus === NOT_FOUND) return true;
  if (ec2 !== previous.ec2State.toLowerCase()) return true;
  if (ec2 !== 'pendingacceptance' && ec2 !== 'pending') return true;
  return now - previous.atlasReadAt >= PollSchedule.atlasReadIntervalSeconds * 1000;
}

/**
 * Whether a read {@link shouldReadAtlas} asks for may wait when Atlas answers 429: one asked for only
 * because the last is `atlasReadIntervalSeconds` old (EC2 unchanged and still pending) merely watches for an
 * `errorMessage`, so the check goes on with EC2's state and the next such read comes an interval later.
 * Under a project's rate limit that keeps the polls of many executions from competing with the calls that
 * must go through (registrations, confirming AVAILABLE).
 */
export function atlasReadMayWait(previous: PollState, ec2State: string): boolean {
  const ec2 = ec2State.toLowerCase();
  return (
    previous.atlasReadAt !== null &&
    previous.ec2State?.toLowerCase() === ec2 &&
    (ec2 === 'pendingacceptance' || ec2 === 'pending')
  );
}

/**
 * Folds one check into the poll state: judges it, and schedules the next wait.
 *
 * @throws ProvisioningTimeoutError when the next check would fall past the deadline or the loop's bound.
 */
export function nextPollState(
  previous: PollState,
  observation: ConnectionObservation,
  now: number,
  deadline: number,
  random: () => number,
  executionStartedAt: number = now,
): PollState {
  const checks = previous.checks + 1;
  const judgement = judgeConnection(observation, previous.connectionStatus ?? undefined);
  const atlas = observation.atlas;
  const waitSeconds = waitBeforeCheck(checks, random, (now - executionStartedAt) / 1000);
  const state: PollState = {
    checks,
    waitSeconds,
    verdict: judgement.verdict,
    ...(judgement.outcome ? { outcome: judgement.outcome } : {}),
    reason: judgement.reason,
    ec2State: observation.ec2State,
    connectionStatus: atlas?.found ? atlas.connectionStatus : atlas ? NOT_FOUND : previous.connectionStatus,
    errorMessage: atlas?.found ? atlas.errorMessage : atlas ? null : previous.errorMessage,
    atlasReadAt: atlas || observation.atlasReadPutOff ? now : previous.atlasReadAt,
    checkedAt: now,
  };
  if (
    state.verdict === Verdict.PENDING &&
    (checks >= PollSchedule.maxChecksPerAttempt || now + waitSeconds * 1000 > deadline)
  ) {
    throw new ProvisioningTimeoutError(
      `the endpoint was still pending after ${checks} checks (${judgement.reason}); ` +
        'it did not become AVAILABLE within the request timeout',
    );
  }
  return state;
}

// ---------------------------------------------------------------------------------------------------
// Attempts

/** One attempt, as reported in the workflow's output and events. */
export interface AttemptRecord {
  readonly attempt: number;
  readonly vpcEndpointId: string;
  readonly outcome: AttemptOutcome;
  readonly connectionStatus: string | null;
  readonly errorMessage: string | null;
  readonly startedAt: string;
  readonly endedAt: string;
}

/** The attempts so far, carried between attempts in the state machine. */
export interface History {
  readonly attempts: AttemptRecord[];
  readonly attemptsLeft: boolean;
}

/** Appends an ended attempt; `attemptsLeft` says whether `maxAttempts` allows another. */
export function recordAttempt(history: History, record: AttemptRecord, maxAttempts: number): History {
  const attempts = [...history.attempts, record];
  return { attempts, attemptsLeft: attempts.length < maxAttempts };
}

/** A readable account of why every attempt failed, for the failure's Cause. */
export function describeExhaustedAttempts(attempts: readonly AttemptRecord[]): string {
  const each = attempts.map(
    (a) =>
      `attempt ${a.attempt} (${a.vpcEndpointId}) ${a.outcome}` +
      (a.errorMessage
        ? `: ${a.errorMessage}`
        : a.connectionStatus
          ? ` with Atlas ${a.connectionStatus}`
          : ''),
  );
  return `gave up after ${attempts.length} attempt${attempts.length === 1 ? '' : 's'}: ${each.join('; ')}`;
}

/**
 * A `ClientToken` for `CreateVpcEndpoint`: the same for a retried call of one attempt (so EC2 returns the
 * same endpoint), new for each attempt, at most 64 ASCII characters as EC2 requires. EC2 keeps tokens per
 * account and region, so the deployment (`managedBy`) is part of it: two stacks in one account whose
 * executions share a name (the same Idempotency-Key) never get each other's endpoint.
 */
export function clientTokenFor(
  managedBy: string,
  executionName: string,
  attempt: number,
  hash: (text: string) => string,
): string {
  const suffix = `-a${attempt}-${hash(`${managedBy}#${executionName}#${attempt}`).slice(0, 12)}`;
  const head = executionName.replace(/[^\x21-\x7e]/g, '_').slice(0, 64 - suffix.length);
  return `${head}${suffix}`;
}
