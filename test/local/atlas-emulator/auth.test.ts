import { execFile, execSync } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_API_KEY, DEMO_SERVICE_ACCOUNT } from '../../../local/atlas-emulator';
import { DigestTestClient, digestAuthorization, parseChallenge } from '../../helpers/atlasDigest';
import { fakeClock, type Harness, startHarness, v1, v2 } from './fixtures';

let h: Harness;
afterEach(async () => {
  await h?.atlas.close();
});

const LIST = v2('/AWS/endpointService');

const hasCurl = (() => {
  try {
    execSync('command -v curl', { stdio: 'ignore', shell: '/bin/sh' });
    return true;
  } catch {
    return false;
  }
})();
if (!hasCurl) console.warn('curl is not installed: the curl --digest interoperability test is skipped.');

async function challenge(url: string) {
  const response = await fetch(url);
  return { response, challenge: parseChallenge(response.headers.get('www-authenticate')) };
}

describe('Digest authentication', () => {
  it('challenges an unauthenticated request the way Atlas does', async () => {
    h = await startHarness();

    const response = await fetch(h.atlas.url + LIST);
    const header = response.headers.get('www-authenticate');

    expect(response.status).toBe(401);
    expect(header).toMatch(
      /^Digest realm="MMS Public API", domain="", nonce="[^"]+", algorithm=MD5, qop="auth", stale=false$/,
    );
    expect(await response.text()).toBe(
      '{"error":401,"reason":"Unauthorized","detail":"You are not authorized for this resource."}',
    );
    expect(h.atlas.requestLog.at(-1)).toMatchObject({ method: 'GET', status: 401, auth: 'challenge' });
  });

  it('accepts a correct MD5 response, and SHA-256 when configured', async () => {
    h = await startHarness();
    const md5 = await new DigestTestClient(h.atlas.url, DEMO_API_KEY).request(LIST);
    await h.atlas.close();
    h = await startHarness({ digestAlgorithm: 'SHA-256' });
    const { challenge: sha } = await challenge(h.atlas.url + LIST);
    const sha256 = await h.client.request(LIST);

    expect(md5.status).toBe(200);
    expect(sha.algorithm).toBe('SHA-256');
    expect(sha256.status).toBe(200);
    expect(h.atlas.requestLog.at(-1)).toMatchObject({ status: 200, auth: 'ok' });
  });

  it('answers wrong credentials with 401, the Atlas body and a fresh challenge', async () => {
    h = await startHarness();
    const client = new DigestTestClient(h.atlas.url, {
      publicKey: DEMO_API_KEY.publicKey,
      privateKey: 'wrong',
    });

    const response = await client.request(LIST);

    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({
      error: 401,
      reason: 'Unauthorized',
      detail: 'You are not authorized for this resource.',
    });
    expect(parseChallenge(response.headers.get('www-authenticate')).stale).toBe(false);
    expect(h.atlas.requestLog.at(-1)).toMatchObject({ auth: 'wrong-credentials' });
  });

  it('answers an expired nonce with stale=true, and the client recovers with the new nonce', async () => {
    const clock = fakeClock();
    h = await startHarness({ clock, nonceTtlMs: 60_000 });
    await h.client.request(LIST);
    clock.advance(60_001);

    const recovered = await h.client.request(LIST);

    expect(recovered.status).toBe(200);
    expect(h.atlas.requestLog.map((e) => e.auth)).toEqual(['challenge', 'ok', 'stale', 'ok']);
    const staleChallenge = h.atlas.requestLog[2];
    expect(staleChallenge).toMatchObject({ status: 401 });
  });

  it('refuses a replayed nonce count but accepts counts that arrive out of order', async () => {
    h = await startHarness();
    const first = await h.client.requestWithNc(LIST, 5);
    const replay = await h.client.requestWithNc(LIST, 5);
    const overtaken = await h.client.requestWithNc(LIST, 4);
    const overtakenAgain = await h.client.requestWithNc(LIST, 4);
    const higher = await h.client.requestWithNc(LIST, 6);

    expect([first, replay, overtaken, overtakenAgain, higher].map((r) => r.status)).toEqual([
      200, 401, 200, 401, 200,
    ]);
    expect(h.atlas.requestLog.map((e) => e.auth)).toEqual([
      'challenge',
      'ok',
      'replay',
      'ok',
      'replay',
      'ok',
    ]);
  });

  it('refuses a nonce count too far behind the highest to tell whether it was used', async () => {
    h = await startHarness();
    await h.client.requestWithNc(LIST, 2000);
    const ancient = await h.client.requestWithNc(LIST, 900);

    expect(ancient.status).toBe(401);
    expect(h.atlas.requestLog.at(-1)?.auth).toBe('replay');
  });

  it('refuses a response computed for another request-target', async () => {
    h = await startHarness();
    const { challenge: c } = await challenge(h.atlas.url + LIST);
    const authorization = digestAuthorization({
      challenge: c,
      method: 'GET',
      uri: v2('/GCP/endpointService'),
      username: DEMO_API_KEY.publicKey,
      password: DEMO_API_KEY.privateKey,
    });

    const response = await fetch(h.atlas.url + LIST, { headers: { Authorization: authorization } });

    expect(response.status).toBe(401);
  });

  it.each([
    ['garbage', 'garbage'],
    ['an empty Digest', 'Digest '],
    ['an unterminated quote', 'Digest username="demo-public-key, nonce="x'],
    ['an unknown scheme', 'Negotiate abc'],
    ['Basic credentials', `Basic ${Buffer.from('demo-public-key:x').toString('base64')}`],
    ['a long value', `Digest username="${'a'.repeat(8_000)}", nonce="x"`],
  ])('answers %s in Authorization with 401, not 500', async (_name, header) => {
    h = await startHarness();

    const response = await fetch(h.atlas.url + LIST, { headers: { Authorization: header } });
    const after = await h.client.request(LIST);

    expect(response.status).toBe(401);
    expect(after.status).toBe(200);
  });
});

