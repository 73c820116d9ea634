import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type DigestAlgorithm, digestResponse } from '../../../lambdas/atlas/digest/digestResponse';

// RFC 7616 §3.9.1: the worked example both MD5 and SHA-256 answers are given for.
const rfc7616 = {
  username: 'Mufasa',
  password: 'Circle of Life',
  realm: 'http-auth@example.org',
  method: 'GET',
  uri: '/dir/index.html',
  nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
  nc: '00000001',
  cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
  qop: 'auth',
} as const;

// Written out from RFC 7616 §3.4.1-3.4.2 step by step, to check the cases the RFC gives no numbers for.
function independently(algorithm: DigestAlgorithm, qop: 'auth' | undefined): string {
  const hash = algorithm.startsWith('SHA-256') ? 'sha256' : 'md5';
  const h = (text: string) => createHash(hash).update(text).digest('hex');
  const { username, password, realm, method, uri, nonce, nc, cnonce } = rfc7616;
  const secret = h(`${username}:${realm}:${password}`);
  const a1 = algorithm.endsWith('-sess') ? h(`${secret}:${nonce}:${cnonce}`) : secret;
  const a2 = h(`${method}:${uri}`);
  return qop === undefined ? h(`${a1}:${nonce}:${a2}`) : h(`${a1}:${nonce}:${nc}:${cnonce}:${qop}:${a2}`);
}

describe('digestResponse', () => {
  it('matches the MD5 answer of RFC 7616 §3.9.1', () => {
    // Prepare
    const input = { ...rfc7616, algorithm: 'MD5' } as const;

    // Act
    const response = digestResponse(input);

    // Assess
    expect(response).toBe('8ca523f5e9506fed4657c9700eebdbec');
  });

  it('matches the SHA-256 answer of RFC 7616 §3.9.1', () => {
    // Prepare
    const input = { ...rfc7616, algorithm: 'SHA-256' } as const;

    // Act
    const response = digestResponse(input);

    // Assess
    expect(response).toBe('753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1');
  });

  it.each(['MD5-sess', 'SHA-256-sess'] as const)(
    'hashes the nonce and cnonce into A1 for %s',
    (algorithm) => {
      // Prepare
      const input = { ...rfc7616, algorithm };

      // Act
      const response = digestResponse(input);

      // Assess
      expect(response).toBe(independently(algorithm, 'auth'));
      expect(response).not.toBe(
        digestResponse({ ...input, algorithm: algorithm === 'MD5-sess' ? 'MD5' : 'SHA-256' }),
      );
    },
  );

  it.each(['MD5', 'SHA-256', 'MD5-sess', 'SHA-256-sess'] as const)(
    'leaves nc, cnonce and qop out of the response without qop (RFC 2069) for %s',
    (algorithm) => {
      // Prepare
      const input = { ...rfc7616, algorithm, qop: undefined, nc: undefined };

      // Act
      const response = digestResponse(input);

      // Assess
      expect(response).toBe(independently(algorithm, undefined));
    },
  );

  it('gives another response for another nc, so a replayed request is told apart', () => {
    // Prepare
    const input = { ...rfc7616, algorithm: 'MD5' } as const;

    // Act
    const first = digestResponse(input);
    const second = digestResponse({ ...input, nc: '00000002' });

    // Assess
    expect(second).not.toBe(first);
  });
});
