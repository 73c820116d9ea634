import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { json, problem } from './http';
import { type ApiRuntime, lambdaApiRuntime } from './runtime';

/** `GET /endpoints/{executionId}`: the execution's status, and its output or error once it stopped. */
export const createGetProvisioningHandler =
  (runtime: ApiRuntime) =>
  async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
    const executionId = event.pathParameters?.executionId ?? '';
    let execution: Awaited<ReturnType<ReturnType<ApiRuntime['executions']>['describe']>>;
    try {
      execution = await runtime.executions().describe(executionId);
    } catch (error) {
      runtime.logger.error('could not read the execution', { error: (error as Error).name });
      return {
        ...problem(503, 'Could not read the provisioning; try again.'),
        headers: { 'Content-Type': 'application/json', 'Retry-After': '5' },
      };
    }
    if (!execution)
      return problem(404, `No provisioning with id ${JSON.stringify(executionId.slice(0, 80))}.`);
    return json(200, {
      executionId: execution.name,
      status: execution.status,
      startedAt: execution.startedAt,
      stoppedAt: execution.stoppedAt ?? null,
      ...(execution.output !== undefined ? { output: execution.output } : {}),
      ...(execution.error !== undefined
        ? { error: { name: execution.error, cause: execution.cause ?? '' } }
        : {}),
    });
  };

export const handler = createGetProvisioningHandler(lambdaApiRuntime);
