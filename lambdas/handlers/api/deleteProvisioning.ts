import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { mayRead } from '../../domain/callers';
import {
  deprovisioningInput,
  deprovisioningNameFor,
  lifecycleStatus,
  parseDeletionOptions,
  provenTarget,
} from '../../domain/deprovisioning';
import { InvalidRequestError, ProvisioningNotDeletableError, ProvisioningNotFoundError } from '../../errors';
import { EXECUTION_ID_EXPECTED, isExecutionName } from '../../ids';
import { type DeprovisioningStart, startDeprovisioning } from '../../services/deprovisioning';
import { callerLogFields, callerOf, unsigned } from './caller';
import { json, problem, publicUrl } from './http';
import { type ApiRuntime, lambdaApiRuntime } from './runtime';

const unavailable = (what: string): APIGatewayProxyResult => ({
  ...problem(503, `Could not ${what}; send the same request again.`),
  headers: { 'Content-Type': 'application/json', 'Retry-After': '5' },
});

/**
 * `DELETE /endpoints/{executionId}`: starts the deprovisioning of what that provisioning created, proven by
 * its own output. `202` with the deprovisioning (the same one for a repeat); `400` naming a bad id or body
 * field; `404` for a provisioning this deployment does not have, or that is not the caller's (nor the
 * caller one of the `endpointReaders`), with nothing started; `409` naming the status of one still running
 * or that did not succeed (it left nothing to delete).
 */
export const createDeleteProvisioningHandler =
  (runtime: ApiRuntime) =>
  async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
    const caller = callerOf(event);
    if (!caller) return unsigned();
    const executionId = event.pathParameters?.executionId ?? '';
    if (!isExecutionName(executionId)) {
      return problem(400, 'The request is invalid.', [
        { field: 'executionId', message: `expected ${EXECUTION_ID_EXPECTED}` },
      ]);
    }
    let options: ReturnType<typeof parseDeletionOptions>;
    try {
      const text = event.isBase64Encoded
        ? Buffer.from(event.body ?? '', 'base64').toString()
        : (event.body ?? '');
      options = parseDeletionOptions(text.trim() === '' ? undefined : JSON.parse(text));
    } catch (error) {
      if (error instanceof InvalidRequestError)
        return problem(400, 'The request is invalid.', error.violations);
      return problem(400, 'The request body is not JSON.', [
        { field: '(body)', message: 'expected nothing or a JSON object {deleteEndpointService}' },
      ]);
    }
    runtime.logger.setCorrelationId(executionId);

    let provisioning: Awaited<ReturnType<ReturnType<ApiRuntime['executions']>['describe']>>;
    try {
      provisioning = await runtime.executions().describe(executionId);
    } catch (error) {
      runtime.logger.error('could not read the provisioning', { error: (error as Error).name });
      return unavailable('read the provisioning');
    }
    const notFound = () => problem(404, `No provisioning with id ${JSON.stringify(executionId)}.`);
    if (provisioning && !mayRead(provisioning.input, caller.requestedBy, runtime.endpointReaders())) {
      runtime.logger.info('deletion refused to a caller who did not start the provisioning', {
        executionId,
        ...callerLogFields(caller),
      });
      return notFound();
    }
    let vpcEndpointId: string;
    try {
      ({ vpcEndpointId } = provenTarget(provisioning, { executionId }));
    } catch (error) {
      if (error instanceof ProvisioningNotFoundError) return notFound();
      if (error instanceof ProvisioningNotDeletableError) {
        return json(409, { message: `Cannot delete: ${error.message}.`, status: error.status });
      }
      throw error;
    }

    let started: DeprovisioningStart;
    try {
      started = await startDeprovisioning(
        runtime.deprovisionings(),
        deprovisioningNameFor(executionId, runtime.hash),
        deprovisioningInput(executionId, options.deleteEndpointService),
      );
    } catch (error) {
      runtime.logger.error('could not start the deprovisioning', { error: (error as Error).name });
      return unavailable('start the deprovisioning');
    }
    if (started.kind === 'exhausted') {
      return problem(
        409,
        'This provisioning’s deletion failed too many times; let the sweep remove what is left.',
      );
    }
    const statusUrl = publicUrl(event, `/endpoints/${executionId}`);
    runtime.logger.info('deprovisioning requested', {
      kind: started.kind,
      executionId,
      deprovisioningId: started.name,
      ...callerLogFields(caller),
    });
    return json(
      202,
      {
        executionId,
        status: lifecycleStatus('SUCCEEDED', started.status),
        vpcEndpointId,
        deprovisioningId: started.name,
        deprovisioningArn: started.executionArn,
        startedAt: started.startDate,
        statusUrl,
      },
      { Location: statusUrl },
    );
  };

export const handler = createDeleteProvisioningHandler(lambdaApiRuntime);
