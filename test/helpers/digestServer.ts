import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { type DigestAlgorithm, digestResponse } from '../../lambdas/atlas/digest/digestResponse';

/** How the test server challenges; every option defaults to what Atlas sends. */
export interface DigestServerOptions {
  readonly username?: string;
  readonly password?: string;
  /** @default 'MMS Public API' */
  readonly realm?: string;
  /** @default 'MD5' (sent as `algorithm=MD5`); `null` leaves the parameter out, as RFC 2069 servers do */
  readonly algorithm?: DigestAlgorithm | null;
  /** @default 'auth'; `null` leaves qop out (RFC 2069 mode) */
  readonly qop?: string | null;
  /** @default - no opaque */
  readonly opaque?: string;
  /** Hand out this nonce in every challenge, as a server whose nonces last a time window does. @default - a new random nonce each time */
  readonly nonce?: string;
  /** Replaces the whole `WWW-Authenticate` value, e.g. with a malformed one. */
  readonly wwwAuthenticate?: (nonce: string) => string | string[];
}

/** One request the server received, as it saw it. */
export interface ReceivedRequest {
  readonly method: string;
  readonly url: string;
  readonly authorization: string | undefined;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** What the server answered: 401, 200, or 101 to an upgrade. */
  readonly status: number;
}

/** The parts of the challenge a running server can be told to change. */
export type ChallengeSettings = Pick<DigestServerOptions, 'realm' | 'algorithm' | 'qop' | 'opaque'>;

/** A real HTTP server on a free loopback port that speaks Digest the way Atlas does. */
export interface DigestServer {
  readonly origin: string;
  /** Every request, in arrival order. */
  readonly requests: readonly ReceivedRequest[];
  /** The `nc` values accepted, per nonce, in arrival order. */
  readonly ncByNonce: ReadonlyMap<string, readonly string[]>;
  /** TCP connections accepted, to show that an answered 401 leaves its connection reusable. */
  readonly connections: number;
  /** Makes every nonce issued so far stale: the next request using one gets `401` with `stale=true`. */
  expireNonces(): void;
  /**
   * Challenges with these settings from now on, and accepts credentials only for them. The `nc` values seen so
   * far are forgotten: a changed challenge starts its counts afresh, even on a nonce handed out before.
   */
  changeChallenge(settings: ChallengeSettings): void;
  close(): Promise<void>;
}

export const UNAUTHORIZED_BODY = JSON.stringify({
  error: 401,
  reason: 'Unauthorized',
  detail: 'You are not authorized for this resource.',
});

/**
 * Starts the server. It verifies `Authorization` with `digestResponse`, refuses an `nc` it has seen for a nonce,
 * checks `uri` against the request line and `opaque` against what it issued, requires a `cnonce` with qop or a
 * `-sess` algorithm, and answers 200 with `{ method, url, body }` as JSON. An upgrade (101) or a `CONNECT`
 * (200) is accepted whatever its credentials, and recorded like the other requests.
 *
 * @example
 * const server = await startDigestServer({ username: 'pub', password: 'priv' });
 * afterEach(() => server.close());
 */
