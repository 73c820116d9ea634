/**
 * The workflow's output once connection strings were looked for, an attempt that ended without an outcome, a
 * service without a name, and Causes that parse as JSON but are not a Lambda's. Each test here once let a
 * mutant of `lambdas/domain/workflowState.ts` survive.
 */
import { describe, expect, it } from 'vitest';
import { initialPollState, ServiceNext, Verdict } from '../../lambdas/domain/decisions';
import type { ProvisioningRequest } from '../../lambdas/domain/request';
import {
  type ProvisioningResult,
  readableCause,
  recordEndedAttempt,
  withConnectionStrings,
} from '../../lambdas/domain/workflowState';

const GROUP = '5f0c1a2b3c4d5e6f7a8b9c0d';
const SERVICE_ID = '6a0b1c2d3e4f5a6b7c8d9e0f';
const VPCE = 'vpce-0123456789abcdef0';
const STARTED = '2026-03-01T10:00:00.000Z';
const T0 = Date.parse(STARTED);

const request: ProvisioningRequest = {
  groupId: GROUP,
  region: 'us-east-1',
  vpcId: 'vpc-0123456789abcdef0',
  subnetIds: ['subnet-0123456789abcdef0'],
  securityGroupIds: [],
  maxAttempts: 1,
  timeoutSeconds: 3600,
  connectionStringTimeoutSeconds: 1800,
  tags: {},
};

const result: ProvisioningResult = {
  status: 'AVAILABLE',
  executionName: 'req-42',
  groupId: GROUP,
  endpointServiceId: SERVICE_ID,
  endpointServiceName: 'com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0',
  vpcEndpointId: VPCE,
  attempts: [],
  durationSeconds: 250,
  securityGroupCheck: { ok: true, detail: 'ok', securityGroupIds: [] },
};

const strings = {
  connectionStrings: [
    {
      clusterName: 'Cluster0',
      type: 'MONGOD',
      connectionString: 'mongodb://pl-0-us-east-1.abcde.mongodb.net:1024',
      srvConnectionString: 'mongodb+srv://cluster0-pl-0.abcde.mongodb.net',
    },
  ],
  clustersNotCovered: [{ clusterName: 'Cluster1', reason: 'in another region' }],
};

describe('withConnectionStrings', () => {
  it('adds what the clusters said, keeps the time to AVAILABLE and counts the duration from the start', () => {
    // Act: the strings arrived ten minutes after the start.
    const available = withConnectionStrings(result, strings, T0 + 600_000, STARTED);

    // Assess
    expect(available).toStrictEqual({
      ...result,
      ...strings,
      availableAfterSeconds: 250,
      durationSeconds: 600,
    });
  });

  it('carries a note when there is one', () => {
    const noted = withConnectionStrings(
      result,
      { ...strings, connectionStringsNote: 'no cluster in this project' },
      T0 + 300_000,
      STARTED,
    );

    expect(noted.connectionStringsNote).toBe('no cluster in this project');
  });

  it('never reports a negative duration when the clock is behind the start', () => {
    expect(withConnectionStrings(result, strings, T0 - 5_000, STARTED).durationSeconds).toBe(0);
  });
});

describe('recordEndedAttempt, the odd cases', () => {
  const service = {
    endpointServiceId: SERVICE_ID,
    region: 'us-east-1',
    endpointServiceName: null,
    status: 'AVAILABLE',
    next: ServiceNext.READY,
    checks: 1,
    waitSeconds: 0,
  };
  const attempt = (outcome?: 'AVAILABLE') => ({
    number: 1,
    vpcEndpointId: VPCE,
    clientToken: 'req-42-a1-abcdef012345',
    startedAt: '2026-03-01T10:01:00.000Z',
    poll: {
      ...initialPollState(() => 0),
      verdict: outcome ? Verdict.AVAILABLE : Verdict.REMEDIATE,
      ...(outcome ? { outcome } : {}),
    },
  });

  it('records an attempt that ended without an outcome as REJECTED', () => {
    const recorded = recordEndedAttempt({
      executionName: 'req-42',
      request,
      service,
      attempt: attempt(),
      history: { attempts: [], attemptsLeft: true },
      executionStartedAt: STARTED,
      now: T0 + 60_000,
    });

    expect(recorded.last.attempt.outcome).toBe('REJECTED');
  });

  it('reports an empty service name when the service has none', () => {
    const recorded = recordEndedAttempt({
      executionName: 'req-42',
      request,
      service,
      attempt: attempt('AVAILABLE'),
      history: { attempts: [], attemptsLeft: true },
      executionStartedAt: STARTED,
      now: T0 + 60_000,
    });

    expect(recorded.result?.endpointServiceName).toBe('');
  });
});

describe('readableCause with a Cause that is JSON but not an object', () => {
  it.each(['"quoted text"', 'null', '42', 'true', '[]'])('keeps %s as it is', (cause) => {
    expect(readableCause({ Error: 'States.TaskFailed', Cause: cause })).toStrictEqual({
      error: 'States.TaskFailed',
      cause,
    });
  });
});
