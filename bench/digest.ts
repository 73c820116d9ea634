/**
 * Atlas requests per logical call: our Digest interceptor (nonce kept, credentials sent up front) against
 * a client that answers every challenge afresh, as `curl --digest` and most Digest libraries do. Both
 * read the same endpoint of the Atlas emulator, whose request log counts what reached it.
 */
import { randomBytes } from 'node:crypto';
import { request } from 'undici';
import { AtlasClient } from '../lambdas/atlas/AtlasClient';
import { selectDigestChallenge } from '../lambdas/atlas/digest/challenge';
import { digestResponse } from '../lambdas/atlas/digest/digestResponse';
import {
  ATLAS_V2_MEDIA_TYPE,
  DEMO_API_KEY,
  DEMO_GROUP_ID,
  startAtlasEmulator,
} from '../local/atlas-emulator';

export interface DigestClientFigures {
  readonly calls: number;
  readonly requests: number;
  readonly requestsPerCall: number;
  /** 401 challenges the emulator sent during the measured calls. */
  readonly challenges: number;
  readonly msPerCall: number;
}

export interface DigestFigures {
  readonly calls: number;
  /** `AtlasClient`, warm (one call made before measuring, so the nonce is known). */
  readonly ours: DigestClientFigures;
  /** Unauthenticated request, 401 challenge, authenticated request: on every call. */
  readonly afresh: DigestClientFigures;
}

const PATH = `/api/atlas/v2/groups/${DEMO_GROUP_ID}/privateEndpoint/AWS/endpointService`;

/** Measures `calls` logical reads (`GET …/privateEndpoint/AWS/endpointService`) with each client. */
export async function measureDigest(calls: number): Promise<DigestFigures> {
  const atlas = await startAtlasEmulator({ apiKeys: [DEMO_API_KEY] });
  try {
    const measure = async (call: () => Promise<void>): Promise<DigestClientFigures> => {
      const before = atlas.requestLog.length;
      const started = performance.now();
      for (let i = 0; i < calls; i++) await call();
      const ms = performance.now() - started;
      const log = atlas.requestLog.slice(before);
      if (log.some((e) => e.status !== 200 && e.status !== 401)) {
        throw new Error(`the digest bench saw unexpected statuses: ${log.map((e) => e.status).join(', ')}`);
      }
      return {
        calls,
        requests: log.length,
        requestsPerCall: log.length / calls,
        challenges: log.filter((e) => e.status === 401).length,
        msPerCall: ms / calls,
      };
    };

    const client = new AtlasClient({ credentials: DEMO_API_KEY, baseUrl: atlas.url });
    let ours: DigestClientFigures;
    try {
      await client.listEndpointServices(DEMO_GROUP_ID, 'AWS');
      ours = await measure(async () => {
        await client.listEndpointServices(DEMO_GROUP_ID, 'AWS');
      });
    } finally {
      await client.close();
    }
    const afresh = await measure(() => getAfresh(`${atlas.url}${PATH}`));
    return { calls, ours, afresh };
  } finally {
    await atlas.close();
  }
}

/** One call the way a challenge-per-request Digest client makes it: two round trips. */
async function getAfresh(url: string): Promise<void> {
  const headers = { accept: ATLAS_V2_MEDIA_TYPE };
  const first = await request(url, { headers });
  await first.body.dump();
  const challenge = selectDigestChallenge(first.headers['www-authenticate'] as string | string[] | undefined);
  if (first.statusCode !== 401 || !challenge)
    throw new Error(`expected a Digest challenge, got ${first.statusCode}`);
  const uri = new URL(url).pathname;
  const cnonce = randomBytes(8).toString('hex');
  const nc = '00000001';
  const response = digestResponse({
    algorithm: challenge.algorithm,
    username: DEMO_API_KEY.publicKey,
    password: DEMO_API_KEY.privateKey,
    realm: challenge.realm,
    method: 'GET',
    uri,
    nonce: challenge.nonce,
    qop: challenge.qop,
    nc,
    cnonce,
  });
  const authorization =
    `Digest username="${DEMO_API_KEY.publicKey}", realm="${challenge.realm}", nonce="${challenge.nonce}", ` +
    `uri="${uri}", algorithm=${challenge.algorithm}, qop=auth, nc=${nc}, cnonce="${cnonce}", response="${response}"`;
  const second = await request(url, { headers: { ...headers, authorization } });
  await second.body.dump();
  if (second.statusCode !== 200) throw new Error(`the afresh client was refused: ${second.statusCode}`);
}
