import type { CloudProvider } from './types';

/** The Atlas Admin API versions this client speaks. */
export const ApiVersion = { V2: 'v2', V1: 'v1.0' } as const;
export type ApiVersion = (typeof ApiVersion)[keyof typeof ApiVersion];

/** Where each API version lives and the media type it is spoken in. */
export const ApiVersionProfile = {
  v2: { basePath: '/api/atlas/v2', mediaType: 'application/vnd.atlas.2023-01-01+json' },
  'v1.0': { basePath: '/api/atlas/v1.0', mediaType: 'application/json' },
} as const satisfies Record<ApiVersion, { basePath: string; mediaType: string }>;

/**
 * Clusters are read in the newest version of their schema, the one with `connectionStrings.privateEndpoint[].endpoints`
 * (the older ones sunset 2027-07-01), whatever version the client speaks for private endpoints.
 */
export const CLUSTERS_API = {
  basePath: '/api/atlas/v2',
  mediaType: 'application/vnd.atlas.2024-08-05+json',
} as const;

/** The most items Atlas returns per page (`itemsPerPage` maximum). */
export const MAX_ITEMS_PER_PAGE = 500;

/** The OAuth 2.0 token endpoint of service accounts, relative to the base URL. */
export const OAUTH_TOKEN_PATH = '/api/oauth/token';

/**
 * Encodes one path segment. Every reserved character is escaped, so an Azure private endpoint id
 * (`/subscriptions/…/privateEndpoints/pe`) travels as ONE segment with each `/` as `%2F`, as Atlas requires.
 */
export function pathSegment(value: string): string {
  return encodeURIComponent(value);
}

function groupPrefix(groupId: string): string {
  return `/groups/${pathSegment(groupId)}/privateEndpoint`;
}

/** Paths of the private-endpoint operations, relative to an API version's base path. */
export const AtlasPath = {
  /** `GET`: the project's clusters, a page at a time (relative to {@link CLUSTERS_API}). */
  clusters: (groupId: string): string => `/groups/${pathSegment(groupId)}/clusters`,

  /** `POST`: create an endpoint service (the provider travels in the body). */
  endpointServices: (groupId: string): string => `${groupPrefix(groupId)}/endpointService`,

  /** `PATCH` (v2 only): update an endpoint service (the provider travels in the body). */
  endpointServiceUpdate: (groupId: string, endpointServiceId: string): string =>
    `${groupPrefix(groupId)}/endpointService/${pathSegment(endpointServiceId)}`,

  /** `GET`: list a provider's endpoint services. */
  providerEndpointServices: (groupId: string, provider: CloudProvider): string =>
    `${groupPrefix(groupId)}/${pathSegment(provider)}/endpointService`,

  /** `GET` / `DELETE`: one endpoint service. */
  endpointService: (groupId: string, provider: CloudProvider, endpointServiceId: string): string =>
    `${AtlasPath.providerEndpointServices(groupId, provider)}/${pathSegment(endpointServiceId)}`,

  /** `POST`: register an endpoint with an endpoint service. */
  endpoints: (groupId: string, provider: CloudProvider, endpointServiceId: string): string =>
    `${AtlasPath.endpointService(groupId, provider, endpointServiceId)}/endpoint`,

  /** `GET` / `DELETE`: one endpoint (AWS `vpce-…`, Azure ARM id, GCP endpoint group name). */
  endpoint: (
    groupId: string,
    provider: CloudProvider,
    endpointServiceId: string,
    endpointId: string,
  ): string => `${AtlasPath.endpoints(groupId, provider, endpointServiceId)}/${pathSegment(endpointId)}`,
} as const;

/** The parts of a base URL requests are built from. */
export interface BaseLocation {
  /** `scheme://host[:port]`, what undici dispatches to. */
  readonly origin: string;
  /** A path prefix the base URL carried (e.g. behind a proxy), without a trailing slash; usually empty. */
  readonly pathPrefix: string;
}

/** Splits a base URL into origin and path prefix, or returns a reason it cannot be used. */
export function parseBaseUrl(baseUrl: string): BaseLocation | { readonly problem: string } {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    return { problem: 'an absolute http(s) URL such as "https://cloud.mongodb.com"' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { problem: 'an http(s) URL' };
  }
  if (url.username || url.password || url.search || url.hash) {
    return { problem: 'a URL without credentials, query or fragment' };
  }
  return { origin: url.origin, pathPrefix: url.pathname.replace(/\/+$/, '') };
}
