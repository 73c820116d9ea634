import { describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../lambdas/errors';
import { createValidateRequestHandler } from '../../lambdas/handlers/validateRequest';
import { EXECUTION, GROUP, STARTED_AT, SUBNET, testRuntime, VPC } from './fakeRuntime';

const handler = createValidateRequestHandler(testRuntime());

describe('validateRequest handler', () => {
  it('hands on the request with its defaults, the execution and empty counters', async () => {
    // Act
    const state = await handler({
      input: { groupId: GROUP, region: 'us-east-1', vpcId: VPC, subnetIds: [SUBNET] },
      executionName: EXECUTION,
      executionStartedAt: STARTED_AT,
    });

    // Assess
    expect(state).toStrictEqual({
      request: {
        groupId: GROUP,
        region: 'us-east-1',
        vpcId: VPC,
        subnetIds: [SUBNET],
        securityGroupIds: [],
        maxAttempts: 3,
        timeoutSeconds: 3600,
        connectionStringTimeoutSeconds: 1800,
        tags: {},
      },
      execution: { name: EXECUTION, startedAt: STARTED_AT },
      service: { checks: 0 },
      history: { attempts: [], attemptsLeft: true },
    });
  });

  it('fails with InvalidRequestError naming every bad field', async () => {
    // Act
    const error = await handler({
      input: { groupId: GROUP, region: 'us-east-1', vpcId: 'vpc-1', subnetIds: [SUBNET, 'subnet-x'] },
      executionName: EXECUTION,
      executionStartedAt: STARTED_AT,
    }).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect((error as InvalidRequestError).name).toBe('InvalidRequestError');
    expect((error as InvalidRequestError).violations.map((v) => v.field)).toStrictEqual([
      'vpcId',
      'subnetIds[1]',
    ]);
  });

  it('hands on the caller an API or EventBridge start recorded as requestedBy', async () => {
    const caller = 'arn:aws:sts::123456789012:assumed-role/TeamA';

    const state = await handler({
      input: { groupId: GROUP, region: 'us-east-1', vpcId: VPC, subnetIds: [SUBNET], requestedBy: caller },
      executionName: EXECUTION,
      executionStartedAt: STARTED_AT,
    });

    expect(state.request.requestedBy).toBe(caller);
  });

  it.each([
    ['a number', 42],
    ['empty', ''],
    ['with a control character', 'arn:aws:iam::123456789012:user/a\nb'],
    ['longer than 2048 characters', `arn:aws:iam::123456789012:user/${'a'.repeat(2048)}`],
  ])('fails with InvalidRequestError naming requestedBy when it is %s', async (_what, requestedBy) => {
    const error = await handler({
      input: { groupId: GROUP, region: 'us-east-1', vpcId: VPC, subnetIds: [SUBNET], requestedBy },
      executionName: EXECUTION,
      executionStartedAt: STARTED_AT,
    }).catch((e: unknown) => e);

    expect((error as InvalidRequestError).violations.map((v) => v.field)).toStrictEqual(['requestedBy']);
  });

  it('fails with InvalidRequestError when the execution input is not an object', async () => {
    await expect(
      handler({ input: 'start please', executionName: EXECUTION, executionStartedAt: STARTED_AT }),
    ).rejects.toThrow(/\(request\): expected a JSON object/);
  });
});
