/**
 * Deprovisioning over the adapters: starting one idempotently, finding the latest one of a provisioning,
 * and each deletion pass (Atlas registration, VPC endpoint, endpoint service), every pass reading again
 * and asking only for a deletion not yet under way, so the state machine can call it in a loop.
 */
import type { Executions, ExecutionView, StartResult } from '../adapters/Executions';
import type { VpcEndpoints } from '../adapters/VpcEndpoints';
import type { AtlasClient } from '../atlas/AtlasClient';
import { PollSchedule } from '../domain/decisions';
import {
  confirmTags,
  type DeletionProgress,
  type DeprovisioningTarget,
  deprovisioningNameFor,
  endpointServiceStep,
  registrationStep,
  type ServiceRemoval,
  vpcEndpointStep,
} from '../domain/deprovisioning';
import { AtlasConflictError, AtlasNotFoundError, DeletionTimeoutError, Ec2Error } from '../errors';
import { generationName, MAX_GENERATIONS } from './startProvisioning';

/** Statuses of a deprovisioning that a repeated request joins rather than starting anew. */
const STILL_GOOD: ReadonlySet<string> = new Set(['RUNNING', 'PENDING_REDRIVE', 'SUCCEEDED']);

export type DeprovisioningStart =
  | {
      readonly kind: 'started' | 'existing';
      readonly name: string;
      readonly executionArn: string;
      readonly startDate: string;
      readonly status: string;
    }
  | { readonly kind: 'exhausted'; readonly name: string };

/**
 * Starts (or finds) the deprovisioning named `base`: while one runs or once one succeeded, a repeat gets it,
 * whatever its input said (the name is the provisioning's: one deletion of one endpoint); after one failed,
 * a repeat starts the next generation (`del-…-2`).
 */
export async function startDeprovisioning(
  executions: Pick<Executions, 'start' | 'describe'>,
  base: string,
  input: unknown,
): Promise<DeprovisioningStart> {
  for (let n = 1; n <= MAX_GENERATIONS; n += 1) {
    const name = generationName(base, n);
    const result: StartResult = await executions.start(name, input);
    if (result.kind === 'started') return { ...result, name, status: 'RUNNING' };
    // The same name with another input (another trigger, another deleteEndpointService): the same deletion.
    const existing =
      result.kind === 'existing'
        ? { status: result.status, startedAt: result.startDate }
        : await executions.describe(name);
    const status = existing?.status ?? 'UNKNOWN';
    if (STILL_GOOD.has(status)) {
      return {
        kind: 'existing',
        name,
        executionArn: result.executionArn,
        startDate: existing?.startedAt ?? '',
        status,
      };
    }
  }
  return { kind: 'exhausted', name: base };
}

/** The latest deprovisioning (generation) named after `base`, or undefined when none was ever started. */
export async function latestDeprovisioning(
  executions: Pick<Executions, 'describe'>,
  base: string,
): Promise<ExecutionView | undefined> {
  let latest: ExecutionView | undefined;
  for (let n = 1; n <= MAX_GENERATIONS; n += 1) {
    const found = await executions.describe(generationName(base, n));
    if (!found) return latest;
    latest = found;
    if (STILL_GOOD.has(found.status)) return latest;
  }
  return latest;
}

/**
 * The sweep's view of deprovisionings: the status of the latest one of a provisioning, found by its name.
 *
 * @example
 * const statuses = deprovisioningStatuses(new Executions(client, arn), sha256Hex);
 * await statuses.latestStatus('key-3f…'); // 'FAILED'
 */
export function deprovisioningStatuses(
  executions: Pick<Executions, 'describe'>,
  hash: (text: string) => string,
): { latestStatus(executionName: string): Promise<string | undefined> } {
  return {
    latestStatus: async (executionName) =>
      (await latestDeprovisioning(executions, deprovisioningNameFor(executionName, hash)))?.status,
  };
}

/** The next progress of a deletion loop, or DeletionTimeoutError once it has taken too long. */
function progressed(
  previous: { readonly passes: number; readonly startedAt?: number | undefined },
  now: number,
  done: boolean,
  observed: string,
  what: string,
): DeletionProgress {
  const startedAt = previous.startedAt ?? now;
  if (!done && now - startedAt > PollSchedule.deletionTimeoutSeconds * 1000) {
    throw new DeletionTimeoutError(
      `${what} was still ${observed} after ${PollSchedule.deletionTimeoutSeconds} s; the sweep removes it once it can`,
    );
  }
  return { passes: previous.passes + 1, startedAt, done, observed };
}

