import { CloudProvider } from '../../lambdas/atlas/types';
import { IdForm } from '../../lambdas/ids';
import { AtlasApiError, AtlasErrorCode } from './errors';
import { awsRegionForms, otherRegionName } from './naming';

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
  if (provider === 'AWS') {
    const forms = awsRegionForms(region);
    if (!forms)
      throw new AtlasApiError(
        400,
        AtlasErrorCode.INVALID_REGION,
        `No region ${region} exists for provider AWS.`,
        [region, 'AWS'],
      );
    return { cloudProvider: 'AWS', regionName: forms.atlas, awsRegion: forms.aws, portMappingEnabled };
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
  return { cloudProvider: provider as CloudProvider, regionName, portMappingEnabled };
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
