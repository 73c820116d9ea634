import { createServer } from 'node:http';
import type { Socket } from 'node:net';
import type { AtlasApiKey, AtlasServiceAccount } from '../../lambdas/atlas/types';
import { listen } from '../shared/listen';
import { type AtlasSideView, type Clock, systemClock } from '../shared/model';
import { AtlasRequestHandler } from './AtlasRequestHandler';
import { AtlasState, type EmulatedEndpointService, type EmulatedPrivateEndpoint } from './AtlasState';
import { DigestAuthenticator } from './DigestAuthenticator';
import { AtlasEmulatorOptionError } from './errors';
import { FaultInjector } from './FaultInjector';
import { RateLimiter, type RateLimitOptions } from './RateLimiter';
import type { AtlasRequestLogEntry } from './Reply';
import { type AtlasScript, validateAtlasScript } from './script';
import { TokenIssuer } from './TokenIssuer';

/** The programmatic API key the emulator accepts when `apiKeys` is not given. */
export const DEMO_API_KEY: AtlasApiKey = {
  publicKey: 'demo-public-key',
  privateKey: 'demo-private-key-0000-0000-000000000000',
};

/** The service account the emulator accepts when `serviceAccounts` is not given. */
export const DEMO_SERVICE_ACCOUNT: AtlasServiceAccount = {
  clientId: 'mdb_sa_id_demo0000000000000000',
  clientSecret: 'mdb_sa_sk_demo-secret',
};

/** A project id for demos; any 24-hex id is a project unless `projects` says otherwise. */
export const DEMO_GROUP_ID = '5f0c1a2b3c4d5e6f7a8b9c0d';

export interface AtlasEmulatorOptions {
  /** @default 0 - a free port */
  readonly port?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** Programmatic API keys (HTTP Digest: public key as username, private key as password). @default [DEMO_API_KEY] */
  readonly apiKeys?: readonly AtlasApiKey[];
  /** Service accounts for `POST /api/oauth/token`. @default [DEMO_SERVICE_ACCOUNT] */
  readonly serviceAccounts?: readonly AtlasServiceAccount[];
  /** @default 'MD5' (what Atlas offers) */
  readonly digestAlgorithm?: 'MD5' | 'SHA-256';
  /** How long a Digest nonce is good for, by `clock`; older ones are answered with `stale=true`. @default 300000 */
  readonly nonceTtlMs?: number;
  /** Lifetime of issued Bearer tokens, by `clock`. @default 3600 */
  readonly tokenTtlSeconds?: number;
  /** Every time-based behaviour (nonces, tokens, timelines, rate limits) reads this. @default Date.now */
  readonly clock?: Clock;
  /** Scripted behaviour; validated. @default {} - the documented defaults */
  readonly script?: AtlasScript;
  /** A per-project token bucket answering 429 RATE_LIMITED with Retry-After. @default - no limit */
  readonly rateLimit?: RateLimitOptions;
  /**
   * A token bucket per service account on `POST /api/oauth/token` (Atlas allows about 10 a minute:
   * `{ capacity: 10, refillPerMinute: 10 }`), answering 429 RATE_LIMITED with Retry-After by `clock`.
   * @default - no limit
   */
  readonly tokenRateLimit?: RateLimitOptions;
  /** Larger request bodies get 413. @default 1048576 */
  readonly maxBodyBytes?: number;
  /** When given, only these group ids are projects (others: 404 GROUP_NOT_FOUND). @default - every 24-hex id */
  readonly projects?: readonly string[];
  /** Where unexpected errors (answered with 500) are reported. @default console.error */
  readonly logError?: (message: string, error: unknown) => void;
}

/** A running emulator. */
export interface AtlasEmulator {
  /** `http://host:port`, no trailing slash; the API is under `${url}/api/atlas/v2`. */
  readonly url: string;
  readonly port: number;
  /** Every request, in arrival order (live; cleared by `reset`). */
  readonly requestLog: readonly AtlasRequestLogEntry[];
  /** What the AWS emulator reads to follow Atlas's view (peeks never advance scripts). */
  readonly atlasSide: AtlasSideView;
  /** Endpoint services held, optionally for one project (reading changes nothing). */
  services(groupId?: string): EmulatedEndpointService[];
  /** Registered private endpoints, optionally for one project (reading changes nothing). */
  endpoints(groupId?: string): EmulatedPrivateEndpoint[];
  /**
   * Replaces the script (validated; throws {@link AtlasScriptError}). Faults re-arm and `deletingPolls` applies
   * at once; services and registrations already made keep the behaviour they started with.
   */
  setScript(script: AtlasScript): void;
  /** Forgets all state, the request log, nonces, tokens and rate buckets, and restores the starting script. */
  reset(): void;
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
}

