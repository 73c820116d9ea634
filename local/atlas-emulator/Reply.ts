import type { IncomingMessage, ServerResponse } from 'node:http';
import { type AtlasApiError, UNAUTHORIZED_BODY } from './errors';

/** The media type of every v2 response body the emulator serves. */
export const ATLAS_V2_MEDIA_TYPE = 'application/vnd.atlas.2023-01-01+json';

/** How the emulator authenticated a request, as recorded in the request log. */
export type AuthOutcome = 'ok' | 'challenge' | 'stale' | 'wrong-credentials' | 'replay' | 'none' | 'bearer';

/** One line of the request log; `status` 0 means the socket was reset (a fault) or the client went away. */
export interface AtlasRequestLogEntry {
  readonly method: string;
  /** The path, without the query. */
  readonly path: string;
  readonly status: number;
  readonly auth: AuthOutcome;
  /** When the request arrived, by the emulator's clock. */
  readonly at: number;
}

export type MutableLogEntry = { -readonly [K in keyof AtlasRequestLogEntry]: AtlasRequestLogEntry[K] };

/**
 * Writes one response the way Atlas would: v2 success bodies as `application/vnd.atlas.2023-01-01+json`,
 * errors and v1.0 as `application/json`, honouring `pretty=true` and `envelope=true`.
 */
export class Reply {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly entry: MutableLogEntry;
  version: 'v2' | 'v1.0' | undefined;
  envelope = false;
  pretty = false;
  /** The media type of a v2 success body, when the resource speaks another version (the clusters). */
  mediaType: string | undefined;
  readonly headers: Record<string, string> = {};

  constructor(req: IncomingMessage, res: ServerResponse, entry: MutableLogEntry) {
    this.req = req;
    this.res = res;
    this.entry = entry;
  }

  get open(): boolean {
    return !this.res.headersSent && !this.res.destroyed && !this.res.writableEnded;
  }

  /**
   * A JSON answer. `raw` skips the envelope: a 401 must stay a 401 for Digest to work, and injected faults
   * stand for infrastructure in front of the API, which knows nothing of envelopes.
   */
  json(
    status: number,
    body: unknown,
    options: { raw?: boolean; headers?: Record<string, string> } = {},
  ): void {
    const success = status < 400;
    const contentType =
      this.version === 'v2' && success ? (this.mediaType ?? ATLAS_V2_MEDIA_TYPE) : 'application/json';
    const wrapped = this.envelope && !options.raw;
    const payload = wrapped ? { status, content: body } : body;
    this.#send(wrapped ? 200 : status, contentType, this.#serialize(payload), options.headers);
  }

  /** 204, or `{status: 204, content: null}` with `envelope=true`. */
  noContent(): void {
    if (this.envelope) {
      this.json(204, null);
      return;
    }
    if (!this.open) return;
    this.entry.status = 204;
    this.res.writeHead(204, this.headers);
    this.res.end();
  }

  error(error: AtlasApiError): void {
    this.json(error.status, error.body, { headers: error.headers });
  }

  unauthorized(challenge: string): void {
    this.json(401, UNAUTHORIZED_BODY, { raw: true, headers: { 'WWW-Authenticate': challenge } });
  }

  /** A body that is not JSON, declared as if it were. */
  malformed(status: number): void {
    const contentType = this.version === 'v2' ? ATLAS_V2_MEDIA_TYPE : 'application/json';
    this.#send(status, contentType, '{"cloudProvider":"AWS","connectionSta');
  }

  text(status: number, contentType: string, body: string, headers?: Record<string, string>): void {
    this.#send(status, contentType, body, headers);
  }

  #serialize(value: unknown): string {
    return this.pretty ? JSON.stringify(value, null, 2) : JSON.stringify(value);
  }

  #send(status: number, contentType: string, body: string, headers: Record<string, string> = {}): void {
    if (!this.open) return;
    this.entry.status = status;
    const bytes = Buffer.from(body, 'utf8');
    this.res.writeHead(status, {
      ...this.headers,
      ...headers,
      'Content-Type': contentType,
      'Content-Length': String(bytes.length),
    });
    this.res.end(bytes);
  }
}
