import type { ConnectionStatus } from '../../lambdas/atlas/types';

/**
 * What the AWS emulator needs to know of the Atlas emulator so both tell one story: the VPC endpoint
 * must name a service Atlas issued, and its EC2 state follows Atlas's view of the registration
 * (accepted in Atlas → `available` in EC2, rejected in Atlas → `rejected`).
 */
export interface AtlasSideView {
  /** The endpoint service the Atlas emulator issued under this AWS service name, if any. */
  findServiceByName(
    serviceName: string,
  ): { readonly groupId: string; readonly endpointServiceId: string; readonly region: string } | undefined;
  /**
   * Atlas's current view of the registration of this VPC endpoint id, if one exists. Reading it must
   * not advance the Atlas emulator's scripted per-read statuses (it is a peek, not an API read).
   */
  peekInterfaceEndpoint(
    vpcEndpointId: string,
  ): { readonly connectionStatus: ConnectionStatus; readonly deleteRequested: boolean } | undefined;
}

/** A clock in milliseconds since the epoch; the bench swaps in a virtual one. */
export type Clock = () => number;
export const systemClock: Clock = () => Date.now();
