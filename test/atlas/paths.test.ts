import { describe, expect, it } from 'vitest';
import { ApiVersionProfile, AtlasPath, parseBaseUrl, pathSegment } from '../../lambdas/atlas/paths';

const groupId = '32b6e34b3d91647abb20e7b8';
const serviceId = '5f4d2c1b0a9e8d7c6b5a4f3e';
const azureId =
  '/subscriptions/cba6d9c6-1d3f-3c11-03cb-c705d895e636/resourcegroups/rg(1).x/providers/Microsoft.Network/privateEndpoints/pe_1';

describe('AtlasPath', () => {
  it('builds the endpoint service paths', () => {
    expect(AtlasPath.endpointServices(groupId)).toBe(`/groups/${groupId}/privateEndpoint/endpointService`);
    expect(AtlasPath.providerEndpointServices(groupId, 'AWS')).toBe(
      `/groups/${groupId}/privateEndpoint/AWS/endpointService`,
    );
    expect(AtlasPath.endpointService(groupId, 'GCP', serviceId)).toBe(
      `/groups/${groupId}/privateEndpoint/GCP/endpointService/${serviceId}`,
    );
  });

  it('builds the endpoint paths', () => {
    expect(AtlasPath.endpoints(groupId, 'AWS', serviceId)).toBe(
      `/groups/${groupId}/privateEndpoint/AWS/endpointService/${serviceId}/endpoint`,
    );
    expect(AtlasPath.endpoint(groupId, 'AWS', serviceId, 'vpce-0123456789abcdef0')).toBe(
      `/groups/${groupId}/privateEndpoint/AWS/endpointService/${serviceId}/endpoint/vpce-0123456789abcdef0`,
    );
  });

  it('sends an Azure private endpoint id as one segment, every "/" as %2F', () => {
    const path = AtlasPath.endpoint(groupId, 'AZURE', serviceId, azureId);
    const last = path.split('/').at(-1);

    expect(last).toBe(
      '%2Fsubscriptions%2Fcba6d9c6-1d3f-3c11-03cb-c705d895e636%2Fresourcegroups%2Frg(1).x%2Fproviders%2FMicrosoft.Network%2FprivateEndpoints%2Fpe_1',
    );
    expect(decodeURIComponent(last ?? '')).toBe(azureId);
    // The spec's endpointId pattern for Azure ids, as Atlas checks them.
    expect(last).toMatch(
      /^%2[fF]subscriptions%2[fF][0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}%2[fF]resource[gG]roups%2[fF]([-\w._()]+)%2[fF]providers%2[fF]Microsoft\.Network%2[fF]privateEndpoints%2[fF]([-\w._()]+)/,
    );
  });

  it('escapes characters that would change the path', () => {
    expect(pathSegment('a/b?c#d e%')).toBe('a%2Fb%3Fc%23d%20e%25');
  });
});

describe('ApiVersionProfile', () => {
  it('speaks v2 in its versioned media type and v1.0 in plain JSON', () => {
    expect(ApiVersionProfile.v2).toEqual({
      basePath: '/api/atlas/v2',
      mediaType: 'application/vnd.atlas.2023-01-01+json',
    });
    expect(ApiVersionProfile['v1.0']).toEqual({ basePath: '/api/atlas/v1.0', mediaType: 'application/json' });
  });
});

describe('parseBaseUrl', () => {
  it('splits origin and path prefix', () => {
    expect(parseBaseUrl('https://cloud.mongodb.com')).toEqual({
      origin: 'https://cloud.mongodb.com',
      pathPrefix: '',
    });
    expect(parseBaseUrl('http://127.0.0.1:8080/proxy/')).toEqual({
      origin: 'http://127.0.0.1:8080',
      pathPrefix: '/proxy',
    });
  });

  it('refuses what is not a plain http(s) URL', () => {
    for (const url of [
      'cloud.mongodb.com',
      'ftp://x',
      'https://user:pw@cloud.mongodb.com',
      'https://x/?a=1',
    ]) {
      expect(parseBaseUrl(url)).toHaveProperty('problem');
    }
  });
});
