import {
  DescribeSecurityGroupsCommand,
  DescribeVpcsCommand,
  type EC2Client,
  type IpPermission,
} from '@aws-sdk/client-ec2';
import type { SecurityGroupRules } from '../domain/securityGroups';
import { toEc2Error } from './VpcEndpoints';

/**
 * What EC2 says of a VPC's network, read-only: its CIDRs and its security groups' inbound rules (for the
 * check that the endpoint admits Atlas's ports). Failures come out as `Ec2Error` subclasses, like
 * {@link VpcEndpoints}'.
 *
 * @example
 * const network = new Ec2Network(ec2Client());
 * const cidrs = await network.vpcCidrs('vpc-0d3e0a1b2c3d4e5f6');
 */
export class Ec2Network {
  readonly #client: EC2Client;

  constructor(client: EC2Client) {
    this.#client = client;
  }

  /** The IPv4 CIDR blocks associated with the VPC (its primary one and any added since). */
  async vpcCidrs(vpcId: string): Promise<string[]> {
    try {
      const out = await this.#client.send(new DescribeVpcsCommand({ VpcIds: [vpcId] }));
      const vpc = out.Vpcs?.find((v) => v.VpcId === vpcId);
      const associated = (vpc?.CidrBlockAssociationSet ?? [])
        .filter((a) => a.CidrBlockState?.State === undefined || a.CidrBlockState.State === 'associated')
        .map((a) => a.CidrBlock)
        .filter((c): c is string => typeof c === 'string');
      return [...new Set([...(vpc?.CidrBlock ? [vpc.CidrBlock] : []), ...associated])];
    } catch (error) {
      throw toEc2Error(error, 'DescribeVpcs');
    }
  }

  /** The inbound rules of each security group. */
  async securityGroups(groupIds: readonly string[]): Promise<SecurityGroupRules[]> {
    if (groupIds.length === 0) return [];
    try {
      const out = await this.#client.send(new DescribeSecurityGroupsCommand({ GroupIds: [...groupIds] }));
      return (out.SecurityGroups ?? []).map((g) => ({
        groupId: g.GroupId ?? '',
        ingress: (g.IpPermissions ?? []).map(toRule),
      }));
    } catch (error) {
      throw toEc2Error(error, 'DescribeSecurityGroups');
    }
  }
}

function toRule(permission: IpPermission): SecurityGroupRules['ingress'][number] {
  return {
    protocol: permission.IpProtocol ?? '-1',
    ...(permission.FromPort !== undefined ? { fromPort: permission.FromPort } : {}),
    ...(permission.ToPort !== undefined ? { toPort: permission.ToPort } : {}),
    cidrs: (permission.IpRanges ?? []).map((r) => r.CidrIp).filter((c): c is string => !!c),
    groupIds: (permission.UserIdGroupPairs ?? []).map((p) => p.GroupId).filter((g): g is string => !!g),
    prefixListIds: (permission.PrefixListIds ?? [])
      .map((p) => p.PrefixListId)
      .filter((p): p is string => !!p),
  };
}
