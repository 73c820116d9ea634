import { CloudProvider } from '../../lambdas/atlas/types';
import { IdForm } from '../../lambdas/ids';
import { AtlasApiError, AtlasErrorCode } from './errors';
import { awsRegionForms, otherRegionName } from './naming';

/** How many remote regions one AWS endpoint service may support (`maxItems` in the spec). */
export const MAX_REMOTE_REGIONS = 35;

/** Atlas's own spelling of an AWS region; remote regions must be given in it (`us-east-1` is refused). */
const ATLAS_AWS_REGION = /^[A-Z]{2}(?:_GOV|_ISO[A-Z]?)?_[A-Z]+_\d$/;

const providers = Object.values(CloudProvider) as string[];

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function missing(attribute: string): AtlasApiError {
  return new AtlasApiError(
    400,
    AtlasErrorCode.MISSING_ATTRIBUTE,
    `The required attribute ${attribute} was not specified.`,
    [attribute],
  );
}

function invalid(attribute: string): AtlasApiError {
  return new AtlasApiError(
    400,
    AtlasErrorCode.INVALID_ATTRIBUTE,
    `Invalid attribute ${attribute} specified.`,
    [attribute],
  );
}

function requireObject(body: unknown): Record<string, unknown> {
  if (!isObject(body))
    throw new AtlasApiError(400, AtlasErrorCode.INVALID_JSON, 'Expected a JSON object in the request body.');
  return body;
}

function requireString(body: Record<string, unknown>, attribute: string): string {
  const value = body[attribute];
  if (value === undefined || value === null || value === '') throw missing(attribute);
  if (typeof value !== 'string') throw invalid(attribute);
  return value;
}

export interface ParsedServiceRequest {
  readonly cloudProvider: CloudProvider;
  /** Atlas form: `US_EAST_1`. */
  readonly regionName: string;
  /** AWS form (`us-east-1`), AWS only. */
  readonly awsRegion?: string;
  readonly portMappingEnabled: boolean;
  /** Atlas form, AWS only; empty when none were given. */
  readonly supportedRemoteRegions: readonly string[];
}

function providerUnsupported(provider: string): AtlasApiError {
  return new AtlasApiError(
    400,
    AtlasErrorCode.PROVIDER_UNSUPPORTED,
    `Cross-region private endpoints are not supported for provider ${provider}; only AWS endpoint services have supportedRemoteRegions.`,
    [provider],
  );
}

/**
 * `supportedRemoteRegions` of a create or an update: an array (or null, for none) of at most 35 AWS regions in
 * Atlas's form, none of them the service's own (`CROSS_REGION_PRIVATE_LINK_SELF_REGION`, as Atlas answers).
 * Duplicates are kept once (emulator choice).
 */
export function parseRemoteRegions(value: unknown, ownRegionName: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.length > MAX_REMOTE_REGIONS) throw invalid('supportedRemoteRegions');
  const regions: string[] = [];
  value.forEach((region, i) => {
    if (typeof region !== 'string' || !ATLAS_AWS_REGION.test(region)) {
      throw invalid(`supportedRemoteRegions[${i}]`);
    }
    if (region === ownRegionName) {
      throw new AtlasApiError(
        400,
        AtlasErrorCode.CROSS_REGION_PRIVATE_LINK_SELF_REGION,
        `The endpoint service's own region ${region} cannot be one of its supportedRemoteRegions.`,
        [region],
      );
    }
    if (!regions.includes(region)) regions.push(region);
  });
  return regions;
}

/** `PATCH …/endpointService/{id}`: `{cloudProvider: "AWS", supportedRemoteRegions}`; `undefined` regions: unchanged. */
export function parseServiceUpdate(
  body: unknown,
  ownRegionName: string,
): { readonly supportedRemoteRegions?: readonly string[] } {
  const object = requireObject(body);
  const provider = requireString(object, 'cloudProvider');
  if (!providers.includes(provider)) {
    throw new AtlasApiError(400, AtlasErrorCode.VALIDATION_ERROR, `No provider ${provider} exists.`, [
      provider,
    ]);
  }
  if (provider !== 'AWS') throw providerUnsupported(provider);
  if (object.supportedRemoteRegions === undefined) return {};
  return { supportedRemoteRegions: parseRemoteRegions(object.supportedRemoteRegions, ownRegionName) };
}

