import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';
import { AtlasNetworkError } from '../errors';
import { toNetworkError } from './atlasErrors';
import { type CappedBody, readCapped } from './responses';

/** One HTTP request to Atlas. */
export interface ExchangeRequest {
  readonly origin: string;
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** The path as sent (already encoded), without query string. */
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: string | undefined;
  readonly headersTimeoutMs: number;
  readonly bodyTimeoutMs: number;
  /** The whole exchange, from connecting to the last byte of the body. */
  readonly totalTimeoutMs: number;
  /** Bodies of 2xx answers are read up to this size; a longer one reads as truncated. */
  readonly maxBodyBytes: number;
}

/** Atlas's answer, its body read (up to the cap). */
export interface ExchangeResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: CappedBody;
}

/** The `code` of an {@link AtlasNetworkError} for an exchange that outlasted its total time limit. */
export const REQUEST_TIMEOUT_CODE = 'ATLAS_REQUEST_TIMEOUT';

/** Error bodies are only read for their details; 64 KiB is far more than an `ApiError` takes. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

/**
 * Sends one request and reads the whole answer. Transport failures (timeouts, resets, refused
 * connections), while sending or while reading the body, become `AtlasNetworkError`s.
 */
export async function exchange(dispatcher: Dispatcher, request: ExchangeRequest): Promise<ExchangeResponse> {
  const label = `${request.method} ${request.path}`;
  const signal = AbortSignal.timeout(Math.max(1, request.totalTimeoutMs));
  try {
    const response = await dispatcher.request({
      origin: request.origin,
      method: request.method,
      path: request.path,
      headers: request.headers,
      body: request.body ?? null,
      headersTimeout: request.headersTimeoutMs,
      bodyTimeout: request.bodyTimeoutMs,
      signal,
    });
    const cap =
      response.statusCode >= 200 && response.statusCode < 300 ? request.maxBodyBytes : MAX_ERROR_BODY_BYTES;
    const contentLength = response.headers['content-length'];
    const body = await readCapped(
      response.body,
      cap,
      typeof contentLength === 'string' ? contentLength : undefined,
    );
    return { status: response.statusCode, headers: response.headers, body };
  } catch (error) {
    if (signal.aborted) {
      throw new AtlasNetworkError(`Atlas did not answer ${label} within ${request.totalTimeoutMs} ms`, {
        code: REQUEST_TIMEOUT_CODE,
        cause: error,
      });
    }
    throw toNetworkError(error, label);
  }
}

/** A response header's single value (the first, when repeated). */
export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}
