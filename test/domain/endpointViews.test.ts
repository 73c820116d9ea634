import { describe, expect, it } from 'vitest';
import { encodeListToken, parseListQuery, summarize } from '../../lambdas/domain/endpointViews';
import { ManagedTag } from '../../lambdas/domain/request';

const GROUP = '5f0c1a2b3c4d5e6f7a8b9c0d';
const MANAGED_BY = 'AtlasPrivateLink';

describe('parseListQuery', () => {
  it('defaults the limit to 20 and takes a token this API issued', () => {
    expect(parseListQuery(null)).toStrictEqual({ limit: 20 });
    expect(parseListQuery({ limit: '50', nextToken: encodeListToken('sfn-token') })).toStrictEqual({
      limit: 50,
      stepFunctionsToken: 'sfn-token',
    });
  });

  it.each([
    [{ limit: '0' }, 'limit'],
    [{ limit: '51' }, 'limit'],
    [{ limit: '1.5' }, 'limit'],
    [{ limit: 'ten' }, 'limit'],
    [{ nextToken: 'not-ours' }, 'nextToken'],
    [{ nextToken: Buffer.from('{"v":2,"sfn":"x"}').toString('base64url') }, 'nextToken'],
    [{ status: 'AVAILABLE' }, 'status'],
  ])('names the field of %j', (query, field) => {
    const parsed = parseListQuery(query);

    expect('violations' in parsed && parsed.violations.map((v) => v.field)).toStrictEqual([field]);
  });
});

/** Executions of this deployment's provisioning state machine: `${EXECUTIONS}<name>`. */
const EXECUTIONS = 'arn:aws:states:us-east-1:123456789012:execution:AtlasPrivateLink-Provisioning:';

describe('summarize', () => {
  it('finds a running provisioning’s endpoint by its latest attempt’s tags, this deployment’s only', () => {
    const tagged = (id: string, attempt: string, managedBy = MANAGED_BY, state = 'available') => ({
      vpcEndpointId: id,
      state,
      tags: {
        [ManagedTag.execution]: `${EXECUTIONS}req-1`,
        [ManagedTag.managedBy]: managedBy,
        [ManagedTag.attempt]: attempt,
        [ManagedTag.groupId]: GROUP,
      },
    });

    const summary = summarize({
      provisioning: {
        executionArn: `${EXECUTIONS}req-1`,
        name: 'req-1',
        status: 'RUNNING',
        startedAt: '2026-12-01T10:00:00.000Z',
        input: {},
      },
      tagged: [
        tagged('vpce-00000000000000001', '1', MANAGED_BY, 'deleted'),
        tagged('vpce-00000000000000002', '2'),
        tagged('vpce-00000000000000003', '3', 'another-deployment'),
      ],
      managedBy: MANAGED_BY,
      deploymentRegion: 'us-east-1',
    });

    expect(summary).toStrictEqual({
      executionId: 'req-1',
      groupId: GROUP,
      region: 'us-east-1',
      vpcEndpointId: 'vpce-00000000000000002',
      status: 'PROVISIONING',
      startedAt: '2026-12-01T10:00:00.000Z',
    });
  });

  it('reads a succeeded provisioning from its input and output, DELETED once its deprovisioning succeeded', () => {
    const summary = summarize({
      provisioning: {
        executionArn: `${EXECUTIONS}req-2`,
        name: 'req-2',
        status: 'SUCCEEDED',
        startedAt: '2026-12-01T10:00:00.000Z',
        input: { groupId: GROUP, region: 'EU_WEST_1' },
        output: { vpcEndpointId: 'vpce-0123456789abcdef0', groupId: GROUP },
      },
      deprovisioningStatus: 'SUCCEEDED',
      tagged: [],
      managedBy: MANAGED_BY,
    });

    expect(summary).toMatchObject({
      region: 'eu-west-1',
      vpcEndpointId: 'vpce-0123456789abcdef0',
      status: 'DELETED',
    });
  });
});
