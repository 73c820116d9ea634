import type { EventBridgeEvent } from 'aws-lambda';
import { eventExecution, idempotencyKeyViolation, keyedExecution } from '../../domain/apiRequest';
import { eventCaller, REQUESTED_BY_FIELD } from '../../domain/callers';
import { InvalidRequestError } from '../../errors';
import { startProvisioning } from '../../services/startProvisioning';
import { type ApiRuntime, lambdaApiRuntime } from './runtime';

/** What the function reports (to the log; EventBridge invokes it asynchronously). */
export interface EventStart {
  readonly executionId: string;
  readonly executionArn: string;
  /** `started`, or `existing` for a duplicate delivery or a repeated idempotency key. */
  readonly kind: string;
}

/**
 * The target of the request rule: an `Atlas Private Endpoint Requested` event starts an execution with its
 * detail, through the same start path as the API. EventBridge delivers at least once, so the execution is
 * named after `detail.idempotencyKey` when given, else after the event's `id`: a duplicate delivery finds
 * the execution the first one started instead of creating a second endpoint. The key is the caller's own:
 * the event's account and source, which the input records as `requestedBy` (whatever the detail says).
 *
 * The detail is not validated here: the execution's *Validate request* state does it, so a bad request
 * fails visibly (console, `Atlas Private Endpoint Failed` event) without any EC2 or Atlas call. Only a
 * malformed `idempotencyKey` fails the invocation, which Lambda retries and then sends to the dead-letter queue.
 */
export const createStartFromEventHandler =
  (runtime: ApiRuntime) =>
  async (event: EventBridgeEvent<string, unknown>): Promise<EventStart> => {
    const detail =
      event.detail && typeof event.detail === 'object' && !Array.isArray(event.detail)
        ? (event.detail as Record<string, unknown>)
        : undefined;
    const { idempotencyKey, ...request } = detail ?? {};
    const requestedBy = eventCaller(event.account, event.source);
    let naming: ReturnType<typeof keyedExecution>;
    if (idempotencyKey === undefined) {
      naming = eventExecution(String(event.id), runtime.hash);
    } else {
      const violation = idempotencyKeyViolation('detail.idempotencyKey', idempotencyKey);
      if (violation) throw new InvalidRequestError([violation]);
      naming = keyedExecution(idempotencyKey as string, requestedBy, runtime.hash);
    }
    runtime.logger.setCorrelationId(naming.name);
    // A detail that is not an object goes on as it is: Validate request names the problem.
    const started = await startProvisioning(
      runtime.executions(),
      naming.name,
      detail ? { ...request, [REQUESTED_BY_FIELD]: requestedBy } : (event.detail ?? null),
      naming,
    );
    if (started.kind === 'conflict') {
      throw new InvalidRequestError([
        {
          field: 'detail.idempotencyKey',
          message: 'this idempotency key was already used with a different request; use a new key',
        },
      ]);
    }
    if (started.kind === 'exhausted') throw new Error(`unreachable: ${naming.name} never restarts`);
    runtime.logger.info('provisioning requested by event', {
      eventId: event.id,
      account: event.account,
      source: event.source,
      executionId: started.name,
      kind: started.kind,
    });
    return { executionId: started.name, executionArn: started.executionArn, kind: started.kind };
  };

export const handler = createStartFromEventHandler(lambdaApiRuntime);
