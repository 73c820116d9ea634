import { createHash } from 'node:crypto';

/** The algorithms of RFC 7616 §3.3 (MD5 is what Atlas offers by default). */
export const DigestAlgorithm = {
  MD5: 'MD5',
  MD5_SESS: 'MD5-sess',
  SHA_256: 'SHA-256',
  SHA_256_SESS: 'SHA-256-sess',
} as const;
export type DigestAlgorithm = (typeof DigestAlgorithm)[keyof typeof DigestAlgorithm];

/** Everything the `response` value of RFC 7616 §3.4.1 depends on. */
export interface DigestResponseInput {
  readonly algorithm: DigestAlgorithm;
  readonly username: string;
  readonly password: string;
  readonly realm: string;
  readonly method: string;
  /** The request-target as sent (path and query). */
  readonly uri: string;
  readonly nonce: string;
  /** `auth`, or undefined for an RFC 2069 challenge without qop. */
  readonly qop?: 'auth' | undefined;
  /** The nonce count, 8 hex digits (`00000001`); required with qop. */
  readonly nc?: string | undefined;
  /** Required with qop and with the `-sess` algorithms. */
  readonly cnonce?: string | undefined;
}

const hashOf = (algorithm: DigestAlgorithm) => (algorithm.startsWith('SHA-256') ? 'sha256' : 'md5');

/**
 * Computes the Digest `response` (RFC 7616 §3.4.1). Pure: no clock, no randomness.
 *
 * @example
 * digestResponse({ algorithm: 'MD5', username: 'Mufasa', password: 'Circle of Life', realm: 'http-auth@example.org',
 *   method: 'GET', uri: '/dir/index.html', nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v', qop: 'auth',
 *   nc: '00000001', cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ' })
 * // => '8ca523f5e9506fed4657c9700eebdbec'
 */
export function digestResponse(input: DigestResponseInput): string {
  const h = (value: string) => createHash(hashOf(input.algorithm)).update(value, 'utf8').digest('hex');
  let ha1 = h(`${input.username}:${input.realm}:${input.password}`);
  if (input.algorithm.endsWith('-sess')) {
    ha1 = h(`${ha1}:${input.nonce}:${input.cnonce ?? ''}`);
  }
  const ha2 = h(`${input.method}:${input.uri}`);
  if (input.qop === undefined) {
    return h(`${ha1}:${input.nonce}:${ha2}`);
  }
  return h(`${ha1}:${input.nonce}:${input.nc ?? ''}:${input.cnonce ?? ''}:${input.qop}:${ha2}`);
}
