import { describe, expect, it } from 'vitest';
import { initialPollState, ServiceNext, Verdict } from '../../lambdas/domain/decisions';
import { parseProvisioningRequest } from '../../lambdas/domain/request';
import { createRecordAttemptHandler, type RecordAttemptEvent } from '../../lambdas/handlers/recordAttempt';
import { EXECUTION, GROUP, STARTED_AT, SUBNET, T0, testRuntime, VPC, VPCE } from './fakeRuntime';

const SERVICE_ID = '6a0b1c2d3e4f5a6b7c8d9e0f';

function event(
  verdict: Verdict,
  outcome: RecordAttemptEvent['attempt']['poll']['outcome'],
): RecordAttemptEvent {
  return {
    executionName: EXECUTION,
    executionStartedAt: STARTED_AT,
    request: parseProvisioningRequest({
      groupId: GROUP,
      region: 'us-east-1',
      vpcId: VPC,
      subnetIds: [SUBNET],
    }),
    service: {
      endpointServiceId: SERVICE_ID,
      region: 'us-east-1',
      endpointServiceName: 'com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0',
      status: 'AVAILABLE',
      next: ServiceNext.READY,
      checks: 2,
      waitSeconds: 0,
    },
    attempt: {
      number: 1,
      vpcEndpointId: VPCE,
      clientToken: 'token',
      startedAt: STARTED_AT,
      poll: {
        ...initialPollState(() => 0),
        verdict,
        ...(outcome ? { outcome } : {}),
        connectionStatus: 'AVAILABLE',
      },
    },
    history: { attempts: [], attemptsLeft: true },
  };
}

describe('recordAttempt handler', () => {
  it('records a success with the output, stamped with the runtime clock', async () => {
    // Prepare
    const runtime = testRuntime();
    runtime.setNow(T0 + 125_000);

    // Act
    const recorded = await createRecordAttemptHandler(runtime)(event(Verdict.AVAILABLE, 'AVAILABLE'));

    // Assess
    expect(recorded.result).toMatchObject({ status: 'AVAILABLE', vpcEndpointId: VPCE, durationSeconds: 125 });
    expect(recorded.attempts[0]?.endedAt).toBe(new Date(T0 + 125_000).toISOString());
    expect(recorded.attemptsLeft).toBe(false);
  });

  it('records a failed attempt with attempts left and no output', async () => {
    const recorded = await createRecordAttemptHandler(testRuntime())(event(Verdict.REMEDIATE, 'REJECTED'));

    expect(recorded.result).toBeUndefined();
    expect(recorded).toMatchObject({
      attemptsLeft: true,
      last: { willRetry: true, attempt: { outcome: 'REJECTED' } },
    });
  });
});
