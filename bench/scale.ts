/**
 * Scale: many executions against an Atlas emulator that enforces an Atlas-like token bucket per project.
 * Every execution is started as a user would (`POST /endpoints` on the local API, each with its own
 * Idempotency-Key) and all share one project and endpoint service, as they would.
 *
 * Time: the executions run on a timeline (`local/shared/Timeline.ts`): each acts at a virtual instant and
 * waits (Wait states, Retry pauses, the Atlas client's backoff) in virtual time, and the bucket refills by
 * that clock. Executions are started all at the same instant, or one after another spread evenly over
 * `arrivalSeconds`. With the same seed a run does the same things at the same instants on any machine,
 * so its counts repeat exactly; only wall time and memory vary.
 *
 * The handlers share one process, so one warm Atlas client (one Digest nonce) serves every execution,
 * where Lambda would run many instances (each new one answering one more Digest challenge).
 */
import { resourceUsage } from 'node:process';
import { startOfflineEnvironment } from '../local/offline/OfflineEnvironment';
import type { Scenario } from '../local/offline/scenario';

export interface ScaleOptions {
  readonly executions: number;
  /** @default { capacity: 100, refillPerMinute: 100 } */
  readonly rateLimit?: { readonly capacity: number; readonly refillPerMinute: number };
  /** Start the executions evenly over this many (virtual) seconds; 0: all at the same instant. @default 0 */
  readonly arrivalSeconds?: number;
  /** Seconds after its registration an endpoint turns AVAILABLE. @default 120 */
  readonly availableAfterSeconds?: number;
  /** Real milliseconds to wait for all executions. @default 600000 */
  readonly timeoutMs?: number;
  /** Seeds the run's jitter (see `OfflineEnvironmentOptions.seed`). @default 1 */
  readonly seed?: number;
}

/** What issue 9 asks of a scale run. */
export const ScaleTargets = {
  /** At most this share of Atlas's answers may be 429. */
  max429Share: 0.1,
  /** At most this many Atlas requests per execution (429s and Digest challenges included). */
  maxRequestsPerExecution: 7,
} as const;

export interface ScaleFigures {
  readonly executions: number;
  readonly arrivalSeconds: number;
  readonly seed: number;
  readonly rateLimit: { readonly capacity: number; readonly refillPerMinute: number };
  readonly succeeded: number;
  readonly allSucceeded: boolean;
  /** Failed executions by error name; `unfinished` counts those still running at the timeout. */
  readonly failures: Readonly<Record<string, number>>;
  /** The first cause seen for each error name, shortened. */
  readonly failureCauses: Readonly<Record<string, string>>;
  readonly atlasRequests: number;
  readonly atlasRequestsPerExecution: number;
  readonly atlas429: number;
  /** `atlas429 / atlasRequests`. */
  readonly atlas429Share: number;
  /** Atlas 401s by the emulator's auth outcome (`challenge`, `stale`, `replay`, …). */
  readonly atlas401: Readonly<Record<string, number>>;
  /** Atlas requests and 429s by operation (`list services`, `register endpoint`, `read endpoint`, …). */
  readonly atlasByOperation: Readonly<Record<string, { readonly requests: number; readonly r429: number }>>;
  /** Whether the run met {@link ScaleTargets}: all succeeded, the 429 share, the requests per execution. */
  readonly targetsMet: {
    readonly allSucceeded: boolean;
    readonly share429: boolean;
    readonly requestsPerExecution: boolean;
  };
  readonly stateTransitions: number;
  /** Provisioning time of the succeeded executions (virtual seconds, from their start): median and longest. */
  readonly medianDurationSeconds: number;
  readonly maxDurationSeconds: number;
  /** Virtual seconds from the first start until the last execution stopped. */
  readonly virtualSeconds: number;
  /** Real milliseconds from the first request until the last execution stopped. */
  readonly wallMs: number;
  /** Highest resident set sampled (every 50 ms) while the executions ran, MiB. */
  readonly peakRssDuringRunMiB: number;
  /** Peak resident set of the whole process (CDK synthesis of the workflow included), MiB. */
  readonly peakRssMiB: number;
}

