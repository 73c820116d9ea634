import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { executionNameFor } from '../../domain/apiRequest';
import { parseProvisioningRequest } from '../../domain/request';
import { InvalidRequestError } from '../../errors';
import { MAX_GENERATIONS, type Started, startProvisioning } from '../../services/startProvisioning';
import { header, json, problem, publicUrl } from './http';
import { type ApiRuntime, lambdaApiRuntime } from './runtime';

/**
 * `POST /endpoints`: validates the request exactly as the workflow's first state does and starts an
 * execution named after its `Idempotency-Key` (or its canonical body), so a repeated request returns the
 * same execution — for a key, whatever its state; for a body, while it runs or once it succeeded (after a
 * failure, the same body starts a new one). `202` with `Location`; `400` listing every bad field; `409`
 * when the key was used with another body.
 */
export const createStartProvisioningHandler =
  (runtime: ApiRuntime) =>
  async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
    let body: unknown;
    try {
      body = JSON.parse(
        event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString() : (event.body ?? ''),
      );
    } catch {
      return problem(400, 'The request body is not JSON.', [
        { field: '(body)', message: 'expected a JSON object' },
      ]);
    }
    let request: ReturnType<typeof parseProvisioningRequest>;
    try {
      request = parseProvisioningRequest(body, runtime.requestContext());
    } catch (error) {
      if (error instanceof InvalidRequestError) {
        return problem(400, 'The request is invalid.', error.violations);
      }
      throw error;
    }
    const named = executionNameFor(request, header(event, 'Idempotency-Key'), runtime.hash);
    if ('violation' in named) return problem(400, 'The request is invalid.', [named.violation]);

    runtime.logger.setCorrelationId(named.name);
    let started: Started;
    try {
      started = await startProvisioning(runtime.executions(), named.name, request, named);
    } catch (error) {
      // Step Functions failed or throttled after the SDK's own retries: nothing was started, and the same
      // request (same Idempotency-Key) is safe to send again.
      runtime.logger.error('could not start the execution', { error: (error as Error).name });
      return {
        ...problem(503, 'Could not start the provisioning; send the same request again.'),
        headers: { 'Content-Type': 'application/json', 'Retry-After': '5' },
      };
    }
    if (started.kind === 'conflict') {
      return problem(409, 'This Idempotency-Key was already used with a different request body.');
    }
    if (started.kind === 'exhausted') {
      return problem(
        409,
        `This request failed ${MAX_GENERATIONS} times; send it with an Idempotency-Key to start it again.`,
      );
    }
    const statusUrl = publicUrl(event, `/endpoints/${started.name}`);
    runtime.logger.info('provisioning requested', { kind: started.kind, groupId: request.groupId });
    return json(
      202,
      {
        executionArn: started.executionArn,
        executionId: started.name,
        statusUrl,
        startedAt: started.startDate,
      },
      { Location: statusUrl },
    );
  };

export const handler = createStartProvisioningHandler(lambdaApiRuntime);
