/**
 * Scale: many executions at once, offline, against an Atlas emulator that enforces an Atlas-like token
 * bucket per project. Every execution is started as a user would (`POST /endpoints` on the local API,
 * each with its own Idempotency-Key) and all share one project and endpoint service, as they would.
 *
 * Time: Wait states and Retry pauses advance each execution's own virtual time, and the emulators read
 * the furthest of them; the bucket refills by that clock. The handlers share one process, so one warm
 * Atlas client (one Digest nonce) serves every execution, where Lambda would run many instances.
 */
import { resourceUsage } from 'node:process';
import { startOfflineEnvironment } from '../local/offline/OfflineEnvironment';
import type { Scenario } from '../local/offline/scenario';

export interface ScaleOptions {
  readonly executions: number;
  /** @default { capacity: 100, refillPerMinute: 100 } */
  readonly rateLimit?: { readonly capacity: number; readonly refillPerMinute: number };
  /** Seconds after its registration an endpoint turns AVAILABLE. @default 120 */
  readonly availableAfterSeconds?: number;
  /** Real milliseconds to wait for all executions. @default 240000 */
  readonly timeoutMs?: number;
  /** Seeds the run's jitter (see `OfflineEnvironmentOptions.seed`). @default 1 */
  readonly seed?: number;
}

export interface ScaleFigures {
  readonly executions: number;
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
  /** Atlas 401s by the emulator's auth outcome (`challenge`, `stale`, `replay`, …). */
  readonly atlas401: Readonly<Record<string, number>>;
  readonly stateTransitions: number;
  /** Real milliseconds from the first request until the last execution stopped. */
  readonly wallMs: number;
  /** Virtual seconds the clock moved meanwhile. */
  readonly virtualSeconds: number;
  /** Highest resident set sampled (every 50 ms) while the executions ran, MiB. */
  readonly peakRssDuringRunMiB: number;
  /** Peak resident set of the whole process (CDK synthesis of the workflow included), MiB. */
  readonly peakRssMiB: number;
}

/** Starts its own offline environment: call it in a fresh process. */
export async function measureScale(options: ScaleOptions): Promise<ScaleFigures> {
  const rateLimit = options.rateLimit ?? { capacity: 100, refillPerMinute: 100 };
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
  const env = await startOfflineEnvironment({
    scenario,
    atlasRateLimit: rateLimit,
    seed: options.seed ?? 1,
  });
  try {
    const clockStart = env.clock.now();
    let peakRss = process.memoryUsage.rss();
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage.rss());
    }, 50);
    const started = performance.now();
    const deadline = started + (options.timeoutMs ?? 240_000);
    const failureCauses: Record<string, string> = {};
    // Every execution starts at the same virtual instant: the clock stays put until all are started.
    const release = env.timeline.hold();
    const arns = await Promise.all(
      Array.from({ length: options.executions }, async (_, i) => {
        const response = await fetch(`${env.api.url}/endpoints`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', 'Idempotency-Key': `bench-scale-${i}` },
          body: JSON.stringify(env.request),
        });
        const body = (await response.json()) as { executionArn?: string };
        return response.status === 202 && body.executionArn ? body.executionArn : `HTTP ${response.status}`;
      }),
    );
    release();
    const outcomes = await Promise.all(
      arns.map(async (executionArn): Promise<string> => {
        if (executionArn.startsWith('HTTP ')) return executionArn;
        try {
          const timeoutMs = Math.max(1, deadline - performance.now());
          const execution = await env.aws.waitForExecution(executionArn, { timeoutMs });
          if (execution.status === 'SUCCEEDED') return 'SUCCEEDED';
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
    const succeeded = outcomes.filter((o) => o === 'SUCCEEDED').length;
    return {
      executions: options.executions,
      rateLimit,
      succeeded,
      allSucceeded: succeeded === options.executions,
      failures,
      failureCauses,
      atlasRequests: log.length,
      atlasRequestsPerExecution: Math.round((log.length / options.executions) * 10) / 10,
      atlas429: log.filter((e) => e.status === 429).length,
      atlas401,
      stateTransitions: env.workflow.stateTransitions,
      wallMs: Math.round(wallMs),
      virtualSeconds: Math.round((env.clock.now() - clockStart) / 1000),
      peakRssDuringRunMiB: Math.round(peakRss / 2 ** 20),
      peakRssMiB: Math.round(resourceUsage().maxRSS / 1024),
    };
  } finally {
    await env.close();
  }
}
