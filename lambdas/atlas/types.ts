/**
 * Request and response types of the Atlas Admin API private-endpoint operations, as in MongoDB's
 * OpenAPI spec (`EndpointService`, `AWSPrivateLinkConnection`, `PrivateLinkEndpoint`, `ApiError`, …).
 */

export const CloudProvider = { AWS: 'AWS', AZURE: 'AZURE', GCP: 'GCP' } as const;
export type CloudProvider = (typeof CloudProvider)[keyof typeof CloudProvider];

export const EndpointServiceStatus = {
  INITIATING: 'INITIATING',
  AVAILABLE: 'AVAILABLE',
  WAITING_FOR_USER: 'WAITING_FOR_USER',
  FAILED: 'FAILED',
  DELETING: 'DELETING',
} as const;
export type EndpointServiceStatus = (typeof EndpointServiceStatus)[keyof typeof EndpointServiceStatus];

/** `connectionStatus` of an AWS interface endpoint (the v1.0 page adds NONE to the v2 enum). */
export const ConnectionStatus = {
  NONE: 'NONE',
  PENDING_ACCEPTANCE: 'PENDING_ACCEPTANCE',
  PENDING: 'PENDING',
  AVAILABLE: 'AVAILABLE',
  REJECTED: 'REJECTED',
  DELETING: 'DELETING',
} as const;
export type ConnectionStatus = (typeof ConnectionStatus)[keyof typeof ConnectionStatus];

/** `POST /groups/{groupId}/privateEndpoint/endpointService` body. */
export interface CreateEndpointServiceRequest {
  readonly providerName: CloudProvider;
  /** e.g. `us-east-1` or `US_EAST_1` for AWS. */
  readonly region: string;
  readonly portMappingEnabled?: boolean;
  /**
   * AWS only: other AWS regions (either form; sent in Atlas's, `EU_WEST_1`) whose VPCs may connect to the
   * service through cross-region endpoints; at most 35, not the service's own region.
   */
  readonly supportedRemoteRegions?: readonly string[];
}

/** `PATCH /groups/{groupId}/privateEndpoint/endpointService/{endpointServiceId}` body (cross-region PrivateLink). */
export interface UpdateEndpointServiceRequest {
  /** Only AWS services support remote regions. */
  readonly cloudProvider: 'AWS';
  /**
   * The complete list of remote regions the service supports afterwards (it replaces the current one: leave
   * a region out and it is removed). Either form; sent in Atlas's. At most 35, not the service's own region.
   */
  readonly supportedRemoteRegions: readonly string[];
}

interface EndpointServiceBase {
  readonly cloudProvider: CloudProvider;
  readonly id: string;
  readonly regionName?: string;
  readonly status?: EndpointServiceStatus;
  readonly errorMessage?: string | null;
}

export interface AwsEndpointService extends EndpointServiceBase {
  readonly cloudProvider: 'AWS';
  /** `com.amazonaws.vpce.<region>.vpce-svc-<17 hex>`; null while INITIATING. */
  readonly endpointServiceName?: string | null;
  /** The ids of the interface endpoints registered with this service. */
  readonly interfaceEndpoints: readonly string[];
  /** Other AWS regions (Atlas's form, `EU_WEST_1`) that may connect through cross-region endpoints; `[]` when none. */
  readonly supportedRemoteRegions: readonly string[];
}

export interface AzureEndpointService extends EndpointServiceBase {
  readonly cloudProvider: 'AZURE';
  readonly privateEndpoints?: readonly string[];
  readonly privateLinkServiceName?: string;
  readonly privateLinkServiceResourceId?: string;
}

export interface GcpEndpointService extends EndpointServiceBase {
  readonly cloudProvider: 'GCP';
  readonly endpointGroupNames?: readonly string[];
  readonly serviceAttachmentNames?: readonly string[];
  readonly portMappingEnabled?: boolean;
}

export type EndpointService = AwsEndpointService | AzureEndpointService | GcpEndpointService;

/** `POST …/endpointService/{id}/endpoint` bodies, one per provider. */
export interface CreateAwsEndpointRequest {
  /** The AWS `VpcEndpointId`: `vpce-` + 17 hex. */
  readonly id: string;
}
export interface CreateAzureEndpointRequest {
  /** The Azure private endpoint's ARM resource id. */
  readonly id: string;
  readonly privateEndpointIPAddress: string;
}
export interface CreateGcpEndpointRequest {
  readonly endpointGroupName: string;
  readonly gcpProjectId: string;
  readonly endpoints?: readonly { readonly endpointName?: string; readonly ipAddress?: string }[];
}

