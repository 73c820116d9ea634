import { describe, expect, it } from 'vitest';
import {
  claimedBy,
  confirmTags,
  endpointServiceStep,
  lifecycleStatus,
  parseDeletionOptions,
  parseDeprovisioningRequest,
  provenTarget,
  registrationStep,
  ServiceOutcome,
  vpcEndpointStep,
} from '../../lambdas/domain/deprovisioning';
import { ManagedTag } from '../../lambdas/domain/request';
import {
  InvalidRequestError,
  ProvisioningNotDeletableError,
  ProvisioningNotFoundError,
} from '../../lambdas/errors';

const EXECUTION = 'key-0123456789abcdef0123456789abcdef01234567';
const EXECUTIONS = 'arn:aws:states:us-east-1:123456789012:execution:AtlasPrivateLink-Provisioning:';
const EXECUTION_ARN = `${EXECUTIONS}${EXECUTION}`;
/** This deployment's provisioning state machine, as the Executions adapter reads execution ARNs. */
const provisionings = {
  nameOf: (arn: string) => (arn.startsWith(EXECUTIONS) ? arn.slice(EXECUTIONS.length) : undefined),
};
const VPCE = 'vpce-0123456789abcdef0';
const GROUP = '5f0c1a2b3c4d5e6f7a8b9c0d';
const SERVICE = '6b0a0000000000000000abcd';
const MANAGED_BY = 'AtlasPrivateLink';
const output = { status: 'AVAILABLE', vpcEndpointId: VPCE, groupId: GROUP, endpointServiceId: SERVICE };
const target = {
  executionId: EXECUTION,
  executionArn: EXECUTION_ARN,
  groupId: GROUP,
  endpointServiceId: SERVICE,
  vpcEndpointId: VPCE,
};
const tagsOf = (managedBy: string, execution: string) => ({
  [ManagedTag.managedBy]: managedBy,
  [ManagedTag.execution]: execution,
});

function violationsOf(run: () => unknown): { field: string; message: string }[] {
  try {
    run();
  } catch (error) {
    if (error instanceof InvalidRequestError) return [...error.violations];
    throw error;
  }
  throw new Error('expected InvalidRequestError');
}

describe('parseDeprovisioningRequest', () => {
  it('takes an executionId or a vpcEndpointId, deleteEndpointService defaulting to false', () => {
    expect(parseDeprovisioningRequest({ executionId: EXECUTION })).toStrictEqual({
      executionId: EXECUTION,
      deleteEndpointService: false,
    });
    expect(parseDeprovisioningRequest({ vpcEndpointId: VPCE, deleteEndpointService: true })).toStrictEqual({
      vpcEndpointId: VPCE,
      deleteEndpointService: true,
    });
  });

  it.each([
    [{}, 'executionId'],
    [{ executionId: EXECUTION, vpcEndpointId: VPCE }, 'vpcEndpointId'],
    [{ executionId: 'has spaces' }, 'executionId'],
    [{ vpcEndpointId: 'vpce-1' }, 'vpcEndpointId'],
    [{ executionId: EXECUTION, deleteEndpointService: 'yes' }, 'deleteEndpointService'],
    [{ executionId: EXECUTION, force: true }, 'force'],
    ['text', '(request)'],
  ])('fails naming the field for %j', (input, field) => {
    expect(violationsOf(() => parseDeprovisioningRequest(input)).map((v) => v.field)).toStrictEqual([field]);
  });
});

describe('parseDeletionOptions', () => {
  it('takes nothing or { deleteEndpointService }, and names anything else', () => {
    expect(parseDeletionOptions(undefined)).toStrictEqual({ deleteEndpointService: false });
    expect(parseDeletionOptions({ deleteEndpointService: true })).toStrictEqual({
      deleteEndpointService: true,
    });
    expect(violationsOf(() => parseDeletionOptions([])).map((v) => v.field)).toStrictEqual(['(body)']);
    expect(
      violationsOf(() => parseDeletionOptions({ executionId: EXECUTION })).map((v) => v.field),
    ).toStrictEqual(['executionId']);
  });
});

describe('provenTarget', () => {
  it("proves the endpoint from a succeeded provisioning's own output", () => {
    expect(
      provenTarget(
        { executionArn: EXECUTION_ARN, name: EXECUTION, status: 'SUCCEEDED', output },
        { executionId: EXECUTION },
      ),
    ).toStrictEqual(target);
  });

  it('fails ProvisioningNotFound for no provisioning, or an endpoint its output did not record', () => {
    expect(() => provenTarget(undefined, { executionId: EXECUTION })).toThrow(ProvisioningNotFoundError);
    expect(() =>
      provenTarget(
        { executionArn: EXECUTION_ARN, name: EXECUTION, status: 'SUCCEEDED', output },
        { executionId: EXECUTION, vpcEndpointId: 'vpce-0ffffffffffffffff' },
      ),
    ).toThrow(ProvisioningNotFoundError);
  });

  it.each(['RUNNING', 'FAILED', 'ABORTED', 'TIMED_OUT'])(
    'fails ProvisioningNotDeletable naming %s',
    (status) => {
      const error = (() => {
        try {
          provenTarget({ executionArn: EXECUTION_ARN, name: EXECUTION, status }, { executionId: EXECUTION });
        } catch (e) {
          return e as ProvisioningNotDeletableError;
        }
        throw new Error('expected a refusal');
      })();

      expect(error).toBeInstanceOf(ProvisioningNotDeletableError);
      expect(error.status).toBe(status);
      expect(error.message).toContain(status);
    },
  );

  it('fails ProvisioningNotDeletable for a succeeded output that records no endpoint', () => {
    expect(() =>
      provenTarget(
        {
          executionArn: EXECUTION_ARN,
          name: EXECUTION,
          status: 'SUCCEEDED',
          output: { status: 'AVAILABLE' },
        },
        { executionId: EXECUTION },
      ),
    ).toThrow(ProvisioningNotDeletableError);
  });
});

