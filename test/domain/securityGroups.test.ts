import { describe, expect, it } from 'vitest';
import {
  cidrContains,
  type IngressRule,
  judgeSecurityGroups,
  type SecurityGroupRules,
} from '../../lambdas/domain/securityGroups';

const rule = (overrides: Partial<IngressRule>): IngressRule => ({
  protocol: 'tcp',
  cidrs: [],
  groupIds: [],
  prefixListIds: [],
  ...overrides,
});
const group = (...ingress: IngressRule[]): SecurityGroupRules => ({ groupId: 'sg-1', ingress });
const VPC = ['10.0.0.0/16'];

describe('judgeSecurityGroups', () => {
  it('is ok when one rule admits TCP 1024-65535 from a CIDR holding the VPC', () => {
    const check = judgeSecurityGroups(VPC, [
      group(rule({ fromPort: 1024, toPort: 65535, cidrs: ['10.0.0.0/8'] })),
    ]);

    expect(check).toMatchObject({ ok: true, securityGroupIds: ['sg-1'] });
    expect(check.detail).toContain('10.0.0.0/16');
  });

  it('is ok when rules of several groups together cover the range', () => {
    const check = judgeSecurityGroups(VPC, [
      group(rule({ fromPort: 1024, toPort: 27017, cidrs: VPC })),
      { groupId: 'sg-2', ingress: [rule({ fromPort: 27018, toPort: 65535, cidrs: ['0.0.0.0/0'] })] },
    ]);

    expect(check.ok).toBe(true);
    expect(check.securityGroupIds).toEqual(['sg-1', 'sg-2']);
  });

  it('is ok for an all-traffic rule (protocol -1) from the VPC', () => {
    expect(judgeSecurityGroups(VPC, [group(rule({ protocol: '-1', cidrs: VPC }))]).ok).toBe(true);
  });

  it.each([
    ['a range that stops short', rule({ fromPort: 1024, toPort: 65534, cidrs: VPC })],
    ['a range with a gap', rule({ fromPort: 1025, toPort: 65535, cidrs: VPC })],
    ['UDP only', rule({ protocol: 'udp', fromPort: 0, toPort: 65535, cidrs: VPC })],
    ['a CIDR narrower than the VPC', rule({ fromPort: 1024, toPort: 65535, cidrs: ['10.0.1.0/24'] })],
  ])('warns for %s', (_what, only) => {
    const check = judgeSecurityGroups(VPC, [group(only)]);

    expect(check.ok).toBe(false);
    expect(check.detail).toMatch(/no rule of sg-1 admits TCP 1024-65535 from 10\.0\.0\.0\/16/);
  });

  it('warns when only one of the VPC’s CIDRs is admitted, naming the other', () => {
    const check = judgeSecurityGroups(
      ['10.0.0.0/16', '100.64.0.0/16'],
      [group(rule({ fromPort: 1024, toPort: 65535, cidrs: ['10.0.0.0/16'] }))],
    );

    expect(check.ok).toBe(false);
    expect(check.detail).toContain('from 100.64.0.0/16');
    expect(check.detail).not.toContain('from 10.0.0.0/16');
  });

  it('warns for a group that admits only itself, and says only its members can connect', () => {
    const check = judgeSecurityGroups(VPC, [group(rule({ protocol: '-1', groupIds: ['sg-1'] }))]);

    expect(check.ok).toBe(false);
    expect(check.detail).toContain('they admit sg-1, so only clients there can connect');
  });

  it('warns when there are no groups or no CIDRs to judge', () => {
    expect(judgeSecurityGroups(VPC, []).ok).toBe(false);
    expect(judgeSecurityGroups([], [group(rule({ protocol: '-1', cidrs: ['0.0.0.0/0'] }))]).ok).toBe(false);
  });
});

describe('cidrContains', () => {
  it.each([
    ['10.0.0.0/8', '10.1.0.0/16', true],
    ['10.0.0.0/16', '10.0.0.0/16', true],
    ['0.0.0.0/0', '192.168.1.0/24', true],
    ['10.0.0.0/16', '10.0.0.0/8', false],
    ['10.0.0.0/16', '10.1.0.0/16', false],
    ['10.0.0.0/33', '10.0.0.0/16', false],
    ['10.0.0.256/16', '10.0.0.0/16', false],
    ['not a cidr', '10.0.0.0/16', false],
  ])('%s holds %s: %s', (outer, inner, expected) => {
    expect(cidrContains(outer, inner)).toBe(expected);
  });
});
