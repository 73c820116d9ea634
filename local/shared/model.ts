import type { ConnectionStatus } from '../../lambdas/atlas/types';

/**
 * What the AWS emulator needs to know of the Atlas emulator so both tell one story: the VPC endpoint
 * must name a service Atlas issued, and its EC2 state follows Atlas's view of the registration
 * (accepted in Atlas → `available` in EC2, rejected in Atlas → `rejected`).
 */
export interface AtlasSideView {
  /** The endpoint service the Atlas emulator issued under this AWS service name, if any. */
  findServiceByName(serviceName: string): AtlasServiceView | undefined;
  /**
   * Atlas's current view of the registration of this VPC endpoint id, if one exists. Reading it must
   * not advance the Atlas emulator's scripted per-read statuses (it is a peek, not an API read).
   */
  peekInterfaceEndpoint(
    vpcEndpointId: string,
  ): { readonly connectionStatus: ConnectionStatus; readonly deleteRequested: boolean } | undefined;
}

/** An AWS endpoint service as EC2 needs to know it. */
export interface AtlasServiceView {
  readonly groupId: string;
  readonly endpointServiceId: string;
  /** Where the service is, in AWS's form. */
  readonly region: string;
  /**
   * Other regions (AWS's form) from which a VPC endpoint may be created to it now (`ServiceRegion`): those
   * it supports whose addition has taken effect.
   */
  readonly remoteRegions: readonly string[];
}

/** A clock in milliseconds since the epoch; the bench swaps in a virtual one. */
export type Clock = () => number;
export const systemClock: Clock = () => Date.now();