export async function startDigestServer(options: DigestServerOptions = {}): Promise<DigestServer> {
  const username = options.username ?? 'public-key';
  const password = options.password ?? 'private-key';
  let realm = options.realm ?? 'MMS Public API';
  let algorithm = options.algorithm === undefined ? 'MD5' : options.algorithm;
  let qop = options.qop === undefined ? 'auth' : options.qop;
  let opaque = options.opaque;
  const requests: ReceivedRequest[] = [];
  const ncByNonce = new Map<string, string[]>();
  const liveNonces = new Set<string>();
  const staleNonces = new Set<string>();
  let connections = 0;

  const challenge = (res: ServerResponse, stale: boolean): number => {
    const nonce = options.nonce ?? randomBytes(24).toString('base64');
    liveNonces.add(nonce);
    const params = [`realm=${quote(realm)}`, 'domain=""', `nonce="${nonce}"`];
    if (algorithm !== null) {
      params.push(`algorithm=${algorithm}`);
    }
    if (qop !== null) {
      params.push(`qop="${qop}"`);
    }
    if (opaque !== undefined) {
      params.push(`opaque=${quote(opaque)}`);
    }
    params.push(`stale=${stale}`);
    res.setHeader('www-authenticate', options.wwwAuthenticate?.(nonce) ?? `Digest ${params.join(', ')}`);
    res.setHeader('content-type', 'application/json');
    res.statusCode = 401;
    res.end(UNAUTHORIZED_BODY);
    return 401;
  };

  const verify = (req: IncomingMessage, res: ServerResponse, body: string): number => {
    const header = req.headers.authorization;
    if (!header?.startsWith('Digest ')) {
      return challenge(res, false);
    }
    const p = parseAuthorization(header.slice('Digest '.length));
    const nonce = p.get('nonce') ?? '';
    if (p.get('username') !== username || p.get('realm') !== realm || !liveNonces.has(nonce)) {
      return challenge(res, false);
    }
    if (p.get('uri') !== req.url || p.get('opaque') !== opaque) {
      return challenge(res, false);
    }
    if ((p.get('algorithm') ?? null) !== algorithm) {
      return challenge(res, false);
    }
    const nc = p.get('nc');
    if (qop !== null && (p.get('qop') !== 'auth' || nc === undefined || !/^[0-9a-f]{8}$/.test(nc))) {
      return challenge(res, false);
    }
    if ((qop !== null || algorithm?.endsWith('-sess')) && !p.get('cnonce')) {
      return challenge(res, false);
    }
    const expected = digestResponse({
      algorithm: algorithm ?? 'MD5',
      username,
      password,
      realm,
      method: req.method ?? '',
      uri: req.url ?? '',
      nonce,
      qop: qop === null ? undefined : 'auth',
      nc,
      cnonce: p.get('cnonce'),
    });
    if (p.get('response') !== expected) {
      return challenge(res, false);
    }
    if (staleNonces.has(nonce)) {
      return challenge(res, true);
    }
    if (nc !== undefined) {
      const seen = ncByNonce.get(nonce) ?? [];
      // A replayed nc is refused; arrival order is not checked, since concurrent requests race on the wire.
      if (seen.includes(nc)) {
        return challenge(res, false);
      }
      seen.push(nc);
      ncByNonce.set(nonce, seen);
    }
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ method: req.method, url: req.url, body }));
    return 200;
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const status = verify(req, res, body);
      requests.push(received(req, body, status));
    });
  });
  const acceptTunnel = (status: number) => (req: IncomingMessage, socket: Duplex) => {
    requests.push(received(req, '', status));
    socket.on('error', () => {});
    socket.end(
      status === 101
        ? 'HTTP/1.1 101 Switching Protocols\r\nconnection: upgrade\r\nupgrade: websocket\r\n\r\n'
        : 'HTTP/1.1 200 Connection Established\r\n\r\n',
    );
  };
  server.on('upgrade', acceptTunnel(101));
  server.on('connect', acceptTunnel(200));
  server.on('connection', () => {
    connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    ncByNonce,
    get connections() {
      return connections;
    },
    expireNonces() {
      for (const nonce of liveNonces) {
        staleNonces.add(nonce);
      }
    },
    changeChallenge(settings) {
      realm = settings.realm ?? realm;
      algorithm = settings.algorithm === undefined ? algorithm : settings.algorithm;
      qop = settings.qop === undefined ? qop : settings.qop;
      opaque = settings.opaque ?? opaque;
      ncByNonce.clear();
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function received(req: IncomingMessage, body: string, status: number): ReceivedRequest {
  return {
    method: req.method ?? '',
    url: req.url ?? '',
    authorization: req.headers.authorization,
    headers: req.headers,
    body,
    status,
  };
}

/** A quoted-string (RFC 9110 §5.6.4), with `"` and `\` escaped. */
function quote(value: string): string {
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}

/** An independent reading of the `Authorization` parameters, so the server does not trust the client's parser. */
export function parseAuthorization(params: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const match of params.matchAll(/([a-z]+)=(?:"((?:[^"\\]|\\.)*)"|([^\s,"]+))/gi)) {
    const [, name = '', quoted, token] = match;
    found.set(name.toLowerCase(), quoted === undefined ? (token ?? '') : quoted.replace(/\\(.)/g, '$1'));
  }
  return found;
}
