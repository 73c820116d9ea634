/**
 * Service-account cold starts: many function instances start at once, each with its own Atlas client and
 * so its own OAuth token (a new Lambda instance shares nothing with the others), against an Atlas
 * emulator whose token endpoint allows about 10 requests a minute per service account.
 *
 * Each instance makes the call "Find endpoint service" makes first (list the project's AWS endpoint
 * services) with the functions' client settings. When the call fails with `AtlasRateLimitedError` (the
 * token endpoint's Retry-After went past the client's 20 s), the state machine's Retry for it waits (the
 * construct's `AtlasRateLimitRetry`, full jitter) and the same instance is invoked again — pessimistic:
 * Lambda may hand a retry to an instance that already holds a token. Time is virtual (a timeline), so
 * the figures are the same on any machine for the same seed.
 */
import { AtlasRateLimitRetry } from '../infra/AtlasPrivateEndpointWorkflow';
import { AtlasClient } from '../lambdas/atlas/AtlasClient';
import { AtlasRateLimitedError } from '../lambdas/errors';
import { FUNCTION_RETRY } from '../lambdas/handlers/capabilities/atlasFromSecret';
import { DEMO_GROUP_ID, DEMO_SERVICE_ACCOUNT, startAtlasEmulator } from '../local/atlas-emulator';
import { retryPauseSeconds } from '../local/runner/OfflineWorkflow';
import { seededRandom } from '../local/shared/seededRandom';
import { Timeline } from '../local/shared/Timeline';
import { VirtualClock } from '../local/shared/VirtualClock';

export interface ServiceAccountOptions {
  /** Function instances starting at once, each fetching its own token. */
  readonly instances: number;
  /** The token endpoint's limit per service account. @default { capacity: 10, refillPerMinute: 10 } */
  readonly tokenRateLimit?: { readonly capacity: number; readonly refillPerMinute: number };
  /** Seeds the jitter. @default 1 */
  readonly seed?: number;
}

export interface ServiceAccountFigures {
  readonly instances: number;
  readonly tokenRateLimit: { readonly capacity: number; readonly refillPerMinute: number };
  readonly succeeded: number;
  readonly allSucceeded: boolean;
  /** `POST /api/oauth/token` requests, and how many of them Atlas answered 429. */
  readonly tokenRequests: number;
  readonly token429: number;
  /** Admin API requests (the list calls, made once an instance has its token). */
  readonly apiRequests: number;
  /** Function invocations in all (first ones and the state machine's retries), and the most for one instance. */
  readonly invocations: number;
  readonly maxInvocationsPerInstance: number;
  /** The longest one invocation took, waits included (virtual seconds): it must fit the function's timeout. */
  readonly maxInvocationSeconds: number;
  /** Virtual seconds from the start until half, and all, of the instances had made their call. */
  readonly medianDoneSeconds: number;
  readonly lastDoneSeconds: number;
}

const DEFAULT_TOKEN_LIMIT = { capacity: 10, refillPerMinute: 10 } as const;

/** Runs the cold starts; starts its own Atlas emulator, so it can run in any process. */
export async function measureServiceAccounts(options: ServiceAccountOptions): Promise<ServiceAccountFigures> {
  const tokenRateLimit = options.tokenRateLimit ?? DEFAULT_TOKEN_LIMIT;
  const clock = new VirtualClock();
  const timeline = new Timeline(clock);
  const random = seededRandom(options.seed ?? 1);
  const atlas = await startAtlasEmulator({
    serviceAccounts: [DEMO_SERVICE_ACCOUNT],
    clock: clock.now,
    tokenRateLimit,
  });
  const retrier = {
    IntervalSeconds: AtlasRateLimitRetry.intervalSeconds,
    BackoffRate: AtlasRateLimitRetry.backoffRate,
    MaxDelaySeconds: AtlasRateLimitRetry.maxDelaySeconds,
    JitterStrategy: 'FULL',
  };
  const clients: AtlasClient[] = [];
  const started = clock.now();
  try {
    const release = timeline.hold();
    const runs = Array.from({ length: options.instances }, async (_, i) => {
      const actor = timeline.join(`instance-${String(i).padStart(4, '0')}`);
      const client = new AtlasClient({
        credentials: DEMO_SERVICE_ACCOUNT,
        baseUrl: atlas.url,
        retry: FUNCTION_RETRY,
        now: clock.now,
        sleep: timeline.sleep,
        random,
      });
      clients.push(client);
      let invocations = 0;
      let longestMs = 0;
      try {
        await actor.waitUntil(clock.now());
        for (;;) {
          invocations += 1;
          const invokedAt = clock.now();
          try {
            await timeline.run(actor, () => client.listEndpointServices(DEMO_GROUP_ID, 'AWS'));
            longestMs = Math.max(longestMs, clock.now() - invokedAt);
            return { ok: true, invocations, longestMs, doneAt: clock.now() };
          } catch (error) {
            longestMs = Math.max(longestMs, clock.now() - invokedAt);
            if (!(error instanceof AtlasRateLimitedError) || invocations > AtlasRateLimitRetry.maxAttempts) {
              return { ok: false, invocations, longestMs, doneAt: clock.now() };
            }
            await actor.waitUntil(clock.now() + retryPauseSeconds(retrier, invocations, random) * 1000);
          }
        }
      } finally {
        actor.leave();
      }
    });
    release();
    const results = await Promise.all(runs);
    const log = atlas.requestLog;
    const token = log.filter((e) => e.path === '/api/oauth/token');
    const done = results
      .filter((r) => r.ok)
      .map((r) => (r.doneAt - started) / 1000)
      .sort((a, b) => a - b);
    const succeeded = done.length;
    return {
      instances: options.instances,
      tokenRateLimit,
      succeeded,
      allSucceeded: succeeded === options.instances,
      tokenRequests: token.length,
      token429: token.filter((e) => e.status === 429).length,
      apiRequests: log.length - token.length,
      invocations: results.reduce((sum, r) => sum + r.invocations, 0),
      maxInvocationsPerInstance: Math.max(0, ...results.map((r) => r.invocations)),
      maxInvocationSeconds: Math.round(Math.max(0, ...results.map((r) => r.longestMs)) / 100) / 10,
      medianDoneSeconds: Math.round(done[Math.floor((done.length - 1) / 2)] ?? 0),
      lastDoneSeconds: Math.round(done.at(-1) ?? 0),
    };
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    await atlas.close();
  }
}