describe('OAuth service accounts', () => {
  const basic = (id: string, secret: string) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
  const token = (url: string, authorization: string, body = 'grant_type=client_credentials') =>
    fetch(`${url}/api/oauth/token`, {
      method: 'POST',
      headers: { Authorization: authorization, 'Content-Type': 'application/x-www-form-urlencoded' },
      body,
    });

  it('issues a Bearer token that the API accepts until it expires by the clock', async () => {
    const clock = fakeClock();
    h = await startHarness({ clock, tokenTtlSeconds: 3600 });

    const issued = await token(
      h.atlas.url,
      basic(DEMO_SERVICE_ACCOUNT.clientId, DEMO_SERVICE_ACCOUNT.clientSecret),
    );
    const body = (await issued.json()) as { access_token: string; token_type: string; expires_in: number };
    const auth = { Authorization: `Bearer ${body.access_token}` };
    const fresh = await fetch(h.atlas.url + v1('/AWS/endpointService'), { headers: auth });
    clock.advance(3600 * 1000);
    const expired = await fetch(h.atlas.url + LIST, { headers: auth });

    expect(issued.status).toBe(200);
    expect(body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 3600 });
    expect(fresh.status).toBe(200);
    expect(expired.status).toBe(401);
    expect(h.atlas.requestLog.map((e) => e.auth)).toEqual(['ok', 'bearer', 'wrong-credentials']);
  });

  it('refuses unknown clients, other grant types and unknown tokens', async () => {
    h = await startHarness();

    const badClient = await token(h.atlas.url, basic(DEMO_SERVICE_ACCOUNT.clientId, 'nope'));
    const badGrant = await token(
      h.atlas.url,
      basic(DEMO_SERVICE_ACCOUNT.clientId, DEMO_SERVICE_ACCOUNT.clientSecret),
      'grant_type=password',
    );
    const unknownToken = await fetch(h.atlas.url + LIST, {
      headers: { Authorization: 'Bearer not-a-token' },
    });

    expect(badClient.status).toBe(401);
    expect(await badClient.json()).toMatchObject({ error: 'invalid_client' });
    expect(badGrant.status).toBe(400);
    expect(await badGrant.json()).toMatchObject({ error: 'unsupported_grant_type' });
    expect(unknownToken.status).toBe(401);
  });

  it('answers 429 with Retry-After once a service account asks for tokens faster than tokenRateLimit, by the clock', async () => {
    const clock = fakeClock();
    h = await startHarness({ clock, tokenRateLimit: { capacity: 10, refillPerMinute: 10 } });
    const ask = () =>
      token(h.atlas.url, basic(DEMO_SERVICE_ACCOUNT.clientId, DEMO_SERVICE_ACCOUNT.clientSecret));

    const burst = await Promise.all(Array.from({ length: 11 }, ask));
    const refused = burst.find((r) => r.status === 429);
    const refusal = (await refused?.json()) as { errorCode?: string };
    const other = await token(h.atlas.url, basic('mdb_sa_id_another', 'secret'));
    clock.advance(6_000);
    const later = await ask();

    expect(burst.map((r) => r.status).sort()).toEqual([...Array(10).fill(200), 429]);
    expect(refused?.headers.get('retry-after')).toBe('6');
    expect(refusal.errorCode).toBe('RATE_LIMITED');
    expect(other.status).toBe(401);
    expect(later.status).toBe(200);
  });
});

describe('interoperability', () => {
  it.skipIf(!hasCurl)(
    hasCurl ? 'serves curl --digest -u key:secret' : 'serves curl --digest (SKIPPED: curl is not installed)',
    async () => {
      h = await startHarness();

      const { stdout } = await promisify(execFile)('curl', [
        '--silent',
        '--show-error',
        '--digest',
        '-u',
        `${DEMO_API_KEY.publicKey}:${DEMO_API_KEY.privateKey}`,
        '-H',
        'Accept: application/vnd.atlas.2023-01-01+json',
        '-H',
        'Content-Type: application/json',
        '-d',
        '{"providerName":"AWS","region":"us-east-1"}',
        '-w',
        '\n%{http_code}',
        `${h.atlas.url}${v2('/endpointService')}?pretty=true`,
      ]);
      const [body, status] = [
        stdout.slice(0, stdout.lastIndexOf('\n')),
        stdout.slice(stdout.lastIndexOf('\n') + 1),
      ];

      expect(status).toBe('200');
      expect(JSON.parse(body)).toMatchObject({ cloudProvider: 'AWS', status: 'INITIATING' });
      expect(h.atlas.requestLog.map((e) => e.auth)).toEqual(['challenge', 'ok']);
    },
  );
});
