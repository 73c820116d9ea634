import { EC2_XML_NAMESPACE } from './constants';

/**
 * EC2's XML, as `@aws-sdk/client-ec2` reads it (its schema's `ec2QueryName`s, e.g. `VpcEndpoint$`):
 * lowerCamelCase element names, the response's root named `<Action>Response` with a `<requestId>`,
 * every list as `<item>` children (`<subnetIdSet><item>subnet-…</item></subnetIdSet>`), no
 * `<…Result>` wrapper (the other Query services have one; EC2 does not).
 */

/** What one VPC endpoint looks like on the wire. */
export interface VpcEndpointXmlView {
  readonly vpcEndpointId: string;
  readonly vpcEndpointType: string;
  readonly vpcId: string;
  readonly serviceName: string;
  /** The region the service is in (`ServiceRegion` of a cross-region endpoint, else the endpoint's own). */
  readonly serviceRegion: string;
  /** camelCase on the wire (`pendingAcceptance`) though the SDK's enum is PascalCase. */
  readonly state: string;
  readonly policyDocument?: string;
  readonly routeTableIds: readonly string[];
  readonly subnetIds: readonly string[];
  readonly groups: readonly { readonly groupId: string; readonly groupName: string }[];
  readonly ipAddressType: string;
  readonly privateDnsEnabled: boolean;
  readonly requesterManaged: boolean;
  readonly networkInterfaceIds: readonly string[];
  readonly dnsEntries: readonly { readonly dnsName: string; readonly hostedZoneId: string }[];
  /** Milliseconds since the epoch; sent as ISO 8601 (EC2's timestamp format). */
  readonly creationTimestamp: number;
  readonly tags: readonly { readonly key: string; readonly value: string }[];
  readonly ownerId: string;
  readonly lastError?: { readonly code: string; readonly message: string };
}

/** One failed id of a batch call (`DeleteVpcEndpoints` → `<unsuccessful><item>`). */
export interface UnsuccessfulXmlItem {
  readonly resourceId: string;
  readonly code: string;
  readonly message: string;
}

export function xmlEscape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function el(name: string, text: string | number | boolean | undefined): string {
  return text === undefined ? '' : `<${name}>${xmlEscape(String(text))}</${name}>`;
}

/** A list element; an empty list is still sent (`<tagSet/>`), which the SDK reads as `[]`. */
export function items(name: string, inner: readonly string[]): string {
  return inner.length === 0
    ? `<${name}/>`
    : `<${name}>${inner.map((i) => `<item>${i}</item>`).join('')}</${name}>`;
}

const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

/** `<ActionResponse xmlns="…"><requestId>…</requestId>{body}</ActionResponse>`. */
export function ec2ResponseXml(action: string, requestId: string, body: string): string {
  return `${DECLARATION}<${action}Response xmlns="${EC2_XML_NAMESPACE}">${el('requestId', requestId)}${body}</${action}Response>`;
}

/**
 * EC2's error document. Unlike the success documents it has no namespace, and the request id is
 * `<RequestID>` (capital ID), outside `<Errors>`; the SDK reads `Errors.Error.Code` as the error name.
 */
export function ec2ErrorXml(code: string, message: string, requestId: string): string {
  return `${DECLARATION}<Response><Errors><Error>${el('Code', code)}${el('Message', message)}</Error></Errors>${el('RequestID', requestId)}</Response>`;
}

/** The first part of a success document, cut off where a network glitch might: the SDK cannot parse it. */
export function truncatedEc2ResponseXml(action: string, requestId: string): string {
  return ec2ResponseXml(action, requestId, '<vpcEndpoint><vpcEndpointId>vpce-').slice(
    0,
    -`</${action}Response>`.length,
  );
}

/** The members of one `VpcEndpoint` (to wrap in `<vpcEndpoint>` or `<item>`). */
export function vpcEndpointXml(e: VpcEndpointXmlView): string {
  return [
    el('vpcEndpointId', e.vpcEndpointId),
    el('vpcEndpointType', e.vpcEndpointType),
    el('vpcId', e.vpcId),
    el('serviceName', e.serviceName),
    el('serviceRegion', e.serviceRegion),
    el('state', e.state),
    el('policyDocument', e.policyDocument),
    items(
      'routeTableIdSet',
      e.routeTableIds.map((id) => xmlEscape(id)),
    ),
    items(
      'subnetIdSet',
      e.subnetIds.map((id) => xmlEscape(id)),
    ),
    items(
      'groupSet',
      e.groups.map((g) => el('groupId', g.groupId) + el('groupName', g.groupName)),
    ),
    el('ipAddressType', e.ipAddressType),
    `<dnsOptions>${el('dnsRecordIpType', e.ipAddressType)}</dnsOptions>`,
    el('privateDnsEnabled', e.privateDnsEnabled),
    el('requesterManaged', e.requesterManaged),
    items(
      'networkInterfaceIdSet',
      e.networkInterfaceIds.map((id) => xmlEscape(id)),
    ),
    items(
      'dnsEntrySet',
      e.dnsEntries.map((d) => el('dnsName', d.dnsName) + el('hostedZoneId', d.hostedZoneId)),
    ),
    el('creationTimestamp', new Date(e.creationTimestamp).toISOString()),
    items(
      'tagSet',
      e.tags.map((t) => el('key', t.key) + el('value', t.value)),
    ),
    el('ownerId', e.ownerId),
    e.lastError
      ? `<lastError>${el('message', e.lastError.message)}${el('code', e.lastError.code)}</lastError>`
      : '',
  ].join('');
}

export function createVpcEndpointXml(endpoint: VpcEndpointXmlView, clientToken: string | undefined): string {
  return `<vpcEndpoint>${vpcEndpointXml(endpoint)}</vpcEndpoint>${el('clientToken', clientToken)}`;
}

export function describeVpcEndpointsXml(
  endpoints: readonly VpcEndpointXmlView[],
  nextToken: string | undefined,
): string {
  return items('vpcEndpointSet', endpoints.map(vpcEndpointXml)) + el('nextToken', nextToken);
}

export function deleteVpcEndpointsXml(unsuccessful: readonly UnsuccessfulXmlItem[]): string {
  return items(
    'unsuccessful',
    unsuccessful.map(
      (u) =>
        `<error>${el('code', u.code)}${el('message', u.message)}</error>${el('resourceId', u.resourceId)}`,
    ),
  );
}
