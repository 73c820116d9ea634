/**
 * What "Register with Atlas" accepts as this execution's endpoint, in words: the refusals name what EC2
 * reported, or say it reported nothing.
 */
import { describe, expect, it } from 'vitest';
import { type DescribedEndpoint, registrationRefusal } from '../../lambdas/domain/registration';
import { ManagedTag } from '../../lambdas/domain/request';

const ACCOUNT = '123456789012';
const SERVICE = 'com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0';
const EXECUTION = `arn:aws:states:us-east-1:${ACCOUNT}:execution:AtlasPrivateLink-Provisioning:key-1`;
const expected = {
  accountId: ACCOUNT,
  serviceName: SERVICE,
  managedBy: 'Team-1a2b3c4d',
  executionTag: EXECUTION,
};
const ours: DescribedEndpoint = {
  ownerId: ACCOUNT,
  serviceName: SERVICE,
  tags: { [ManagedTag.managedBy]: 'Team-1a2b3c4d', [ManagedTag.execution]: EXECUTION },
};

describe('registrationRefusal', () => {
  it('accepts the endpoint this execution created', () => {
    expect(registrationRefusal(ours, expected)).toBeUndefined();
  });

  it('says when EC2 reported no owner', () => {
    const { ownerId: _, ...ownerless } = ours;
    expect(registrationRefusal(ownerless, expected)).toBe(
      `it belongs to account (not reported), not ${ACCOUNT}`,
    );
  });

  it('says when EC2 reported no service name', () => {
    expect(registrationRefusal({ ...ours, serviceName: '' }, expected)).toBe(
      `it connects to (no service), not to ${SERVICE}`,
    );
  });

  it('names another account and another service as EC2 reported them', () => {
    expect(registrationRefusal({ ...ours, ownerId: '210987654321' }, expected)).toBe(
      `it belongs to account 210987654321, not ${ACCOUNT}`,
    );
    expect(registrationRefusal({ ...ours, serviceName: `${SERVICE}1` }, expected)).toBe(
      `it connects to ${SERVICE}1, not to ${SERVICE}`,
    );
  });
});
