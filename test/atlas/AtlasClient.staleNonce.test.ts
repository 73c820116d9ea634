import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AtlasClient } from '../../lambdas/atlas/AtlasClient';
import { AtlasAuthError } from '../../lambdas/errors';

const GROUP = '5f0c1a2b3c4d5e6f7a8b9c0d';

/**
 * A server whose first `staleTimes` nonces are stale by the time they come back (a long pause, or a
 * clock that jumps), and that accepts any credentials for later ones: only the nonce handling is tested.
 */
async function staleNonceServer(staleTimes: number) {
  let issued = 0;
  const seen: string[] = [];
  const server = createServer((req, res) => {
    const authorization = req.headers.authorization ?? '';
    seen.push(authorization ? 'credentials' : 'none');
    const nonce = /nonce="n(\d+)"/.exec(authorization)?.[1];
    if (nonce !== undefined && Number(nonce) > staleTimes) {
      res.setHeader('content-type', 'application/json');
      res.end('[]');
      return;
    }
    issued += 1;
    res.statusCode = 401;
    res.setHeader(
      'www-authenticate',
      `Digest realm="MMS Public API", domain="", nonce="n${issued}", algorithm=MD5, qop="auth", stale=${nonce !== undefined}`,
    );
    res.setHeader('content-type', 'application/json');
    res.end('{"error":401,"reason":"Unauthorized","detail":"You are not authorized for this resource."}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(cleanup.map((c) => c()));
  cleanup = [];
});

describe('AtlasClient with nonces that go stale on the way', () => {
  it('tries once more when the nonce of an answered challenge is stale again, and succeeds', async () => {
    // Prepare: the first challenge's nonce and the stale challenge's nonce both expire before use.
    const server = await staleNonceServer(2);
    const atlas = new AtlasClient({
      credentials: { publicKey: 'pub', privateKey: 'priv' },
      baseUrl: server.url,
    });
    cleanup.push(server.close, () => atlas.close());

    // Act
    const services = await atlas.listEndpointServices(GROUP, 'AWS');

    // Assess: bounded — never a loop.
    expect(services).toStrictEqual([]);
    expect(server.seen.length).toBeLessThanOrEqual(5);
  });

  it('fails with AtlasAuthError when nonces keep going stale, after a bounded number of requests', async () => {
    // Prepare
    const server = await staleNonceServer(Number.POSITIVE_INFINITY);
    const atlas = new AtlasClient({
      credentials: { publicKey: 'pub', privateKey: 'priv' },
      baseUrl: server.url,
    });
    cleanup.push(server.close, () => atlas.close());

    // Act
    const error = await atlas.listEndpointServices(GROUP, 'AWS').catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(AtlasAuthError);
    expect(server.seen.length).toBeLessThanOrEqual(4);
  });
});