export interface AwsInterfaceEndpoint {
  readonly cloudProvider?: 'AWS';
  readonly interfaceEndpointId: string;
  readonly connectionStatus: ConnectionStatus;
  readonly deleteRequested: boolean;
  /** Null when all is well. */
  readonly errorMessage: string | null;
}

export interface AzurePrivateEndpoint {
  readonly cloudProvider?: 'AZURE';
  readonly privateEndpointResourceId?: string;
  readonly privateEndpointIPAddress?: string;
  readonly privateEndpointConnectionName?: string;
  readonly status?: 'INITIATING' | 'AVAILABLE' | 'FAILED' | 'DELETING';
  readonly deleteRequested?: boolean;
  readonly errorMessage?: string | null;
}

export interface GcpEndpointGroup {
  readonly cloudProvider?: 'GCP';
  readonly endpointGroupName?: string;
  readonly gcpProjectId?: string;
  readonly status?: 'INITIATING' | 'VERIFIED' | 'AVAILABLE' | 'FAILED' | 'DELETING' | 'DELETED';
  readonly deleteRequested?: boolean;
  readonly errorMessage?: string | null;
  readonly endpoints?: readonly {
    readonly endpointName?: string;
    readonly ipAddress?: string;
    readonly status?: string;
  }[];
}

/** Atlas's error body. */
export interface AtlasApiErrorBody {
  readonly error: number;
  readonly errorCode?: string;
  readonly detail?: string | null;
  readonly reason?: string | null;
  readonly parameters?: readonly unknown[];
}

/** Atlas credentials: a programmatic API key (HTTP Digest) or a service account (OAuth 2.0 client credentials). */
export type AtlasCredentials = AtlasApiKey | AtlasServiceAccount;
export interface AtlasApiKey {
  readonly publicKey: string;
  readonly privateKey: string;
}
export interface AtlasServiceAccount {
  readonly clientId: string;
  readonly clientSecret: string;
}

// ---------------------------------------------------------------------------------------------------
// Clusters (`GET /groups/{groupId}/clusters`, media type `application/vnd.atlas.2024-08-05+json`)

/**
 * One private-endpoint connection string of a cluster (`ClusterDescriptionConnectionStringsPrivateEndpoint`):
 * `endpoints` are the private endpoints, one per region of the cluster, it connects through.
 */
export interface PrivateEndpointConnectionString {
  readonly type?: 'MONGOD' | 'MONGOS' | string;
  readonly connectionString?: string;
  readonly srvConnectionString?: string;
  readonly srvShardOptimizedConnectionString?: string;
  readonly endpoints?: readonly {
    readonly endpointId?: string;
    readonly providerName?: CloudProvider | string;
    readonly region?: string;
  }[];
}

/** One region a cluster has nodes in (`CloudRegionConfig20240805`, only the fields read here). */
export interface ClusterRegionConfig {
  /** `AWS`, `AZURE`, `GCP`, or `TENANT` for shared-tier clusters. */
  readonly providerName?: string;
  /** Atlas's name of the region (`US_EAST_1`); the spec types it `object`, and Atlas may leave it out. */
  readonly regionName?: string;
  readonly backingProviderName?: string;
}

/**
 * A cluster (`ClusterDescription20240805`, pruned to what the workflow reads). Only `connectionStrings.privateEndpoint`
 * is read for strings: `awsPrivateLink*` are deprecated and `private`/`privateSrv` are for network peering.
 */
export interface ClusterDescription {
  readonly name: string;
  readonly id?: string;
  readonly groupId?: string;
  readonly clusterType?: 'REPLICASET' | 'SHARDED' | 'GEOSHARDED' | string;
  readonly stateName?: 'IDLE' | 'CREATING' | 'UPDATING' | 'DELETING' | 'REPAIRING' | string;
  readonly paused?: boolean;
  readonly mongoDBVersion?: string;
  readonly replicationSpecs?: readonly { readonly regionConfigs?: readonly ClusterRegionConfig[] }[];
  readonly connectionStrings?: {
    readonly privateEndpoint?: readonly PrivateEndpointConnectionString[];
    readonly [other: string]: unknown;
  };
}

/** A page of a list (`Paginated…`): the items, Atlas's estimate of their total, and links. */
export interface AtlasPage<T> {
  readonly results: readonly T[];
  readonly totalCount?: number;
  readonly links?: readonly { readonly href?: string; readonly rel?: string }[];
}