describe('claimedBy and confirmTags', () => {
  it('lead from an endpoint of this deployment to its execution, by the ARN it is tagged with', () => {
    expect(
      claimedBy(
        { vpcEndpointId: VPCE, tags: tagsOf(MANAGED_BY, EXECUTION_ARN) },
        VPCE,
        MANAGED_BY,
        provisionings,
      ),
    ).toBe(EXECUTION);
    expect(() =>
      confirmTags({ vpcEndpointId: VPCE, tags: tagsOf(MANAGED_BY, EXECUTION_ARN) }, target, MANAGED_BY),
    ).not.toThrow();
    expect(() => confirmTags(undefined, target, MANAGED_BY)).not.toThrow();
  });

  it('refuse an unknown endpoint, another deployment’s, or one tagged with another execution', () => {
    expect(() => claimedBy(undefined, VPCE, MANAGED_BY, provisionings)).toThrow(ProvisioningNotFoundError);
    expect(() =>
      claimedBy(
        { vpcEndpointId: VPCE, tags: tagsOf('another-deployment', EXECUTION_ARN) },
        VPCE,
        MANAGED_BY,
        provisionings,
      ),
    ).toThrow(ProvisioningNotFoundError);
    expect(() =>
      confirmTags(
        { vpcEndpointId: VPCE, tags: tagsOf('another-deployment', EXECUTION_ARN) },
        target,
        MANAGED_BY,
      ),
    ).toThrow(ProvisioningNotFoundError);
    expect(() =>
      confirmTags(
        { vpcEndpointId: VPCE, tags: tagsOf(MANAGED_BY, `${EXECUTIONS}key-other`) },
        target,
        MANAGED_BY,
      ),
    ).toThrow(ProvisioningNotFoundError);
  });

  it('refuse an endpoint tagged with the bare execution name, or an execution of another state machine', () => {
    for (const tag of [
      EXECUTION,
      `arn:aws:states:us-east-1:123456789012:execution:OldStack-Provisioning:${EXECUTION}`,
    ]) {
      expect(() =>
        claimedBy({ vpcEndpointId: VPCE, tags: tagsOf(MANAGED_BY, tag) }, VPCE, MANAGED_BY, provisionings),
      ).toThrow(ProvisioningNotFoundError);
      expect(() =>
        confirmTags({ vpcEndpointId: VPCE, tags: tagsOf(MANAGED_BY, tag) }, target, MANAGED_BY),
      ).toThrow(ProvisioningNotFoundError);
    }
  });
});

describe('the deletion steps', () => {
  it('delete a registration once, then wait until Atlas answers 404', () => {
    expect(registrationStep({ connectionStatus: 'AVAILABLE', deleteRequested: false })).toBe('DELETE');
    expect(registrationStep({ connectionStatus: 'AVAILABLE', deleteRequested: true })).toBe('WAIT');
    expect(registrationStep({ connectionStatus: 'DELETING', deleteRequested: false })).toBe('WAIT');
    expect(registrationStep(undefined)).toBe('GONE');
  });

  it('delete a VPC endpoint once, then wait until EC2 says deleted (or forgets it)', () => {
    expect(vpcEndpointStep('available')).toBe('DELETE');
    expect(vpcEndpointStep('rejected')).toBe('DELETE');
    expect(vpcEndpointStep('deleting')).toBe('WAIT');
    expect(vpcEndpointStep('deleted')).toBe('GONE');
    expect(vpcEndpointStep(undefined)).toBe('GONE');
  });

  it('keep an endpoint service other endpoints use, delete an unused one, and wait while Atlas still lists ours', () => {
    expect(
      endpointServiceStep({ interfaceEndpoints: [VPCE, 'vpce-0aaaaaaaaaaaaaaa0'] }, VPCE, false),
    ).toMatchObject({
      step: 'DONE',
      outcome: ServiceOutcome.KEPT,
      reason: expect.stringContaining('vpce-0aaaaaaaaaaaaaaa0'),
    });
    expect(endpointServiceStep({ interfaceEndpoints: [VPCE] }, VPCE, false)).toStrictEqual({ step: 'WAIT' });
    expect(endpointServiceStep({ interfaceEndpoints: [] }, VPCE, false)).toStrictEqual({ step: 'DELETE' });
    expect(endpointServiceStep({ status: 'DELETING', interfaceEndpoints: [] }, VPCE, true)).toStrictEqual({
      step: 'WAIT',
    });
    expect(endpointServiceStep(undefined, VPCE, true)).toMatchObject({
      step: 'DONE',
      outcome: ServiceOutcome.DELETED,
    });
    expect(endpointServiceStep(undefined, VPCE, false)).toMatchObject({
      step: 'DONE',
      outcome: ServiceOutcome.GONE,
    });
  });
});

describe('lifecycleStatus', () => {
  it.each([
    ['RUNNING', undefined, 'PROVISIONING'],
    ['FAILED', undefined, 'FAILED'],
    ['TIMED_OUT', undefined, 'FAILED'],
    ['SUCCEEDED', undefined, 'AVAILABLE'],
    ['SUCCEEDED', 'RUNNING', 'DELETING'],
    ['SUCCEEDED', 'FAILED', 'DELETING'],
    ['SUCCEEDED', 'SUCCEEDED', 'DELETED'],
  ])('reads provisioning %s with deprovisioning %s as %s', (provisioning, deprovisioning, expected) => {
    expect(lifecycleStatus(provisioning, deprovisioning)).toBe(expected);
  });
});
