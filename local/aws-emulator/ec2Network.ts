/**
 * The emulated EC2's read-only network actions: `DescribeVpcs` and `DescribeSecurityGroups`, answered from
 * the topology (VPC CIDRs, security groups and their inbound rules) in EC2's XML.
 */
import type { Ec2IngressRule, Ec2SecurityGroup, Ec2Vpc } from './demoTopology';
import type { QueryParams } from './ec2Query';
import { el, items } from './ec2Xml';
import { AwsApiError } from './errors';

export const EC2_NETWORK_ACTIONS = ['DescribeVpcs', 'DescribeSecurityGroups'] as const;

const DEFAULT_CIDR = '10.0.0.0/16';

export function describeVpcs(params: QueryParams, vpcs: readonly Ec2Vpc[], accountId: string): string {
  const ids = params.list('VpcId');
  const missing = ids.filter((id) => !vpcs.some((v) => v.vpcId === id));
  if (missing.length > 0) {
    throw new AwsApiError('InvalidVpcID.NotFound', `The vpc ID '${missing.join(', ')}' does not exist`);
  }
  const chosen = ids.length > 0 ? vpcs.filter((v) => ids.includes(v.vpcId)) : vpcs;
  return items(
    'vpcSet',
    chosen.map((v) => {
      const cidrs = [v.cidrBlock ?? DEFAULT_CIDR, ...(v.additionalCidrBlocks ?? [])];
      return (
        el('vpcId', v.vpcId) +
        el('ownerId', accountId) +
        el('state', 'available') +
        el('cidrBlock', cidrs[0]) +
        items(
          'cidrBlockAssociationSet',
          cidrs.map(
            (cidr, i) =>
              el('associationId', `vpc-cidr-assoc-${v.vpcId.slice(4)}${i}`) +
              el('cidrBlock', cidr) +
              `<cidrBlockState>${el('state', 'associated')}</cidrBlockState>`,
          ),
        ) +
        el('isDefault', false)
      );
    }),
  );
}

export function describeSecurityGroups(
  params: QueryParams,
  groups: readonly Ec2SecurityGroup[],
  accountId: string,
): string {
  const ids = params.list('GroupId');
  const missing = ids.filter((id) => !groups.some((g) => g.groupId === id));
  if (missing.length > 0) {
    throw new AwsApiError(
      'InvalidGroup.NotFound',
      `The security group '${missing.join(', ')}' does not exist`,
    );
  }
  const chosen = ids.length > 0 ? groups.filter((g) => ids.includes(g.groupId)) : groups;
  return items(
    'securityGroupInfo',
    chosen.map(
      (g) =>
        el('ownerId', accountId) +
        el('groupId', g.groupId) +
        el('groupName', g.groupName ?? 'default') +
        el('groupDescription', g.groupName ?? 'default VPC security group') +
        el('vpcId', g.vpcId) +
        items(
          'ipPermissions',
          (g.ingress ?? []).map((rule) => permissionXml(rule, accountId)),
        ) +
        items('ipPermissionsEgress', [permissionXml({ protocol: '-1', cidrs: ['0.0.0.0/0'] }, accountId)]),
    ),
  );
}

function permissionXml(rule: Ec2IngressRule, accountId: string): string {
  const ports =
    rule.protocol === '-1' ? '' : el('fromPort', rule.fromPort ?? 0) + el('toPort', rule.toPort ?? 65535);
  return (
    el('ipProtocol', rule.protocol) +
    ports +
    items(
      'groups',
      (rule.groupIds ?? []).map((id) => el('userId', accountId) + el('groupId', id)),
    ) +
    items(
      'ipRanges',
      (rule.cidrs ?? []).map((cidr) => el('cidrIp', cidr)),
    ) +
    items('ipv6Ranges', []) +
    items('prefixListIds', [])
  );
}
