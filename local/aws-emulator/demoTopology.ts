/** A VPC the emulated EC2 knows. */
export interface Ec2Vpc {
  readonly vpcId: string;
  /** @default '10.0.0.0/16' */
  readonly cidrBlock?: string;
  /** Secondary IPv4 CIDR blocks associated with the VPC. @default - none */
  readonly additionalCidrBlocks?: readonly string[];
}

/** One inbound rule of a security group. */
export interface Ec2IngressRule {
  /** `tcp`, `udp`, `icmp`, or `-1` for every protocol (and port). */
  readonly protocol: string;
  readonly fromPort?: number;
  readonly toPort?: number;
  /** IPv4 CIDRs it admits. */
  readonly cidrs?: readonly string[];
  /** Security groups it admits. */
  readonly groupIds?: readonly string[];
}

/** A subnet the emulated EC2 knows; it belongs to exactly one VPC and one Availability Zone. */
export interface Ec2Subnet {
  readonly subnetId: string;
  readonly vpcId: string;
  /** Two subnets of one interface endpoint must sit in different zones, as in AWS. */
  readonly availabilityZone: string;
}

/** A security group the emulated EC2 knows; it belongs to one VPC. */
export interface Ec2SecurityGroup {
  readonly groupId: string;
  readonly vpcId: string;
  /** @default 'default' */
  readonly groupName?: string;
  /** Inbound rules. @default - none */
  readonly ingress?: readonly Ec2IngressRule[];
}

/** The network resources an endpoint may be created in; anything else is `…NotFound`. */
export interface Ec2Topology {
  readonly vpcs: readonly Ec2Vpc[];
  readonly subnets: readonly Ec2Subnet[];
  readonly securityGroups: readonly Ec2SecurityGroup[];
}

/** The demo VPC's id (long EC2 id form: 17 hex digits). */
export const DEMO_VPC_ID = 'vpc-0d3e0a1b2c3d4e5f6';
/** The demo subnets, one per Availability Zone `a`, `b`, `c` of the region. */
export const DEMO_SUBNET_IDS = [
  'subnet-0a1a2b3c4d5e6f701',
  'subnet-0b1a2b3c4d5e6f702',
  'subnet-0c1a2b3c4d5e6f703',
] as const;
/** The demo VPC's default security group. */
export const DEMO_SECURITY_GROUP_ID = 'sg-0e1a2b3c4d5e6f708';

/**
 * The demo security group's inbound rules: traffic from the group itself (as every default group has) and
 * TCP 1024–65535 from the VPC, which Atlas's private endpoints need.
 */
export const DEMO_SECURITY_GROUP_INGRESS: readonly Ec2IngressRule[] = [
  { protocol: '-1', groupIds: [DEMO_SECURITY_GROUP_ID] },
  { protocol: 'tcp', fromPort: 1024, toPort: 65535, cidrs: ['10.0.0.0/16'] },
];

/**
 * The topology the emulator starts with unless `ec2.topology` is given: one VPC, three subnets in
 * three zones of `region`, and the VPC's default security group (with `ingress`, by default
 * {@link DEMO_SECURITY_GROUP_INGRESS}).
 *
 * @example
 * ```ts
 * const aws = await startAwsEmulator();
 * await ec2.send(new CreateVpcEndpointCommand({ VpcId: DEMO_VPC_ID, SubnetIds: [...DEMO_SUBNET_IDS], … }));
 * ```
 */
export function demoTopology(
  region = 'us-east-1',
  ingress: readonly Ec2IngressRule[] = DEMO_SECURITY_GROUP_INGRESS,
): Ec2Topology {
  return {
    vpcs: [{ vpcId: DEMO_VPC_ID, cidrBlock: '10.0.0.0/16' }],
    subnets: DEMO_SUBNET_IDS.map((subnetId, i) => ({
      subnetId,
      vpcId: DEMO_VPC_ID,
      availabilityZone: `${region}${'abc'[i]}`,
    })),
    securityGroups: [{ groupId: DEMO_SECURITY_GROUP_ID, vpcId: DEMO_VPC_ID, groupName: 'default', ingress }],
  };
}
