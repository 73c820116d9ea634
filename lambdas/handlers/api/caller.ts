import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { apiCaller } from '../../domain/callers';
import { problem } from './http';

/** The principal behind an API request, as the handlers record and log it. */
export interface ApiCaller {
  /** What the execution's input records and ownership compares (see `domain/callers`). */
  readonly requestedBy: string;
  /** The signing principal exactly as API Gateway names it (an assumed role's session included): for the log. */
  readonly userArn: string;
  /** API Gateway's request id, which the access log line of the same request carries. */
  readonly apiRequestId: string | undefined;
}

/**
 * The caller of a request, from the identity API Gateway's AWS_IAM authorization puts in its request
 * context; undefined when there is none, which only an unsigned request to a method without IAM
 * authorization can produce: the handlers then answer {@link unsigned}, and start or read nothing.
 */
export function callerOf(event: Pick<APIGatewayProxyEvent, 'requestContext'>): ApiCaller | undefined {
  const userArn = event.requestContext?.identity?.userArn;
  const requestedBy = apiCaller(userArn);
  if (requestedBy === undefined) return undefined;
  return { requestedBy, userArn: userArn as string, apiRequestId: event.requestContext?.requestId };
}

/** The answer to a request without a caller: the API's methods are IAM-authorized, so this is a misconfiguration. */
export function unsigned(): APIGatewayProxyResult {
  return problem(403, 'This API answers SigV4-signed requests (AWS_IAM authorization) only.');
}

/** The fields every API log line about a caller's request carries, so it joins the access log's line. */
export function callerLogFields(caller: ApiCaller): Record<string, string> {
  return {
    caller: caller.userArn,
    requestedBy: caller.requestedBy,
    ...(caller.apiRequestId ? { apiRequestId: caller.apiRequestId } : {}),
  };
}
