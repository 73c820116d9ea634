/**
 * Checks of the Atlas client's arguments, made before any request is sent: a malformed id would only
 * come back as a 400 or 404 after a round trip, and could be mistaken for "not found".
 */

import { type FieldViolation, InvalidRequestError } from '../errors';
import { describeReceived, IdForm, type IdKind, isId } from '../ids';
import { atlasRegion, awsRegionForms, REGION_EXPECTED } from '../regions';
import { CloudProvider } from './types';

type Check = FieldViolation | undefined;

/** Throws one {@link InvalidRequestError} listing every violation, if there is any. */
export function refuseViolations(checks: readonly Check[]): void {
  const violations = checks.filter((check): check is FieldViolation => check !== undefined);
  if (violations.length > 0) throw new InvalidRequestError(violations);
}

function violation(field: string, expected: string, received: unknown): FieldViolation {
  return { field, message: `expected ${expected}, received ${describeReceived(received)}` };
}

function idCheck(field: string, kind: IdKind, value: unknown): Check {
  return isId(kind, value) ? undefined : violation(field, IdForm[kind].expected, value);
}

const PROVIDERS: readonly string[] = Object.values(CloudProvider);

/** How many remote regions Atlas lets an AWS endpoint service support (`maxItems` in the spec). */
export const MAX_REMOTE_REGIONS = 35;

/** Remote regions as Atlas expects them: its own form (`EU_WEST_1`), each once, in the order given. */
export function atlasRemoteRegions(regions: readonly string[]): string[] {
  return [...new Set(regions.map((region) => atlasRegion(region) ?? region))];
}

/** Atlas's own spelling of AWS regions (`US_EAST_1`), which it accepts besides `us-east-1`. */
/** Azure (`eastus2`, `US_EAST_2`) and GCP (`us-central1`, `CENTRAL_US`) region names. */
const OTHER_REGION = /^[A-Za-z][A-Za-z0-9_-]{1,62}$/;
/** GCP names (endpoint group, forwarding rule): kept permissive, since Atlas documents no pattern for them. */
const GCP_NAME = /^\S{1,255}$/;

export const check = {
  groupId: (value: unknown): Check => idCheck('groupId', 'groupId', value),

  endpointServiceId: (value: unknown): Check => idCheck('endpointServiceId', 'endpointServiceId', value),

  /** `field` is the name the caller used: `providerName` in a create body, `cloudProvider` in a path. */
  provider: (field: 'providerName' | 'cloudProvider', value: unknown): Check =>
    typeof value === 'string' && PROVIDERS.includes(value)
      ? undefined
      : violation(field, `one of ${PROVIDERS.join(', ')}`, value),

  region: (provider: unknown, value: unknown): Check => {
    if (provider === 'AWS') {
      return awsRegionForms(value) ? undefined : violation('region', REGION_EXPECTED, value);
    }
    return typeof value === 'string' && OTHER_REGION.test(value)
      ? undefined
      : violation('region', 'a region name such as "eastus2" or "us-central1"', value);
  },

  /**
   * `supportedRemoteRegions` of a create or update: AWS only, at most {@link MAX_REMOTE_REGIONS} AWS regions
   * in either form, none of them the service's own (`ownRegion`, when known).
   */
  remoteRegions: (provider: unknown, value: unknown, ownRegion?: string): Check[] => {
    const field = 'supportedRemoteRegions';
    if (value === undefined) return [];
    if (provider !== 'AWS') {
      return [{ field, message: 'only AWS endpoint services support remote regions' }];
    }
    if (!Array.isArray(value) || value.length > MAX_REMOTE_REGIONS) {
      return [violation(field, `an array of at most ${MAX_REMOTE_REGIONS} AWS regions`, value)];
    }
    const own = atlasRegion(ownRegion);
    return value.map((region, i) => {
      if (!awsRegionForms(region)) return violation(`${field}[${i}]`, REGION_EXPECTED, region);
      if (own !== undefined && atlasRegion(region) === own) {
        return {
          field: `${field}[${i}]`,
          message: `${JSON.stringify(region)} is the service's own region, which it supports anyway`,
        };
      }
      return undefined;
    });
  },

  /** The endpoint id in a path: AWS `vpce-…`, Azure ARM id, GCP endpoint group name. */
  endpointId: (provider: CloudProvider, value: unknown, field = 'endpointId'): Check => {
    if (provider === 'AWS') return idCheck(field, 'vpcEndpointId', value);
    if (provider === 'AZURE') return idCheck(field, 'azurePrivateEndpointId', value);
    return typeof value === 'string' && GCP_NAME.test(value)
      ? undefined
      : violation(field, 'a GCP endpoint group name (1 to 255 characters, no spaces)', value);
  },

  /** A create-endpoint body of the given provider; returns every violation found. */
  createEndpointBody: (provider: CloudProvider, body: unknown): Check[] => {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      return [violation('body', `a ${provider} endpoint request object`, body)];
    }
    const fields = body as Record<string, unknown>;
    if (provider === 'AWS') return [check.endpointId('AWS', fields['id'], 'id')];
    if (provider === 'AZURE') {
      return [
        check.endpointId('AZURE', fields['id'], 'id'),
        idCheck('privateEndpointIPAddress', 'ipAddress', fields['privateEndpointIPAddress']),
      ];
    }
    const endpoints = fields['endpoints'];
    const endpointChecks: Check[] =
      endpoints === undefined
        ? []
        : Array.isArray(endpoints)
          ? endpoints.flatMap((endpoint, i) => gcpForwardingRuleChecks(endpoint, `endpoints[${i}]`))
          : [violation('endpoints', 'an array of {endpointName, ipAddress}', endpoints)];
    return [
      check.endpointId('GCP', fields['endpointGroupName'], 'endpointGroupName'),
      idCheck('gcpProjectId', 'gcpProjectId', fields['gcpProjectId']),
      ...endpointChecks,
    ];
  },
} as const;

function gcpForwardingRuleChecks(endpoint: unknown, field: string): Check[] {
  if (typeof endpoint !== 'object' || endpoint === null || Array.isArray(endpoint)) {
    return [violation(field, 'an object {endpointName, ipAddress}', endpoint)];
  }
  const { endpointName, ipAddress } = endpoint as Record<string, unknown>;
  return [
    endpointName === undefined || (typeof endpointName === 'string' && GCP_NAME.test(endpointName))
      ? undefined
      : violation(`${field}.endpointName`, 'a GCP forwarding rule name', endpointName),
    ipAddress === undefined ? undefined : idCheck(`${field}.ipAddress`, 'ipAddress', ipAddress),
  ];
}
