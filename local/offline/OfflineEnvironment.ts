/**
 * Everything a provisioning needs, on loopback: the Atlas emulator, the AWS emulator (EC2, Secrets
 * Manager, Step Functions backed by the synthesized state machine, EventBridge with the stack's request
 * rule) and the local API, all on one virtual clock. The handlers are the deployed ones, reached
 * through the same environment variables CDK sets, pointed here.
 */

import { ClientEnv, forgetClients } from '../../lambdas/adapters/clients';
import type { AtlasApiKey, AtlasServiceAccount } from '../../lambdas/atlas/types';
import { ApiEnv, RuntimeEnv } from '../../lambdas/handlers/environment';
import { useHandlerTime } from '../../lambdas/handlers/handlerTime';
import { logger } from '../../lambdas/handlers/runtime';
import {
  type AtlasEmulator,
  DEMO_API_KEY,
  DEMO_GROUP_ID,
  type RateLimitOptions,
  startAtlasEmulator,
} from '../atlas-emulator';
import {
  type AwsEmulator,
  DEMO_SECURITY_GROUP_ID,
  DEMO_SUBNET_IDS,
  DEMO_VPC_ID,
  demoTopology,
  type RecordedEvent,
  startAwsEmulator,
} from '../aws-emulator';
import { LambdaFaultPlan } from '../runner/lambdaFaults';
import { invokeLambda } from '../runner/lambdaInvoker';
import { type EventLog, OfflineWorkflow } from '../runner/OfflineWorkflow';
import { type SynthesizedWorkflow, synthesizeWorkflow } from '../runner/synthesizedWorkflow';
import { seededRandom } from '../shared/seededRandom';
import { Timeline } from '../shared/Timeline';
import { VirtualClock } from '../shared/VirtualClock';
import { type LocalApi, startLocalApi } from './localApi';
import { atlasScriptOf, type Scenario } from './scenario';

/** The demo request `npm start` submits: the demo project, region and network of the emulators. */
export const DEMO_REQUEST = {
  groupId: DEMO_GROUP_ID,
  region: 'us-east-1',
  vpcId: DEMO_VPC_ID,
  subnetIds: [DEMO_SUBNET_IDS[0], DEMO_SUBNET_IDS[1]],
  securityGroupIds: [DEMO_SECURITY_GROUP_ID],
  tags: { Environment: 'demo' },
} as const;

export interface OfflineEnvironmentOptions {
  readonly scenario?: Scenario;
  /** @default 0 - a free port */
  readonly apiPort?: number;
  /** Real milliseconds per Wait state and Retry pause. @default 0 */
  readonly realWaitMs?: number;
  readonly onEvent?: (executionName: string, event: EventLog) => void;
  /** Called with every event the AWS emulator's EventBridge accepts (`npm run dev` reports what they started). */
  readonly onBusEvent?: (event: RecordedEvent) => void;
  /** @default 'WARN' - the functions' Powertools log level */
  readonly logLevel?: string;
  /**
   * A per-project token bucket in front of the Atlas emulator (429 RATE_LIMITED with Retry-After), refilled
   * by the virtual clock; `npm run bench` uses it to run many executions against an Atlas-like limit.
   * @default - no limit
   */
  readonly atlasRateLimit?: RateLimitOptions;
  /**
   * The Atlas credentials in the secret, accepted by the Atlas emulator (a scenario's `credentials: wrong`
   * still spoils them). The secret-leak tests put canary values here.
   * @default DEMO_API_KEY
   */
  readonly atlasCredentials?: AtlasApiKey | AtlasServiceAccount;
  /**
   * Client timeouts of the functions, in real milliseconds: the Atlas client's connect, headers and body
   * timeouts (`ATLAS_TIMEOUT_MS`) and the AWS SDK's request timeout (`SDK_REQUEST_TIMEOUT_MS`). The fault
   * tests set them low so that "latency past the timeout" takes a moment.
   * @default - the deployed defaults (15 s)
   */
  readonly clientTimeoutMs?: number;
  /**
   * How long one Atlas operation may spend on the client's own retries (`ATLAS_RETRY_DEADLINE_MS`).
   * @default - the deployed default (20 s)
   */
  readonly atlasRetryDeadlineMs?: number;
  /**
   * How many times EventBridge delivers each request event to the start function: it delivers at least once.
   * @default 1
   */
  readonly eventDeliveries?: number;
  /**
   * Seeds every jitter of the run (poll waits, the Atlas client's backoff, Retry pauses): with the same
   * seed and the same requests, a run does the same things at the same virtual instants.
   * @default - a random seed
   */
  readonly seed?: number;
}

export interface Leftovers {
  /** VPC endpoints EC2 still shows in a state other than `deleted`. */
  readonly vpcEndpoints: number;
  /** Atlas registrations that still exist (DELETING ones included). */
  readonly atlasEndpoints: number;
}

