import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { executionNameFor } from '../../domain/apiRequest';
import { REQUESTED_BY_FIELD } from '../../domain/callers';
import { parseProvisioningRequest, RequestLimits } from '../../domain/request';
import { type FieldViolation, InvalidRequestError } from '../../errors';
import { MAX_GENERATIONS, type Started, startProvisioning } from '../../services/startProvisioning';
import { callerLogFields, callerOf, unsigned } from './caller';
import { header, json, problem, publicUrl } from './http';
import { type ApiRuntime, lambdaApiRuntime } from './runtime';

/**
 * `POST /endpoints`: validates the request exactly as the workflow's first state does and starts an
 * execution named after its `Idempotency-Key` (or its canonical body), so a repeated request returns the
 * same execution — for a key, whatever its state; for a body, while it runs or once it succeeded (after a
 * failure, the same body starts a new one). Keys and bodies are the caller's own: the execution's name
 * derives from the signing principal too, which the input records as `requestedBy`. `202` with
 * `Location`; `400` listing every bad field; `409` when the key was used with another body; `403` for a
 * request without an IAM caller.
 */
export const createStartProvisioningHandler =
  (runtime: ApiRuntime) =>
  async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
    const caller = callerOf(event);
    if (!caller) return unsigned();
    const text = event.isBase64Encoded
      ? Buffer.from(event.body ?? '', 'base64').toString()
      : (event.body ?? '');
    // Refused before it is parsed: a body this large is no request this API can accept.
    if (Buffer.byteLength(text) > RequestLimits.maxBodyBytes) {
      return problem(413, `The request body is larger than ${RequestLimits.maxBodyBytes} bytes.`, [
        { field: '(body)', message: `expected at most ${RequestLimits.maxBodyBytes} bytes of JSON` },
      ]);
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return problem(400, 'The request body is not JSON.', [
        { field: '(body)', message: 'expected a JSON object' },
      ]);
    }
    // Who asked is the signature's to say, never the body's.
    const fields = isObject(body)
      ? Object.fromEntries(Object.entries(body).filter(([key]) => key !== REQUESTED_BY_FIELD))
      : body;
    const forged: FieldViolation[] =
      isObject(body) && REQUESTED_BY_FIELD in body
        ? [
            {
              field: REQUESTED_BY_FIELD,
              message: 'set by this API from the request’s signature; leave it out of the body',
            },
          ]
        : [];
    let request: ReturnType<typeof parseProvisioningRequest>;
    try {
      request = parseProvisioningRequest(fields, runtime.requestContext());
    } catch (error) {
      if (error instanceof InvalidRequestError) {
        return problem(400, 'The request is invalid.', [...forged, ...error.violations]);
      }
      throw error;
    }
    if (forged.length > 0) return problem(400, 'The request is invalid.', forged);
    const named = executionNameFor(
      request,
      header(event, 'Idempotency-Key'),
      caller.requestedBy,
      runtime.hash,
    );
    if ('violation' in named) return problem(400, 'The request is invalid.', [named.violation]);

    runtime.logger.setCorrelationId(named.name);
    const input = { ...request, [REQUESTED_BY_FIELD]: caller.requestedBy };
    let started: Started;
    try {
      started = await startProvisioning(runtime.executions(), named.name, input, named);
    } catch (error) {
      // Step Functions failed or throttled after the SDK's own retries: nothing was started, and the same
      // request (same Idempotency-Key) is safe to send again.
      runtime.logger.error('could not start the execution', {
        error: (error as Error).name,
        executionId: named.name,
        ...callerLogFields(caller),
      });
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
    runtime.logger.info('provisioning requested', {
      kind: started.kind,
      executionId: started.name,
      groupId: request.groupId,
      ...callerLogFields(caller),
    });
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

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const handler = createStartProvisioningHandler(lambdaApiRuntime);
