import type { EventBridgeEvent } from 'aws-lambda';
import {
  claimedBy,
  type DeprovisioningRequest,
  deprovisioningInput,
  deprovisioningNameFor,
  parseDeprovisioningRequest,
  provenTarget,
} from '../../domain/deprovisioning';
import { InvalidRequestError, ProvisioningNotDeletableError, ProvisioningNotFoundError } from '../../errors';
import { type DeprovisioningStart, startDeprovisioning } from '../../services/deprovisioning';
import { vpcEndpointsFromEnv } from '../capabilities/vpcEndpointsFromEnv';
import { type ApiRuntime, apiRuntimeWith } from './runtime';

/** What the function reports (to the log; EventBridge invokes it asynchronously). */
export interface DeletionStart {
  readonly deprovisioningId: string;
  readonly executionArn: string;
  /** `started`, `existing` (a repeat), or `refused`: started to fail visibly, naming why. */
  readonly kind: string;
}

/**
 * The target of the deletion rule: an `Atlas Private Endpoint Deletion Requested` event (detail
 * `{ executionId }` or `{ vpcEndpointId }`, and `deleteEndpointService`) starts the deprovisioning of the
 * provisioning it proves, named after that provisioning, so the API, events and repeats all find the same
 * one. A request that proves nothing (bad detail, an endpoint or execution not this deployment's, a
 * provisioning still running) still starts a deprovisioning, named after the event (a redelivery finds it),
 * which fails in "Find provisioning" with the typed error and an `Atlas Private Endpoint Deletion Failed` event.
 */
export const createDeleteFromEventHandler =
  (runtime: ApiRuntime) =>
  async (event: EventBridgeEvent<string, unknown>): Promise<DeletionStart> => {
    const proven = await proveRequest(runtime, event.detail);
    let started: DeprovisioningStart;
    if (proven) {
      started = await startDeprovisioning(
        runtime.deprovisionings(),
        deprovisioningNameFor(proven.executionId, runtime.hash),
        deprovisioningInput(proven.executionId, proven.deleteEndpointService),
      );
    } else {
      // Named after the event: the same event delivered twice is one (failed) deprovisioning, not two.
      const name = `del-evt-${runtime.hash(`event:${event.id}`).slice(0, 40)}`;
      const result = await runtime.deprovisionings().start(name, event.detail ?? null);
      started =
        result.kind === 'started'
          ? { ...result, name, status: 'RUNNING' }
          : { kind: 'existing', name, executionArn: result.executionArn, startDate: '', status: 'UNKNOWN' };
    }
    if (started.kind === 'exhausted')
      throw new Error(`the deletion of ${started.name} failed too many times`);
    runtime.logger.setCorrelationId(started.name);
    runtime.logger.info('deprovisioning requested by event', {
      eventId: event.id,
      account: event.account,
      source: event.source,
      ...(proven ? { executionId: proven.executionId } : {}),
      kind: proven ? started.kind : 'refused',
    });
    return {
      deprovisioningId: started.name,
      executionArn: started.executionArn,
      kind: proven ? started.kind : 'refused',
    };
  };

/** The provisioning an event's detail proves, or undefined when it proves none (the deprovisioning then says why). */
async function proveRequest(
  runtime: ApiRuntime,
  detail: unknown,
): Promise<{ readonly executionId: string; readonly deleteEndpointService: boolean } | undefined> {
  let request: DeprovisioningRequest;
  try {
    request = parseDeprovisioningRequest(detail);
  } catch (error) {
    if (error instanceof InvalidRequestError) return undefined;
    throw error;
  }
  try {
    const requestedEndpoint = request.vpcEndpointId;
    const executionId =
      requestedEndpoint !== undefined
        ? claimedBy(
            await runtime.vpcEndpoints().describe(requestedEndpoint),
            requestedEndpoint,
            runtime.managedBy(),
            runtime.executions(),
          )
        : (request.executionId as string);
    const provisioning = await runtime.executions().describe(executionId);
    provenTarget(provisioning, {
      executionId,
      ...(requestedEndpoint ? { vpcEndpointId: requestedEndpoint } : {}),
    });
    return { executionId, deleteEndpointService: request.deleteEndpointService };
  } catch (error) {
    if (error instanceof ProvisioningNotFoundError || error instanceof ProvisioningNotDeletableError)
      return undefined;
    throw error;
  }
}

export const handler = createDeleteFromEventHandler(apiRuntimeWith({ vpcEndpoints: vpcEndpointsFromEnv }));