/** Starts its own offline environment: call it in a fresh process. */
export async function measureScale(options: ScaleOptions): Promise<ScaleFigures> {
  const rateLimit = options.rateLimit ?? { capacity: 100, refillPerMinute: 100 };
  const arrivalSeconds = options.arrivalSeconds ?? 0;
  const seed = options.seed ?? 1;
  const scenario: Scenario = {
    endpointService: { statuses: ['AVAILABLE'] },
    attempts: [
      {
        timeline: [
          { atSeconds: 0, connectionStatus: 'PENDING_ACCEPTANCE' },
          { atSeconds: options.availableAfterSeconds ?? 120, connectionStatus: 'AVAILABLE' },
        ],
      },
    ],
  };
  const env = await startOfflineEnvironment({ scenario, atlasRateLimit: rateLimit, seed });
  try {
    const clockStart = env.clock.now();
    let peakRss = process.memoryUsage.rss();
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage.rss());
    }, 50);
    const started = performance.now();
    const deadline = started + (options.timeoutMs ?? 600_000);
    const failureCauses: Record<string, string> = {};
    const durations: number[] = [];
    const width = String(options.executions).length;
    const outcomes = await Promise.all(
      Array.from({ length: options.executions }, async (_, i): Promise<string> => {
        // Each start is an actor of its own on the timeline: it posts at its virtual instant.
        const arrival = env.timeline.join(`arrival-${String(i).padStart(width, '0')}`);
        let executionArn: string | undefined;
        try {
          await arrival.waitUntil(clockStart + ((arrivalSeconds * 1000) / options.executions) * i);
          const response = await fetch(`${env.api.url}/endpoints`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', 'Idempotency-Key': `bench-scale-${i}` },
            body: JSON.stringify(env.request),
          });
          const body = (await response.json()) as { executionArn?: string };
          if (response.status !== 202 || !body.executionArn) return `HTTP ${response.status}`;
          executionArn = body.executionArn;
        } finally {
          arrival.leave();
        }
        try {
          const timeoutMs = Math.max(1, deadline - performance.now());
          const execution = await env.aws.waitForExecution(executionArn, { timeoutMs });
          if (execution.status === 'SUCCEEDED') {
            const output = JSON.parse(execution.output ?? '{}') as { durationSeconds?: number };
            if (typeof output.durationSeconds === 'number') durations.push(output.durationSeconds);
            return 'SUCCEEDED';
          }
          const error = execution.error ?? execution.status;
          failureCauses[error] ??= (execution.cause ?? '').slice(0, 300);
          return error;
        } catch {
          return 'unfinished';
        }
      }),
    );
    const wallMs = performance.now() - started;
    clearInterval(sampler);
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
    const log = env.atlas.requestLog;
    const failures: Record<string, number> = {};
    for (const outcome of outcomes.filter((o) => o !== 'SUCCEEDED'))
      failures[outcome] = (failures[outcome] ?? 0) + 1;
    const atlas401: Record<string, number> = {};
    for (const entry of log.filter((e) => e.status === 401))
      atlas401[entry.auth] = (atlas401[entry.auth] ?? 0) + 1;
    const byOperation: Record<string, { requests: number; r429: number }> = {};
    for (const entry of log) {
      const operation = operationOf(entry.method, entry.path);
      byOperation[operation] ??= { requests: 0, r429: 0 };
      byOperation[operation].requests += 1;
      if (entry.status === 429) byOperation[operation].r429 += 1;
    }
    const succeeded = outcomes.filter((o) => o === 'SUCCEEDED').length;
    const atlas429 = log.filter((e) => e.status === 429).length;
    const perExecution = log.length / options.executions;
    const share429 = log.length === 0 ? 0 : atlas429 / log.length;
    durations.sort((a, b) => a - b);
    return {
      executions: options.executions,
      arrivalSeconds,
      seed,
      rateLimit,
      succeeded,
      allSucceeded: succeeded === options.executions,
      failures,
      failureCauses,
      atlasRequests: log.length,
      atlasRequestsPerExecution: Math.round(perExecution * 10) / 10,
      atlas429,
      atlas429Share: Math.round(share429 * 1000) / 1000,
      atlas401,
      atlasByOperation: byOperation,
      targetsMet: {
        allSucceeded: succeeded === options.executions,
        share429: share429 <= ScaleTargets.max429Share,
        requestsPerExecution: perExecution <= ScaleTargets.maxRequestsPerExecution,
      },
      stateTransitions: env.workflow.stateTransitions,
      medianDurationSeconds: durations[Math.floor((durations.length - 1) / 2)] ?? 0,
      maxDurationSeconds: durations.at(-1) ?? 0,
      virtualSeconds: Math.round((env.clock.now() - clockStart) / 1000),
      wallMs: Math.round(wallMs),
      peakRssDuringRunMiB: Math.round(peakRss / 2 ** 20),
      peakRssMiB: Math.round(resourceUsage().maxRSS / 1024),
    };
  } finally {
    await env.close();
  }
}

/** A name for the Atlas operation a request made. */
function operationOf(method: string, path: string): string {
  if (path.endsWith('/api/oauth/token')) return 'token';
  if (path.endsWith('/privateEndpoint/endpointService')) return 'create service';
  if (path.endsWith('/endpointService')) return 'list services';
  if (/\/endpointService\/[^/]+$/.test(path)) return method === 'DELETE' ? 'delete service' : 'read service';
  if (path.endsWith('/endpoint')) return 'register endpoint';
  if (/\/endpoint\/[^/]+$/.test(path)) return method === 'DELETE' ? 'delete endpoint' : 'read endpoint';
  return `${method} other`;
}