/** The ids behind {@link Leftovers}: what each emulator still holds. */
export interface RemainingEndpoints {
  /** VPC endpoints EC2 still shows in a state other than `deleted`. */
  readonly vpcEndpointIds: readonly string[];
  /** The VPC endpoint ids of the Atlas registrations that still exist (DELETING ones included). */
  readonly atlasEndpointIds: readonly string[];
}

export interface OfflineEnvironment {
  readonly atlas: AtlasEmulator;
  readonly aws: AwsEmulator;
  readonly api: LocalApi;
  readonly workflow: OfflineWorkflow;
  /** The synthesized deprovisioning state machine, run the same way. */
  readonly deprovisioning: OfflineWorkflow;
  readonly synthesized: SynthesizedWorkflow;
  readonly clock: VirtualClock;
  /** Faults of the Lambda service in the workflow's tasks: the scenario's, and any a test adds. */
  readonly lambdaFaults: LambdaFaultPlan;
  /** What the executions run on (see {@link Timeline}); `hold()` it to start many at the same instant. */
  readonly timeline: Timeline;
  /** The seed of this environment's jitter. */
  readonly seed: number;
  /** The demo request with the scenario's `request` fields merged over it. */
  readonly request: Record<string, unknown>;
  /** The ARN of the Atlas credentials secret in the AWS emulator (what `ATLAS_SECRET_ARN` holds). */
  readonly atlasSecretArn: string;
  /** How many endpoints each emulator still holds, wanted or not (a provisioned connection counts). */
  leftovers(): Leftovers;
  /** Which endpoints each emulator still holds. */
  remaining(): RemainingEndpoints;
  close(): Promise<void>;
}

let synthesized: SynthesizedWorkflow | undefined;

/** Synthesizes once per process: every environment runs the same definition. */
export function offlineDefinition(): SynthesizedWorkflow {
  synthesized ??= synthesizeWorkflow();
  return synthesized;
}

let active = false;

/**
 * Starts the emulators and the local API for one scenario. One at a time per process: the handlers read
 * their endpoints and settings from `process.env`, and their clock from `useHandlerTime`, both process-wide.
 */
export async function startOfflineEnvironment(
  options: OfflineEnvironmentOptions = {},
): Promise<OfflineEnvironment> {
  if (active) throw new Error('an offline environment is already running in this process; close it first');
  active = true;
  const started: { close(): Promise<void> }[] = [];
  try {
    return await start(options, started);
  } catch (error) {
    // A port in use or a definition that does not synthesize: close what did start, and let another try.
    await Promise.allSettled(started.map((server) => server.close()));
    useHandlerTime();
    active = false;
    throw error;
  }
}

