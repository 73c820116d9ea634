import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { RequestLimits } from '../../domain/request';
import type { FieldViolation } from '../../errors';

export function json(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyResult {
  return {
    statusCode,
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  };
}

/** A 4xx/5xx answer: a message, and per-field errors when the request was at fault. */
export function problem(
  statusCode: number,
  message: string,
  errors?: readonly FieldViolation[],
): APIGatewayProxyResult {
  return json(statusCode, { message, ...(errors ? { errors: reportable(errors) } : {}) });
}

/** The longest field name or message echoed back: a hostile body's names can be megabytes long (a valid
 * tag key has at most 128 characters, so no name a caller can fix is cut). */
const MAX_ECHOED_CHARS = { field: 300, message: 500 } as const;

/**
 * The problems as they are answered: at most `RequestLimits.maxReportedProblems` of them (then one more
 * saying how many were left out), each field name and message cut to a readable length.
 */
export function reportable(errors: readonly FieldViolation[]): FieldViolation[] {
  const cut = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);
  const shown = errors.slice(0, RequestLimits.maxReportedProblems).map((e) => ({
    field: cut(e.field, MAX_ECHOED_CHARS.field),
    message: cut(e.message, MAX_ECHOED_CHARS.message),
  }));
  const left = errors.length - shown.length;
  return left > 0
    ? [...shown, { field: '(more)', message: `${left} more problem(s) not shown; fix these first` }]
    : shown;
}

/** A header's value, whatever the case of its name (API Gateway passes them as the client sent them). */
export function header(event: Pick<APIGatewayProxyEvent, 'headers'>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted && value !== undefined) return value;
  }
  return undefined;
}

/** The public URL of a path on this API: absolute behind API Gateway, relative elsewhere. */
export function publicUrl(
  event: Pick<APIGatewayProxyEvent, 'requestContext' | 'headers'>,
  path: string,
): string {
  const domain = event.requestContext?.domainName;
  const stage = event.requestContext?.stage;
  if (domain && stage && stage !== '$default') return `https://${domain}/${stage}${path}`;
  const host = header(event, 'host');
  return host ? `http://${host}${path}` : path;
}
