import { randomBytes } from 'node:crypto';
import { type DigestAlgorithm, digestResponse } from '../../lambdas/atlas/digest/digestResponse';

/** The parameters of a `WWW-Authenticate: Digest …` challenge. */
export interface DigestChallenge {
  readonly realm: string;
  readonly nonce: string;
  readonly algorithm: DigestAlgorithm;
  readonly qop: string;
  readonly stale: boolean;
  readonly domain: string | undefined;
}

/** Parses a Digest challenge (test helper: strict enough to catch a malformed header). */
export function parseChallenge(header: string | null): DigestChallenge {
  if (!header?.startsWith('Digest ')) throw new Error(`Not a Digest challenge: ${header}`);
  const params: Record<string, string> = {};
  for (const m of header.slice(7).matchAll(/([a-zA-Z]+)=(?:"([^"]*)"|([^,\s]*))/g)) {
    params[m[1]!] = m[2] ?? m[3]!;
  }
  return {
    realm: params.realm!,
    nonce: params.nonce!,
    algorithm: params.algorithm as DigestAlgorithm,
    qop: params.qop!,
    stale: params.stale === 'true',
    domain: params.domain,
  };
}

/** An `Authorization: Digest …` value for one request, computed with the project's `digestResponse`. */
export function digestAuthorization(input: {
  challenge: DigestChallenge;
  method: string;
  uri: string;
  username: string;
  password: string;
  nc?: number;
  cnonce?: string;
}): string {
  const nc = (input.nc ?? 1).toString(16).padStart(8, '0');
  const cnonce = input.cnonce ?? randomBytes(8).toString('hex');
  const { challenge } = input;
  const response = digestResponse({
    algorithm: challenge.algorithm,
    username: input.username,
    password: input.password,
    realm: challenge.realm,
    method: input.method,
    uri: input.uri,
    nonce: challenge.nonce,
    qop: 'auth',
    nc,
    cnonce,
  });
  return (
    `Digest username="${input.username}", realm="${challenge.realm}", nonce="${challenge.nonce}", uri="${input.uri}", ` +
    `algorithm=${challenge.algorithm}, response="${response}", qop=auth, nc=${nc}, cnonce="${cnonce}"`
  );
}

export interface DigestRequest {
  readonly method?: string;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

/**
 * A minimal Digest client over `fetch` for tests: gets a challenge, then reuses the nonce with an increasing
 * nonce count, answering a `stale=true` challenge once. Independent of the project's undici interceptor.
 */
export class DigestTestClient {
  readonly #baseUrl: string;
  readonly #username: string;
  readonly #password: string;
  #challenge: DigestChallenge | undefined;
  #nc = 0;

  constructor(baseUrl: string, credentials: { publicKey: string; privateKey: string }) {
    this.#baseUrl = baseUrl;
    this.#username = credentials.publicKey;
    this.#password = credentials.privateKey;
  }

  get nonceCount(): number {
    return this.#nc;
  }

  /** Sends `path` (path and query, relative to the emulator's URL) with Digest credentials. */
  async request(path: string, options: DigestRequest = {}): Promise<Response> {
    const method = options.method ?? 'GET';
    if (!this.#challenge) await this.#fetchChallenge(path, method);
    let response = await this.#send(path, method, options);
    if (response.status === 401) {
      const challenge = parseChallenge(response.headers.get('www-authenticate'));
      if (challenge.stale) {
        this.#challenge = challenge;
        this.#nc = 0;
        response = await this.#send(path, method, options);
      }
    }
    return response;
  }

  /** Sends with an explicit nonce count (to test replays). */
  async requestWithNc(path: string, nc: number, options: DigestRequest = {}): Promise<Response> {
    const method = options.method ?? 'GET';
    if (!this.#challenge) await this.#fetchChallenge(path, method);
    return this.#send(path, method, options, nc);
  }

  async #fetchChallenge(path: string, method: string): Promise<void> {
    const response = await fetch(this.#baseUrl + path, { method: method === 'POST' ? 'GET' : method });
    await response.arrayBuffer();
    this.#challenge = parseChallenge(response.headers.get('www-authenticate'));
    this.#nc = 0;
  }

  #send(path: string, method: string, options: DigestRequest, nc?: number): Promise<Response> {
    const count = nc ?? ++this.#nc;
    const headers: Record<string, string> = {
      Accept: 'application/vnd.atlas.2023-01-01+json',
      ...options.headers,
      Authorization: digestAuthorization({
        challenge: this.#challenge!,
        method,
        uri: path,
        username: this.#username,
        password: this.#password,
        nc: count,
      }),
    };
    let body: string | undefined;
    if (options.body !== undefined) {
      body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
      headers['Content-Type'] ??= 'application/json';
    }
    return fetch(this.#baseUrl + path, { method, headers, ...(body !== undefined ? { body } : {}) });
  }
}