/** `{providerName, region}`; AWS regions in either form (`us-east-1` or `US_EAST_1`). */
export function parseServiceRequest(body: unknown): ParsedServiceRequest {
  const object = requireObject(body);
  const provider = requireString(object, 'providerName');
  if (!providers.includes(provider)) {
    throw new AtlasApiError(400, AtlasErrorCode.VALIDATION_ERROR, `No provider ${provider} exists.`, [
      provider,
    ]);
  }
  const region = requireString(object, 'region');
  const portMappingEnabled = object.portMappingEnabled === true;
  const remote = object.supportedRemoteRegions;
  if (provider !== 'AWS' && remote !== undefined && remote !== null) throw providerUnsupported(provider);
  if (provider === 'AWS') {
    const forms = awsRegionForms(region);
    if (!forms)
      throw new AtlasApiError(
        400,
        AtlasErrorCode.INVALID_REGION,
        `No region ${region} exists for provider AWS.`,
        [region, 'AWS'],
      );
    return {
      cloudProvider: 'AWS',
      regionName: forms.atlas,
      awsRegion: forms.aws,
      portMappingEnabled,
      supportedRemoteRegions: parseRemoteRegions(remote, forms.atlas),
    };
  }
  const regionName = otherRegionName(region);
  if (!regionName) {
    throw new AtlasApiError(
      400,
      AtlasErrorCode.INVALID_REGION,
      `No region ${region} exists for provider ${provider}.`,
      [region, provider],
    );
  }
  return {
    cloudProvider: provider as CloudProvider,
    regionName,
    portMappingEnabled,
    supportedRemoteRegions: [],
  };
}

export type ParsedEndpointRequest =
  | { readonly cloudProvider: 'AWS'; readonly endpointId: string }
  | { readonly cloudProvider: 'AZURE'; readonly endpointId: string; readonly ipAddress: string }
  | {
      readonly cloudProvider: 'GCP';
      readonly endpointId: string;
      readonly gcpProjectId: string;
      readonly endpoints: readonly { readonly endpointName: string; readonly ipAddress: string }[];
    };

/** The provider-specific body of `POST …/endpoint`; `endpointId` is what later appears in the endpoint's path. */
export function parseEndpointRequest(cloudProvider: CloudProvider, body: unknown): ParsedEndpointRequest {
  const object = requireObject(body);
  if (cloudProvider === 'AWS') {
    const id = requireString(object, 'id');
    if (!IdForm.vpcEndpointId.pattern.test(id)) throw invalid('id');
    return { cloudProvider, endpointId: id };
  }
  if (cloudProvider === 'AZURE') {
    const id = requireString(object, 'id');
    if (!IdForm.azurePrivateEndpointId.pattern.test(id)) throw invalid('id');
    const ipAddress = requireString(object, 'privateEndpointIPAddress');
    if (!IdForm.ipAddress.pattern.test(ipAddress)) throw invalid('privateEndpointIPAddress');
    return { cloudProvider, endpointId: id, ipAddress };
  }
  const endpointGroupName = requireString(object, 'endpointGroupName');
  const gcpProjectId = requireString(object, 'gcpProjectId');
  if (!IdForm.gcpProjectId.pattern.test(gcpProjectId)) throw invalid('gcpProjectId');
  const rawEndpoints = object.endpoints ?? [];
  if (!Array.isArray(rawEndpoints)) throw invalid('endpoints');
  const endpoints = rawEndpoints.map((entry, i) => {
    if (!isObject(entry)) throw invalid(`endpoints[${i}]`);
    const endpointName = requireString(entry, 'endpointName');
    const ipAddress = requireString(entry, 'ipAddress');
    if (!IdForm.ipAddress.pattern.test(ipAddress)) throw invalid(`endpoints[${i}].ipAddress`);
    return { endpointName, ipAddress };
  });
  return { cloudProvider, endpointId: endpointGroupName, gcpProjectId, endpoints };
}
