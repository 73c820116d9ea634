import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { deprovisioningNameFor } from '../../domain/deprovisioning';
import { provisioningView } from '../../domain/endpointViews';
import { isExecutionName } from '../../ids';
import { latestDeprovisioning } from '../../services/deprovisioning';
import { json, problem } from './http';
import { type ApiRuntime, lambdaApiRuntime } from './runtime';

/**
 * `GET /endpoints/{executionId}`: the provisioning's status (PROVISIONING, AVAILABLE, FAILED, DELETING,
 * DELETED), its endpoint and connection strings, its output or error, and its deprovisioning, if any.
 */
export const createGetProvisioningHandler =
  (runtime: ApiRuntime) =>
  async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
    const executionId = event.pathParameters?.executionId ?? '';
    const notFound = () =>
      problem(404, `No provisioning with id ${JSON.stringify(executionId.slice(0, 80))}.`);
    if (!isExecutionName(executionId)) return notFound();
    try {
      const provisioning = await runtime.executions().describe(executionId);
      if (!provisioning) return notFound();
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
