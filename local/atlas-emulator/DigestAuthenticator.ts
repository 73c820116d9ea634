import { randomBytes, timingSafeEqual } from 'node:crypto';
import { type DigestAlgorithm, digestResponse } from '../../lambdas/atlas/digest/digestResponse';
import type { Clock } from '../shared/model';

/** Atlas's realm. */
export const ATLAS_DIGEST_REALM = 'MMS Public API';

/** The outcome of checking a `Digest` Authorization header. */
export type DigestVerdict =
  | { readonly kind: 'ok'; readonly username: string }
  /** Right credentials but an expired or unknown nonce: challenge again with `stale=true`. */
  | { readonly kind: 'stale' }
  /** A nonce count already used with that nonce (or too far behind the highest one to tell). */
  | { readonly kind: 'replay' }
  | { readonly kind: 'wrong-credentials' };

interface NonceState {
  readonly issuedAt: number;
  /** The highest nonce count accepted so far. */
  highest: number;
  /** Counts accepted within {@link NC_WINDOW} of the highest. */
  readonly seen: Set<number>;
}

/**
 * RFC 7616 forbids reusing a nonce count, not receiving them out of order: concurrent requests of one
 * client can overtake each other on the way. Counts are remembered within this window of the highest.
 */
const NC_WINDOW = 1024;

/** Keeps memory bounded against a client that never answers its challenges. */
const MAX_NONCES = 10_000;

/**
 * Parses the auth-params of a `Digest` credentials string (RFC 7616 §3.4); undefined if it is not one.
 * Quoted strings may hold commas and `\"` escapes.
 */
export function parseDigestCredentials(header: string): Record<string, string> | undefined {
  const match = /^Digest\s+(.*)$/is.exec(header.trim());
  if (!match) return undefined;
  const params: Record<string, string> = {};
  const pattern = /\s*([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,"]*))\s*(?:,|$)/gy;
  const rest = match[1]!;
  let consumed = 0;
  for (let m = pattern.exec(rest); m !== null && m[0] !== ''; m = pattern.exec(rest)) {
    params[m[1]!.toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]!;
    consumed = pattern.lastIndex;
  }
  if (consumed !== rest.length || Object.keys(params).length === 0) return undefined;
  return params;
}

/**
 * HTTP Digest as Atlas serves it: qop `auth`, one algorithm, nonces that expire (by the emulator's clock) and
 * nonce counts that must increase per nonce.
 */
export class DigestAuthenticator {
  readonly #algorithm: DigestAlgorithm;
  readonly #nonceTtlMs: number;
  readonly #clock: Clock;
  readonly #keys: ReadonlyMap<string, string>;
  readonly #nonces = new Map<string, NonceState>();

  constructor(options: {
    algorithm: DigestAlgorithm;
    nonceTtlMs: number;
    clock: Clock;
    keys: ReadonlyMap<string, string>;
  }) {
    this.#algorithm = options.algorithm;
    this.#nonceTtlMs = options.nonceTtlMs;
    this.#clock = options.clock;
    this.#keys = options.keys;
  }

  /** A `WWW-Authenticate` value with a fresh nonce, in Atlas's parameter order. */
  challenge(stale: boolean): string {
    this.#prune();
    const nonce = randomBytes(24).toString('base64');
    this.#nonces.set(nonce, { issuedAt: this.#clock(), highest: 0, seen: new Set() });
    return `Digest realm="${ATLAS_DIGEST_REALM}", domain="", nonce="${nonce}", algorithm=${this.#algorithm}, qop="auth", stale=${stale}`;
  }

  verify(header: string, method: string, requestTarget: string): DigestVerdict {
    const p = parseDigestCredentials(header);
    if (!p) return { kind: 'wrong-credentials' };
    const { username, realm, nonce, uri, response, qop, nc, cnonce } = p;
    const password = username === undefined ? undefined : this.#keys.get(username);
    const algorithm = (p.algorithm ?? 'MD5').toUpperCase();
    if (
      password === undefined ||
      realm !== ATLAS_DIGEST_REALM ||
      algorithm !== this.#algorithm.toUpperCase() ||
      qop !== 'auth' ||
      nonce === undefined ||
      response === undefined ||
      cnonce === undefined ||
      nc === undefined ||
      !/^[0-9a-fA-F]{8}$/.test(nc) ||
      uri !== requestTarget
    ) {
      return { kind: 'wrong-credentials' };
    }
    const expected = digestResponse({
      algorithm: this.#algorithm,
      username: username!,
      password,
      realm,
      method,
      uri,
      nonce,
      qop: 'auth',
      nc,
      cnonce,
    });
    if (!sameText(expected, response.toLowerCase())) return { kind: 'wrong-credentials' };
    const state = this.#nonces.get(nonce);
    if (!state || this.#clock() - state.issuedAt > this.#nonceTtlMs) {
      this.#nonces.delete(nonce);
      return { kind: 'stale' };
    }
    const count = Number.parseInt(nc, 16);
    if (count <= state.highest - NC_WINDOW || state.seen.has(count)) return { kind: 'replay' };
    state.seen.add(count);
    if (count > state.highest) {
      state.highest = count;
      for (const old of state.seen) if (old <= count - NC_WINDOW) state.seen.delete(old);
    }
    return { kind: 'ok', username: username! };
  }

  reset(): void {
    this.#nonces.clear();
  }

  #prune(): void {
    const now = this.#clock();
    for (const [nonce, state] of this.#nonces) {
      if (now - state.issuedAt > this.#nonceTtlMs) this.#nonces.delete(nonce);
    }
    while (this.#nonces.size >= MAX_NONCES) {
      const oldest = this.#nonces.keys().next().value;
      if (oldest === undefined) break;
      this.#nonces.delete(oldest);
    }
  }
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