/** One pass at the Atlas registration: gone (404) is done; otherwise its deletion is asked for once, then awaited. */
export async function removeRegistration(
  atlas: Pick<AtlasClient, 'getEndpoint' | 'deleteEndpoint'>,
  target: DeprovisioningTarget,
  previous: { readonly passes: number; readonly startedAt?: number | undefined },
  now: number,
): Promise<DeletionProgress> {
  const { groupId, endpointServiceId, vpcEndpointId } = target;
  let registration: { connectionStatus: string; deleteRequested: boolean } | undefined;
  try {
    registration = await atlas.getEndpoint(groupId, 'AWS', endpointServiceId, vpcEndpointId);
  } catch (error) {
    // 404 for the endpoint, or for its service (Atlas may remove the service with its last endpoint).
    if (!(error instanceof AtlasNotFoundError)) throw error;
  }
  const step = registrationStep(registration);
  if (step === 'DELETE') await atlas.deleteEndpoint(groupId, 'AWS', endpointServiceId, vpcEndpointId);
  const observed = step === 'GONE' ? 'GONE' : 'DELETING';
  return progressed(previous, now, step === 'GONE', observed, `the Atlas registration of ${vpcEndpointId}`);
}

/**
 * One pass at the VPC endpoint, after its registration is gone: EC2 `deleted` (or forgotten) is done;
 * otherwise it is deleted once, then awaited. An endpoint carrying other tags than the record's is refused.
 */
export async function removeVpcEndpoint(
  vpc: Pick<VpcEndpoints, 'describe' | 'delete'>,
  target: DeprovisioningTarget,
  managedBy: string,
  previous: { readonly passes: number; readonly startedAt?: number | undefined },
  now: number,
): Promise<DeletionProgress> {
  const endpoint = await vpc.describe(target.vpcEndpointId);
  confirmTags(endpoint, target, managedBy);
  const step = vpcEndpointStep(endpoint?.state);
  if (step === 'DELETE') {
    const result = await vpc.delete([target.vpcEndpointId]);
    const [failure] = result.failed;
    if (failure) {
      throw new Ec2Error(failure.message, { code: failure.code, action: 'DeleteVpcEndpoints' });
    }
  }
  const observed = step === 'GONE' ? 'GONE' : step === 'WAIT' ? 'DELETING' : (endpoint?.state ?? 'missing');
  return progressed(previous, now, step === 'GONE', observed, `VPC endpoint ${target.vpcEndpointId}`);
}

/**
 * One pass at the endpoint service (only when the request asked for it): left in place while other
 * endpoints use it; otherwise deleted, then awaited until Atlas answers 404.
 */
export async function removeEndpointService(
  atlas: Pick<AtlasClient, 'getEndpointService' | 'deleteEndpointService'>,
  target: DeprovisioningTarget,
  previous: {
    readonly passes: number;
    readonly startedAt?: number | undefined;
    readonly requested?: boolean | undefined;
  },
  now: number,
): Promise<ServiceRemoval> {
  const requested = previous.requested ?? false;
  let service: { status?: string; interfaceEndpoints: readonly string[] } | undefined;
  try {
    service = await atlas.getEndpointService(target.groupId, 'AWS', target.endpointServiceId);
  } catch (error) {
    if (!(error instanceof AtlasNotFoundError)) throw error;
  }
  const decision = endpointServiceStep(service, target.vpcEndpointId, requested);
  let asked = requested;
  if (decision.step === 'DELETE') {
    try {
      await atlas.deleteEndpointService(target.groupId, 'AWS', target.endpointServiceId);
      asked = true;
    } catch (error) {
      // Another endpoint was registered meanwhile: Atlas refuses to delete a service with endpoints.
      if (!(error instanceof AtlasConflictError)) throw error;
      const progress = progressed(
        previous,
        now,
        true,
        'KEPT',
        `endpoint service ${target.endpointServiceId}`,
      );
      return {
        ...progress,
        requested: asked,
        outcome: 'KEPT',
        reason: 'Atlas refused to delete it: an endpoint uses it',
      };
    }
  }
  const done = decision.step === 'DONE';
  const progress = progressed(
    previous,
    now,
    done,
    done ? 'GONE' : 'DELETING',
    `endpoint service ${target.endpointServiceId}`,
  );
  return {
    passes: progress.passes,
    startedAt: progress.startedAt,
    done,
    requested: asked,
    ...(decision.outcome ? { outcome: decision.outcome } : {}),
    ...(decision.reason ? { reason: decision.reason } : {}),
  };
}
