/**
 * Whether "Register with Atlas" may register a VPC endpoint: only one this execution created. The state
 * passes the endpoint id, but the function can also be invoked directly, with any id: registering someone
 * else's endpoint would connect their VPC to this deployment's Atlas project. So the endpoint EC2 describes
 * must be in this account, to the service the execution found, and carry this deployment's and this
 * execution's tags (which only the create function may write on create).
 */
import { ManagedTag } from './request';

/** What EC2 says of the endpoint (a subset of the adapter's view). */
export interface DescribedEndpoint {
  readonly ownerId?: string;
  readonly serviceName: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** What this execution's endpoint must show. */
export interface ExpectedEndpoint {
  /** The deployment's account; undefined when the function was not told (then nothing is registered). */
  readonly accountId: string | undefined;
  /** The Atlas endpoint service's `endpointServiceName` the execution found. */
  readonly serviceName: string;
  /** This deployment's `atlas-privatelink:managed-by` value. */
  readonly managedBy: string;
  /** This execution's `atlas-privatelink:execution` value (see `executionTagValue`). */
  readonly executionTag: string;
}

/** Why the endpoint is not this execution's, in words; undefined when it is. */
export function registrationRefusal(
  endpoint: DescribedEndpoint,
  expected: ExpectedEndpoint,
): string | undefined {
  if (expected.accountId === undefined) {
    return 'the function does not know its account, so it cannot tell whose endpoint this is';
  }
  if (endpoint.ownerId !== expected.accountId) {
    return `it belongs to account ${endpoint.ownerId ?? '(not reported)'}, not ${expected.accountId}`;
  }
  if (endpoint.serviceName !== expected.serviceName) {
    return `it connects to ${endpoint.serviceName || '(no service)'}, not to ${expected.serviceName}`;
  }
  if (endpoint.tags[ManagedTag.managedBy] !== expected.managedBy) {
    return `its ${ManagedTag.managedBy} tag is not this deployment's`;
  }
  if (endpoint.tags[ManagedTag.execution] !== expected.executionTag) {
    return `its ${ManagedTag.execution} tag is not this execution's`;
  }
  return undefined;
}
