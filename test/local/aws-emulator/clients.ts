import { EC2Client } from '@aws-sdk/client-ec2';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { ConnectionStatus } from '../../../lambdas/atlas/types';
import type { AtlasSideView } from '../../../local/shared/model';

/** What every real SDK client needs to talk to the emulator: its URL, a region and dummy credentials. */
export function clientConfig(url: string, maxAttempts = 1) {
  return {
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'dummy-secret' },
    maxAttempts,
  };
}

export const ec2Client = (url: string, maxAttempts = 1) => new EC2Client(clientConfig(url, maxAttempts));
export const secretsClient = (url: string, maxAttempts = 1) =>
  new SecretsManagerClient(clientConfig(url, maxAttempts));
export const sfnClient = (url: string, maxAttempts = 1) => new SFNClient(clientConfig(url, maxAttempts));
export const eventsClient = (url: string, maxAttempts = 1) =>
  new EventBridgeClient(clientConfig(url, maxAttempts));

/** An Atlas endpoint service name of the emulator's region. */
export const SERVICE_NAME = 'com.amazonaws.vpce.us-east-1.vpce-svc-0a1b2c3d4e5f60718';

/** An Atlas endpoint service name in another region than the emulator's. */
export const REMOTE_SERVICE_NAME = 'com.amazonaws.vpce.eu-west-1.vpce-svc-0f1e2d3c4b5a69788';

/**
 * A stand-in for the Atlas emulator: one issued service in the emulator's region, one in eu-west-1 whose
 * usable remote regions a test sets by hand, and registrations a test sets by hand.
 */
export class FakeAtlas implements AtlasSideView {
  readonly registrations = new Map<
    string,
    { connectionStatus: ConnectionStatus; deleteRequested: boolean }
  >();
  peeks = 0;
  /** The regions from which endpoints to the eu-west-1 service may be created. */
  remoteRegions: string[] = [];

  findServiceByName(serviceName: string) {
    if (serviceName === SERVICE_NAME) {
      return {
        groupId: '0123456789abcdef01234567',
        endpointServiceId: 'abcdef0123456789abcdef01',
        region: 'us-east-1',
        remoteRegions: [],
      };
    }
    if (serviceName === REMOTE_SERVICE_NAME) {
      return {
        groupId: '0123456789abcdef01234567',
        endpointServiceId: 'abcdef0123456789abcdef02',
        region: 'eu-west-1',
        remoteRegions: this.remoteRegions,
      };
    }
    return undefined;
  }

  peekInterfaceEndpoint(vpcEndpointId: string) {
    this.peeks += 1;
    return this.registrations.get(vpcEndpointId);
  }

  register(vpcEndpointId: string, connectionStatus: ConnectionStatus, deleteRequested = false): void {
    this.registrations.set(vpcEndpointId, { connectionStatus, deleteRequested });
  }
}

/** The error a promise rejects with (fails the test if it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error('expected the call to fail, but it succeeded');
}