async function start(
  options: OfflineEnvironmentOptions,
  started: { close(): Promise<void> }[],
): Promise<OfflineEnvironment> {
  // The API's port first: when it is taken, that is the first thing said, before seconds of synthesis.
  const api = await startLocalApi({ port: options.apiPort ?? 0 });
  started.push(api);
  const scenario = options.scenario ?? {};
  const definition = offlineDefinition();
  const clock = new VirtualClock();
  const timeline = new Timeline(clock);
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  const random = seededRandom(seed);
  const realStart = performance.now();
  useHandlerTime({
    now: clock.now,
    clientNow: () => clock.now() + (performance.now() - realStart),
    sleep: timeline.sleep,
    random,
  });
  // Clients built for an earlier environment of this process point at its (closed) emulators: the SDK
  // clients and the credentials store start afresh, and the Atlas client follows ATLAS_BASE_URL.
  forgetClients();
  const key = options.atlasCredentials ?? DEMO_API_KEY;

  // The secret's name as CDK would name it; the emulator gives it the ARN Secrets Manager would (the name,
  // a dash, six random characters), new in every environment, so the handlers' credentials cache (warm
  // across environments) never serves the previous scenario's key.
  const secretName = definition.atlasSecretArn.split(':secret:')[1] || 'AtlasSecret';

  const atlas = await startAtlasEmulator({
    apiKeys: 'publicKey' in key && key !== DEMO_API_KEY ? [DEMO_API_KEY, key] : [DEMO_API_KEY],
    ...('clientId' in key ? { serviceAccounts: [key] } : {}),
    clock: clock.now,
    script: atlasScriptOf(scenario),
    ...(options.atlasRateLimit ? { rateLimit: options.atlasRateLimit } : {}),
  });
  started.push(atlas);
  const credentials =
    scenario.credentials !== 'wrong'
      ? key
      : 'clientId' in key
        ? { ...key, clientSecret: 'not-the-secret-of-this-service-account' }
        : { ...key, privateKey: 'not-the-private-key-of-this-api-key' };
  let workflow: OfflineWorkflow | undefined;
  let deprovisioning: OfflineWorkflow | undefined;
  const aws = await startAwsEmulator({
    clock: clock.now,
    atlas: atlas.atlasSide,
    secrets: { [secretName]: JSON.stringify(credentials) },
    ec2: {
      faults: scenario.ec2?.faults ?? [],
      ...(scenario.ec2?.securityGroupIngress
        ? { topology: demoTopology('us-east-1', scenario.ec2.securityGroupIngress) }
        : {}),
      ...(scenario.ec2?.visibilityDelaySeconds !== undefined
        ? { visibilityDelaySeconds: scenario.ec2.visibilityDelaySeconds }
        : {}),
    },
    stepFunctions: {
      stateMachineArn: definition.stateMachineArn,
      run: (execution) => (workflow as OfflineWorkflow).run(execution),
      stop: (execution) => (workflow as OfflineWorkflow).abort(execution.name),
    },
    moreStateMachines: [
      {
        stateMachineArn: definition.deprovisioning.stateMachineArn,
        run: (execution) => (deprovisioning as OfflineWorkflow).run(execution),
        stop: (execution) => (deprovisioning as OfflineWorkflow).abort(execution.name),
      },
    ],
    rules: [
      {
        eventBusName: definition.eventBusName,
        pattern: definition.requestRule.pattern,
        target: 'lambda',
        invoke: (event) => invokeLambda(definition.requestRule.targetModule, event),
        deliveries: options.eventDeliveries ?? 1,
      },
      {
        eventBusName: definition.eventBusName,
        pattern: definition.deletionRule.pattern,
        target: 'lambda',
        invoke: (event) => invokeLambda(definition.deletionRule.targetModule, event),
        deliveries: options.eventDeliveries ?? 1,
      },
    ],
    ...(options.onBusEvent ? { onEvent: options.onBusEvent } : {}),
  });
  started.push(aws);

  const secretArn = aws.secretArn(secretName) as string;
  Object.assign(process.env, {
    ...definition.functionEnvironment,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'offline',
    AWS_SECRET_ACCESS_KEY: 'offline',
    AWS_ENDPOINT_URL: aws.url,
    ATLAS_BASE_URL: atlas.url,
    ATLAS_SECRET_ARN: secretArn,
    [ApiEnv.stateMachineArn]: definition.stateMachineArn,
    [ApiEnv.deprovisioningStateMachineArn]: definition.deprovisioning.stateMachineArn,
    // The locked SDK versions support Node 20; the SDK warns that releases after January 2027 will not.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  delete process.env.AWS_PROFILE;
  const timeouts: Record<string, number | undefined> = {
    [RuntimeEnv.atlasTimeoutMs]: options.clientTimeoutMs,
    [ClientEnv.requestTimeoutMs]: options.clientTimeoutMs,
    [RuntimeEnv.atlasRetryDeadlineMs]: options.atlasRetryDeadlineMs,
  };
  for (const [name, value] of Object.entries(timeouts)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = String(value);
  }
  // The handlers' logger is built when the module loads: set its level here rather than by environment.
  logger.setLogLevel((options.logLevel ?? 'WARN') as Parameters<typeof logger.setLogLevel>[0]);

  const lambdaFaults = new LambdaFaultPlan();
  for (const fault of scenario.lambda?.faults ?? []) lambdaFaults.add(fault);
  const runnerOptions = {
    lambdaFaults,
    eventBridgeEndpoint: aws.url,
    timeline,
    random,
    realWaitMs: options.realWaitMs ?? 0,
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
  };
  workflow = new OfflineWorkflow({ workflow: definition, ...runnerOptions });
  deprovisioning = new OfflineWorkflow({ workflow: definition.deprovisioning, ...runnerOptions });

  const request: Record<string, unknown> = { ...DEMO_REQUEST };
  for (const [key, value] of Object.entries(scenario.request ?? {})) {
    if (value === null) delete request[key];
    else request[key] = value;
  }
  for (const { region, supportedRemoteRegions } of scenario.existingServices ?? []) {
    atlas.addEndpointService(typeof request.groupId === 'string' ? request.groupId : DEMO_GROUP_ID, {
      providerName: 'AWS',
      region,
      ...(supportedRemoteRegions ? { supportedRemoteRegions } : {}),
    });
  }

  return {
    atlas,
    aws,
    api,
    workflow,
    deprovisioning,
    synthesized: definition,
    clock,
    lambdaFaults,
    timeline,
    seed,
    request,
    atlasSecretArn: secretArn,
    leftovers: () => ({
      vpcEndpoints: aws.vpcEndpoints.filter((e) => e.state !== 'deleted').length,
      atlasEndpoints: atlas.endpoints().length,
    }),
    remaining: () => ({
      vpcEndpointIds: aws.vpcEndpoints.filter((e) => e.state !== 'deleted').map((e) => e.vpcEndpointId),
      atlasEndpointIds: atlas.endpoints().map((e) => e.endpointId),
    }),
    close: async () => {
      await Promise.allSettled([api.close(), aws.close(), atlas.close()]);
      useHandlerTime();
      active = false;
    },
  };
}
