/**
 * Whether an interface endpoint's security groups let the application reach Atlas: Atlas's AWS private
 * endpoints use TCP ports 1024–65535, so the groups must admit that range from the VPC's clients. Pure: the
 * handler reads the groups and the VPC's CIDRs, this judges them. A warning, never a failure: a rule may
 * admit the clients some other way (a security-group reference, a prefix list) that this cannot see through.
 */

/** The ports Atlas's AWS private endpoints use (Atlas's documentation and troubleshooting pages). */
export const ATLAS_PRIVATE_ENDPOINT_PORTS = { from: 1024, to: 65535 } as const;

/** One inbound rule, as EC2 describes it (`IpProtocol` `tcp`, `-1` for all, …). */
export interface IngressRule {
  readonly protocol: string;
  /** Absent for protocol `-1` (every port). */
  readonly fromPort?: number;
  readonly toPort?: number;
  readonly cidrs: readonly string[];
  /** Security groups the rule admits traffic from. */
  readonly groupIds: readonly string[];
  readonly prefixListIds: readonly string[];
}

export interface SecurityGroupRules {
  readonly groupId: string;
  readonly ingress: readonly IngressRule[];
}

/** What the provisioning reports about the endpoint's security groups. */
export interface SecurityGroupCheck {
  /** `true`: the range is admitted from every CIDR of the VPC; `false`: it is not; `null`: it could not be read. */
  readonly ok: boolean | null;
  readonly detail: string;
  readonly securityGroupIds: readonly string[];
}

/** An IPv4 CIDR as [first, last] address numbers; undefined when it is not one. */
function range(cidr: string): [number, number] | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!match) return undefined;
  const octets = match.slice(1, 5).map(Number);
  const bits = Number(match[5]);
  if (octets.some((o) => o > 255) || bits > 32) return undefined;
  const address = octets.reduce((n, o) => n * 256 + o, 0);
  const size = 2 ** (32 - bits);
  const first = Math.floor(address / size) * size;
  return [first, first + size - 1];
}

/** True when every address of `inner` lies in `outer` (both IPv4 CIDRs). */
export function cidrContains(outer: string, inner: string): boolean {
  const o = range(outer);
  const i = range(inner);
  return o !== undefined && i !== undefined && o[0] <= i[0] && i[1] <= o[1];
}

/** The port ranges of `rules` that admit TCP from `cidr`. */
function tcpPortsFrom(rules: readonly IngressRule[], cidr: string): [number, number][] {
  return rules
    .filter(
      (r) =>
        (r.protocol === 'tcp' || r.protocol === '6' || r.protocol === '-1') &&
        r.cidrs.some((c) => cidrContains(c, cidr)),
    )
    .map((r) => (r.protocol === '-1' ? [0, 65535] : [r.fromPort ?? 0, r.toPort ?? 65535]));
}

/** True when the ranges together cover [from, to]. */
function covers(ranges: [number, number][], from: number, to: number): boolean {
  let next = from;
  for (const [a, b] of [...ranges].sort((x, y) => x[0] - y[0])) {
    if (a > next) break;
    next = Math.max(next, b + 1);
    if (next > to) return true;
  }
  return next > to;
}

/**
 * Judges the endpoint's security groups against the VPC's CIDRs: `ok` when, for every CIDR of the VPC, the
 * groups' rules together admit TCP 1024–65535 from it.
 *
 * @example
 * judgeSecurityGroups(['10.0.0.0/16'], [{ groupId: 'sg-1', ingress: [{ protocol: 'tcp', fromPort: 1024,
 *   toPort: 65535, cidrs: ['10.0.0.0/8'], groupIds: [], prefixListIds: [] }] }]).ok // => true
 */
export function judgeSecurityGroups(
  vpcCidrs: readonly string[],
  groups: readonly SecurityGroupRules[],
): SecurityGroupCheck {
  const { from, to } = ATLAS_PRIVATE_ENDPOINT_PORTS;
  const rules = groups.flatMap((g) => g.ingress);
  const securityGroupIds = groups.map((g) => g.groupId);
  const closed = vpcCidrs.filter((cidr) => !covers(tcpPortsFrom(rules, cidr), from, to));
  if (vpcCidrs.length > 0 && closed.length === 0) {
    return {
      ok: true,
      detail: `${securityGroupIds.join(', ')} admit TCP ${from}-${to} from the VPC (${vpcCidrs.join(', ')})`,
      securityGroupIds,
    };
  }
  const references = [...new Set(rules.flatMap((r) => [...r.groupIds, ...r.prefixListIds]))];
  const otherwise =
    references.length > 0 ? `; they admit ${references.join(', ')}, so only clients there can connect` : '';
  return {
    ok: false,
    detail:
      `no rule of ${securityGroupIds.join(', ') || 'the endpoint’s security groups'} admits TCP ${from}-${to} ` +
      `from ${closed.join(', ') || 'the VPC'}${otherwise}: Atlas's private endpoints need those ports open to the application's clients`,
    securityGroupIds,
  };
}