function positive(name: string, value: number | undefined, fallback: number, integer = false): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0 || (integer && !Number.isInteger(value))) {
    throw new AtlasEmulatorOptionError(
      `Invalid ${name} ${value}: expected a ${integer ? 'whole ' : ''}number > 0.`,
    );
  }
  return value;
}

/**
 * Starts an Atlas Admin API emulator (private-endpoint operations, v2 and v1.0, Digest and OAuth) on loopback.
 *
 * @example
 * const atlas = await startAtlasEmulator({ script: { attempts: [{ statuses: ['PENDING_ACCEPTANCE', 'AVAILABLE'] }] } });
 * // … point the client at `${atlas.url}/api/atlas/v2` with DEMO_API_KEY …
 * await atlas.close();
 */
export async function startAtlasEmulator(options: AtlasEmulatorOptions = {}): Promise<AtlasEmulator> {
  const clock = options.clock ?? systemClock;
  const maxBodyBytes = positive('maxBodyBytes', options.maxBodyBytes, 1024 * 1024, true);
  const nonceTtlMs = positive('nonceTtlMs', options.nonceTtlMs, 300_000);
  const tokenTtlSeconds = positive('tokenTtlSeconds', options.tokenTtlSeconds, 3600, true);
  const algorithm = options.digestAlgorithm ?? 'MD5';
  if (algorithm !== 'MD5' && algorithm !== 'SHA-256') {
    throw new AtlasEmulatorOptionError(
      `Invalid digestAlgorithm ${String(algorithm)}: expected 'MD5' or 'SHA-256'.`,
    );
  }
  for (const [name, limit] of Object.entries({
    rateLimit: options.rateLimit,
    tokenRateLimit: options.tokenRateLimit,
  })) {
    if (!limit) continue;
    positive(`${name}.capacity`, limit.capacity, 1, true);
    positive(`${name}.refillPerMinute`, limit.refillPerMinute, 1);
  }
  const initialScript = validateAtlasScript(options.script ?? {}, 'options.script');

  const state = new AtlasState(clock);
  const faults = new FaultInjector();
  const applyScript = (script: AtlasScript) => {
    state.setScript(script);
    faults.load(script.faults);
  };
  applyScript(initialScript);

  const keys = new Map((options.apiKeys ?? [DEMO_API_KEY]).map((k) => [k.publicKey, k.privateKey] as const));
  const clients = new Map(
    (options.serviceAccounts ?? [DEMO_SERVICE_ACCOUNT]).map((a) => [a.clientId, a.clientSecret] as const),
  );
  const digest = new DigestAuthenticator({ algorithm, nonceTtlMs, clock, keys });
  const tokens = new TokenIssuer({
    clients,
    ttlSeconds: tokenTtlSeconds,
    clock,
    limiter: options.tokenRateLimit ? new RateLimiter(options.tokenRateLimit, clock) : undefined,
  });
  const limiter = options.rateLimit ? new RateLimiter(options.rateLimit, clock) : undefined;
  const requestLog: AtlasRequestLogEntry[] = [];
  const timers = new Set<NodeJS.Timeout>();

  const handler = new AtlasRequestHandler({
    state,
    digest,
    tokens,
    faults,
    limiter,
    clock,
    maxBodyBytes,
    projects: options.projects ? new Set(options.projects) : undefined,
    requestLog,
    logError: options.logError ?? ((message, error) => console.error(message, error)),
    timers,
  });

  const server = createServer(handler.handle);
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  // Garbage that is not even HTTP: answer 400 and hang up rather than let it reach 'error'.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    const status =
      error.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
    if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    else socket.destroy();
  });

  const { url, port } = await listen(server, options);

  return {
    url,
    port,
    requestLog,
    atlasSide: {
      findServiceByName: (name) => state.findServiceByName(name),
      peekInterfaceEndpoint: (id) => state.peekInterfaceEndpoint(id),
    },
    services: (groupId) => state.services(groupId),
    endpoints: (groupId) => state.endpoints(groupId),
    setScript: (script) => applyScript(validateAtlasScript(script, 'setScript')),
    reset: () => {
      state.reset();
      digest.reset();
      tokens.reset();
      limiter?.reset();
      requestLog.length = 0;
      applyScript(initialScript);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
