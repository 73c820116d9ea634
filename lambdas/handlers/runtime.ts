/**
 * What every handler needs from its environment, swappable in tests: `createXHandler(runtime)`. Only the
 * logger is built at module load; the clients are built on first use, so a cold start pays only for what
 * the function uses.
 */
import { createHash } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Ec2Network } from '../adapters/Ec2Network';
import type { Executions } from '../adapters/Executions';
import type { VpcEndpoints } from '../adapters/VpcEndpoints';
import type { AtlasClient } from '../atlas/AtlasClient';
import { Defaults } from '../defaults';
import type { Allowed, RequestContext } from '../domain/request';
import { RuntimeEnv } from './environment';
import { handlerTime } from './handlerTime';

export interface Runtime {
  readonly logger: Logger;
  /** The Atlas client, built from the credentials secret (cached across warm invocations). */
  atlas(): Promise<AtlasClient>;
  vpcEndpoints(): VpcEndpoints;
  /** EC2's network reads (security groups, VPC CIDRs). */
  network(): Ec2Network;
  /** The provisioning state machine's executions: the record a deprovisioning proves ownership by. */
  provisionings(): Pick<Executions, 'describe' | 'nameOf'>;
  /** The value of the `atlas-privatelink:managed-by` tag this deployment puts on its endpoints. */
  managedBy(): string;
  /** The region the function runs in, where VPC endpoints are created (Lambda's `AWS_REGION`). */
  region(): string | undefined;
  /** The deployment's AWS account, when the construct told the function (`DEPLOYMENT_ACCOUNT_ID`); unknown: nothing is registered. */
  accountId?(): string | undefined;
  /** What requests are checked against: the region and the deployment's allow-lists. */
  requestContext(): RequestContext;
  now(): number;
  random(): number;
  hash(text: string): string;
}

export { RuntimeEnv } from './environment';

export const logger = new Logger({ serviceName: 'atlas-privatelink' });

/** What a function can reach: each handler names only the ones it uses, so its bundle holds only those SDKs. */
export interface Capabilities {
  readonly atlas?: () => Promise<AtlasClient>;
  readonly vpcEndpoints?: () => VpcEndpoints;
  readonly network?: () => Ec2Network;
  readonly provisionings?: () => Pick<Executions, 'describe' | 'nameOf'>;
}

const missing = (what: string) => () => {
  throw new Error(`${what} is not available to this function`);
};

/**
 * The runtime of a deployed (or offline-run) Lambda: the clock, randomness and logger, plus the
 * capabilities the handler asked for (see `capabilities/`), each built on first use.
 */
export function lambdaRuntime(capabilities: Capabilities = {}): Runtime {
  return {
    logger,
    atlas: capabilities.atlas ?? (missing('Atlas') as () => Promise<AtlasClient>),
    vpcEndpoints: capabilities.vpcEndpoints ?? (missing('EC2') as () => VpcEndpoints),
    network: capabilities.network ?? (missing('EC2 network reads') as () => Ec2Network),
    provisionings:
      capabilities.provisionings ??
      (missing('Step Functions (provisionings)') as () => Pick<Executions, 'describe' | 'nameOf'>),
    managedBy: () => process.env[RuntimeEnv.managedBy] ?? Defaults.stackName,
    region: () => process.env.AWS_REGION || undefined,
    accountId: () => process.env[RuntimeEnv.accountId] || undefined,
    requestContext: deploymentRequestContext,
    now: handlerTime.now,
    random: handlerTime.random,
    hash: (text) => createHash('sha256').update(text).digest('hex'),
  };
}

/** An allow-list from the environment: `*`, or ids separated by commas; undefined when unset. */
export function allowedFromEnv(name: string): Allowed | undefined {
  const raw = process.env[name]?.trim();
  if (raw === undefined) return undefined;
  if (raw === '*') return '*';
  return raw
    .split(',')
    .map((id) => id.trim())
    .filter((id) => id !== '');
}

/** The deployment's region and allow-lists, as its functions' environment gives them. */
export function deploymentRequestContext(): RequestContext {
  const allowedVpcIds = allowedFromEnv(RuntimeEnv.allowedVpcIds);
  const allowedGroupIds = allowedFromEnv(RuntimeEnv.allowedGroupIds);
  const allowedTagKeys = allowedFromEnv(RuntimeEnv.allowedTagKeys);
  const region = process.env.AWS_REGION || undefined;
  return {
    ...(region ? { deploymentRegion: region } : {}),
    ...(allowedVpcIds ? { allowedVpcIds } : {}),
    ...(allowedGroupIds ? { allowedGroupIds } : {}),
    ...(allowedTagKeys ? { allowedTagKeys } : {}),
  };
}

/** Runs a handler body with the execution name as the log correlation id. */
export async function withExecution<T>(
  runtime: Runtime,
  executionName: string,
  body: () => Promise<T>,
): Promise<T> {
  runtime.logger.setCorrelationId(executionName);
  try {
    return await body();
  } finally {
    runtime.logger.resetKeys();
  }
}
