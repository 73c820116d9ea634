/**
 * A handler `Runtime` for tests: EC2 through a real `VpcEndpoints` on an `EC2Client` that
 * `aws-sdk-client-mock` intercepts, Atlas through the real `AtlasClient` against the Atlas emulator,
 * and a settable clock.
 */
import { createHash } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import { EC2Client, EC2ServiceException, type Tag, type VpcEndpoint } from '@aws-sdk/client-ec2';
import { SFNClient } from '@aws-sdk/client-sfn';
import { Ec2Network } from '../../lambdas/adapters/Ec2Network';
import { Executions } from '../../lambdas/adapters/Executions';
import { VpcEndpoints } from '../../lambdas/adapters/VpcEndpoints';
import { AtlasClient } from '../../lambdas/atlas/AtlasClient';
import { ManagedTag } from '../../lambdas/domain/request';
import type { Runtime } from '../../lambdas/handlers/runtime';
import { type AtlasEmulator, DEMO_API_KEY, DEMO_GROUP_ID } from '../../local/atlas-emulator';

export const GROUP = DEMO_GROUP_ID;
export const VPC = 'vpc-0123456789abcdef0';
export const SUBNET = 'subnet-0123456789abcdef0';
export const VPCE = 'vpce-0123456789abcdef0';
export const VPCE_2 = 'vpce-0123456789abcdef1';
export const MANAGED_BY = 'AtlasPrivateLinkTest';
export const REGION = 'us-east-1';
export const ACCOUNT = '123456789012';
export const EXECUTION = 'req-0123456789abcdef';
/** The execution's ARN (`$$.Execution.Id`): what its endpoints' execution tag carries. */
export const EXECUTION_ARN = `arn:aws:states:us-east-1:123456789012:execution:AtlasPrivateLinkTest-Provisioning:${EXECUTION}`;
export const STARTED_AT = '2026-03-01T10:00:00.000Z';
export const T0 = Date.parse(STARTED_AT);
/** The provisioning state machine the runtime's `provisionings()` reads (an SFNClient aws-sdk-client-mock intercepts). */
export const PROVISIONING_STATE_MACHINE_ARN =
  'arn:aws:states:us-east-1:123456789012:stateMachine:AtlasPrivateLinkTest-Provisioning';

export const silentLogger = new Logger({ serviceName: 'atlas-privatelink-test', logLevel: 'SILENT' });

export interface TestRuntime extends Runtime {
  /** Moves the clock. */
  setNow(ms: number): void;
  /** How many times a handler asked for the Atlas client. */
  readonly atlasRequests: () => number;
}

/**
 * A runtime whose Atlas client talks to `atlas` (when given) with the demo API key. Close it with
 * `closeAtlasClients()` after each test.
 */
export function testRuntime(atlas?: AtlasEmulator, client?: AtlasClient): TestRuntime {
  let now = T0 + 30_000;
  let atlasRequests = 0;
  const ec2 = new EC2Client({ region: 'us-east-1' });
  const vpcEndpoints = new VpcEndpoints(ec2);
  const network = new Ec2Network(ec2);
  const provisionings = new Executions(
    new SFNClient({ region: 'us-east-1' }),
    PROVISIONING_STATE_MACHINE_ARN,
  );
  const atlasClient = client ?? (atlas ? track(newAtlasClient(atlas)) : undefined);
  return {
    logger: silentLogger,
    atlas: async () => {
      atlasRequests += 1;
      if (!atlasClient) throw new Error('this test gave the runtime no Atlas');
      return atlasClient;
    },
    vpcEndpoints: () => vpcEndpoints,
    network: () => network,
    provisionings: () => provisionings,
    managedBy: () => MANAGED_BY,
    region: () => REGION,
    accountId: () => ACCOUNT,
    requestContext: () => ({ deploymentRegion: REGION, allowedVpcIds: '*', allowedGroupIds: '*' }),
    now: () => now,
    random: () => 0.5,
    hash: (text) => createHash('sha256').update(text).digest('hex'),
    setNow: (ms) => {
      now = ms;
    },
    atlasRequests: () => atlasRequests,
  };
}

const open: AtlasClient[] = [];

/** The real Atlas client, pointed at the emulator, with no waits between its own retries. */
export function newAtlasClient(atlas: AtlasEmulator): AtlasClient {
  return new AtlasClient({ credentials: DEMO_API_KEY, baseUrl: atlas.url, sleep: async () => undefined });
}

export function track<T extends AtlasClient>(client: T): T {
  open.push(client);
  return client;
}

export async function closeAtlasClients(): Promise<void> {
  await Promise.all(open.splice(0).map((c) => c.close()));
}

/** The tags the workflow puts on an endpoint of `execution`, as EC2 returns them. */
export function managedTags(execution = EXECUTION_ARN, managedBy = MANAGED_BY): Tag[] {
  return [
    { Key: ManagedTag.managedBy, Value: managedBy },
    { Key: ManagedTag.groupId, Value: GROUP },
    { Key: ManagedTag.execution, Value: execution },
    { Key: ManagedTag.attempt, Value: '1' },
  ];
}

/** The endpoint service name the fake endpoints connect to. */
export const SERVICE_NAME = 'com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0';

/** A VPC endpoint of this account as `DescribeVpcEndpoints` returns it; `state` as EC2 sends it on the wire. */
export function vpcEndpoint(id: string, state: string, tags: Tag[] = managedTags()): VpcEndpoint {
  return {
    VpcEndpointId: id,
    State: state as VpcEndpoint['State'],
    VpcId: VPC,
    ServiceName: SERVICE_NAME,
    OwnerId: ACCOUNT,
    Tags: tags,
  };
}

/** Creates the project's AWS endpoint service in us-east-1 and reads it until AVAILABLE. */
export async function availableService(atlas: AtlasEmulator): Promise<{ id: string; client: AtlasClient }> {
  const client = track(newAtlasClient(atlas));
  const { id } = await client.createEndpointService(GROUP, { providerName: 'AWS', region: 'us-east-1' });
  for (let read = 0; read < 5; read++) {
    if ((await client.getEndpointService(GROUP, 'AWS', id)).status === 'AVAILABLE') return { id, client };
  }
  throw new Error(`endpoint service ${id} never became AVAILABLE`);
}

/** The emulator's requests for one endpoint, without Digest challenges. */
export function endpointRequests(atlas: AtlasEmulator, vpcEndpointId: string, method?: string) {
  return atlas.requestLog.filter(
    (entry) =>
      entry.path.endsWith(`/endpoint/${vpcEndpointId}`) &&
      entry.status !== 401 &&
      (method === undefined || entry.method === method),
  );
}

/** What EC2 answers a describe by id of an endpoint it does not show (deleted, or not visible yet). */
export function ec2EndpointNotFound(id: string = VPCE): EC2ServiceException {
  return Object.assign(
    new EC2ServiceException({
      name: 'InvalidVpcEndpointId.NotFound',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
      message: `The VpcEndpoint Id '${id}' does not exist`,
    }),
    { Code: 'InvalidVpcEndpointId.NotFound' },
  );
}
