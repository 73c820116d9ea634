import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { mayRead } from '../../domain/callers';
import { deprovisioningNameFor } from '../../domain/deprovisioning';
import { provisioningView } from '../../domain/endpointViews';
import { isExecutionName } from '../../ids';
import { latestDeprovisioning } from '../../services/deprovisioning';
import { callerLogFields, callerOf, unsigned } from './caller';
import { json, problem } from './http';
import { type ApiRuntime, lambdaApiRuntime } from './runtime';

/**
 * `GET /endpoints/{executionId}`: the provisioning's status (PROVISIONING, AVAILABLE, FAILED, DELETING,
 * DELETED), its endpoint and connection strings, its output or error, and its deprovisioning, if any.
 * Only for its caller (or the deployment's `endpointReaders`): anyone else gets the `404` an unknown id
 * gets, so an id says nothing about whether it exists.
 */
export const createGetProvisioningHandler =
  (runtime: ApiRuntime) =>
  async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
    const caller = callerOf(event);
    if (!caller) return unsigned();
    const executionId = event.pathParameters?.executionId ?? '';
    const notFound = () =>
      problem(404, `No provisioning with id ${JSON.stringify(executionId.slice(0, 80))}.`);
    if (!isExecutionName(executionId)) return notFound();
    try {
      const provisioning = await runtime.executions().describe(executionId);
      if (!provisioning) return notFound();
      if (!mayRead(provisioning.input, caller.requestedBy, runtime.endpointReaders())) {
        runtime.logger.info('provisioning hidden from a caller who did not start it', {
          executionId,
          ...callerLogFields(caller),
        });
        return notFound();
      }
      const deprovisioning =
        provisioning.status === 'SUCCEEDED'
          ? await latestDeprovisioning(
              runtime.deprovisionings(),
              deprovisioningNameFor(executionId, runtime.hash),
            )
          : undefined;
      return json(
        200,
        provisioningView({
          provisioning,
          deprovisioning,
          tagged: [],
          managedBy: runtime.managedBy(),
          deploymentRegion: runtime.requestContext().deploymentRegion,
        }),
      );
    } catch (error) {
      runtime.logger.error('could not read the provisioning', { error: (error as Error).name });
      return {
        ...problem(503, 'Could not read the provisioning; try again.'),
        headers: { 'Content-Type': 'application/json', 'Retry-After': '5' },
      };
    }
  };

export const handler = createGetProvisioningHandler(lambdaApiRuntime);
