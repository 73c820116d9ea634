/**
 * Polling: how soon a provisioning notices that its endpoint became AVAILABLE, and what noticing costs,
 * for our workflow (run offline, Wait states advancing a virtual clock) against the incumbents' fixed
 * intervals (a GET every 10 s: Terraform, the Kubernetes operator; every 20 s: CloudFormation), simulated
 * with the real `AtlasClient` against the same Atlas emulator and clock.
 *
 * The endpoint turns AVAILABLE `T + phase` seconds after its registration. A `T` that is a multiple of
 * the incumbents' interval would hand them a lag of 0, which nothing real does, so every `T` is measured
 * at several phases spread evenly over 20 s, and lags and counts are averaged over them.
 */
import { randomBytes } from 'node:crypto';
import { AtlasClient } from '../lambdas/atlas/AtlasClient';
import { PollSchedule } from '../lambdas/domain/decisions';
import { DEMO_API_KEY, DEMO_GROUP_ID } from '../local/atlas-emulator';
import { type OfflineEnvironment, startOfflineEnvironment } from '../local/offline/OfflineEnvironment';
import { runScenario } from '../local/offline/runScenario';
import type { Scenario } from '../local/offline/scenario';

export interface PollingOptions {
  /** Seconds from registration until the endpoint is AVAILABLE. */
  readonly targetsSeconds: readonly number[];
  /** Phases per target, spread evenly over 20 s. */
  readonly phases: number;
  /** Seeds the poll jitter (see `OfflineEnvironmentOptions.seed`). @default 1 */
  readonly seed?: number;
}

/** One way of polling at one `T`, averaged over the phases. */
export interface PollerFigures {
  /** Mean seconds from AVAILABLE until the poller noticed. */
  readonly meanLagSeconds: number;
  readonly maxLagSeconds: number;
  /** Mean successful Atlas `GET …/endpoint/{id}` per provisioning (logical reads). */
  readonly atlasGets: number;
  /** Mean HTTP requests on that path, Digest re-challenges (a nonce gone stale) included. */
  readonly atlasRequests: number;
  /** Mean EC2 `DescribeVpcEndpoints` calls while polling (ours only). */
  readonly ec2Describes: number | null;
  /** Mean state transitions of the whole execution (ours), or null: a fixed loop has none. */
  readonly stateTransitions: number | null;
}

export interface PollingRow {
  readonly targetSeconds: number;
  readonly phasesSeconds: readonly number[];
  readonly ours: PollerFigures;
  readonly fixed10: PollerFigures;
  readonly fixed20: PollerFigures;
  /** Mean lag no worse than fixed 10 s. */
  readonly lagGoalMet: boolean;
  /** At most half fixed 10 s's Atlas GETs, when T ≥ 5 min (true below). */
  readonly getsGoalMet: boolean;
}

export interface PollingFigures {
  readonly schedule: typeof PollSchedule;
  /**
   * How long an Atlas `errorMessage` on an endpoint still pending in EC2 can go unnoticed: the Atlas read
   * interval plus one wait (the check after the interval expires).
   */
  readonly errorMessageBoundSeconds: number;
  readonly rows: readonly PollingRow[];
  readonly goalMet: boolean;
}

interface Sample {
  readonly lagSeconds: number;
  readonly atlasGets: number;
  readonly atlasRequests: number;
  readonly ec2Describes: number | null;
  readonly stateTransitions: number | null;
}

/** Phases spread evenly over 20 s, each in the middle of its slot: 20/n × (k + ½). */
export function phasesOf(count: number): number[] {
  return Array.from({ length: count }, (_, k) => Number(((20 / count) * (k + 0.5)).toFixed(3)));
}

const timelineScenario = (availableAt: number): Scenario => ({
  endpointService: { statuses: ['AVAILABLE'] },
  attempts: [
    {
      timeline: [
        { atSeconds: 0, connectionStatus: 'PENDING_ACCEPTANCE' },
        { atSeconds: availableAt, connectionStatus: 'AVAILABLE' },
      ],
    },
  ],
});

/** Runs every target at every phase. Starts its own offline environment: call it in a fresh process. */
export async function measurePolling(options: PollingOptions): Promise<PollingFigures> {
  const detections = new Map<string, number>();
  const transitions = new Map<string, number>();
  const env = await startOfflineEnvironment({
    seed: options.seed ?? 1,
    scenario: timelineScenario(options.targetsSeconds[0] ?? 60),
    onEvent: (execution, event) => {
      if (event.type === 'StateEntered') transitions.set(execution, (transitions.get(execution) ?? 0) + 1);
      if (event.type === 'StateExited' && event.state.name === 'Check endpoint') {
        const poll = (event.state.output as { attempt?: { poll?: { verdict?: string; checkedAt?: number } } })
          ?.attempt?.poll;
        if (poll?.verdict === 'AVAILABLE' && poll.checkedAt && !detections.has(execution)) {
          detections.set(execution, poll.checkedAt);
        }
      }
    },
  });
  const client = new AtlasClient({ credentials: DEMO_API_KEY, baseUrl: env.atlas.url });
  try {
    const rows: PollingRow[] = [];
    const phases = phasesOf(options.phases);
    for (const target of options.targetsSeconds) {
      const ours: Sample[] = [];
      const fixed10: Sample[] = [];
      const fixed20: Sample[] = [];
      for (const phase of phases) {
        const availableAt = target + phase;
        env.atlas.setScript(timelineScenario(availableAt));
        ours.push(await runOurs(env, `bench-poll-${target}-${phase}`, availableAt, detections, transitions));
        fixed10.push(await runFixed(env, client, 10, availableAt));
        fixed20.push(await runFixed(env, client, 20, availableAt));
      }
      const row = {
        targetSeconds: target,
        phasesSeconds: phases,
        ours: summarize(ours),
        fixed10: summarize(fixed10),
        fixed20: summarize(fixed20),
      };
      rows.push({
        ...row,
        lagGoalMet: row.ours.meanLagSeconds <= row.fixed10.meanLagSeconds,
        getsGoalMet: target < 300 || row.ours.atlasGets <= row.fixed10.atlasGets / 2,
      });
    }
    return {
      schedule: PollSchedule,
      errorMessageBoundSeconds: PollSchedule.atlasReadIntervalSeconds + PollSchedule.steadyWaitSeconds,
      rows,
      goalMet: rows.every((r) => r.lagGoalMet && r.getsGoalMet),
    };
  } finally {
    await client.close();
    await env.close();
  }
}

async function runOurs(
  env: OfflineEnvironment,
  idempotencyKey: string,
  availableAt: number,
  detections: ReadonlyMap<string, number>,
  transitions: ReadonlyMap<string, number>,
): Promise<Sample> {
  const logStart = env.atlas.requestLog.length;
  const awsStart = env.aws.requests.length;
  const report = await runScenario(env, { idempotencyKey });
  if (report.status !== 'SUCCEEDED' || !report.executionId || !report.vpcEndpointId) {
    throw new Error(
      `the polling run for AVAILABLE at ${availableAt} s failed: ${JSON.stringify(report.error)}`,
    );
  }
  const registration = env.atlas.endpoints().find((e) => e.endpointId === report.vpcEndpointId);
  const detectedAt = detections.get(report.executionId);
  if (!registration || detectedAt === undefined) {
    throw new Error(`the polling run ${report.executionId} left no registration or no AVAILABLE check`);
  }
  const onEndpoint = env.atlas.requestLog
    .slice(logStart)
    .filter((e) => e.method === 'GET' && e.path.endsWith(`/endpoint/${report.vpcEndpointId}`));
  return {
    lagSeconds: (detectedAt - (registration.registeredAt + availableAt * 1000)) / 1000,
    atlasGets: onEndpoint.filter((e) => e.status === 200).length,
    atlasRequests: onEndpoint.length,
    ec2Describes: env.aws.requests.slice(awsStart).filter((r) => r.action === 'DescribeVpcEndpoints').length,
    stateTransitions: transitions.get(report.executionId) ?? 0,
  };
}

/** An incumbent: register, then GET every `intervalSeconds` from the registration until AVAILABLE. */
async function runFixed(
  env: OfflineEnvironment,
  client: AtlasClient,
  intervalSeconds: number,
  availableAt: number,
): Promise<Sample> {
  const service = env.atlas.services(DEMO_GROUP_ID)[0];
  if (!service) throw new Error('the polling bench needs the endpoint service our run created');
  const vpcEndpointId = `vpce-${randomBytes(9).toString('hex').slice(0, 17)}`;
  await client.createEndpoint(DEMO_GROUP_ID, 'AWS', service.id, { id: vpcEndpointId });
  const registeredAt = env.clock.now();
  const logStart = env.atlas.requestLog.length;
  for (let polls = 1; polls < 100_000; polls++) {
    env.clock.advance(intervalSeconds * 1000);
    const endpoint = await client.getEndpoint(DEMO_GROUP_ID, 'AWS', service.id, vpcEndpointId);
    if (endpoint.connectionStatus === 'AVAILABLE') {
      const onEndpoint = env.atlas.requestLog
        .slice(logStart)
        .filter((e) => e.method === 'GET' && e.path.endsWith(`/endpoint/${vpcEndpointId}`));
      return {
        lagSeconds: (env.clock.now() - (registeredAt + availableAt * 1000)) / 1000,
        atlasGets: onEndpoint.filter((e) => e.status === 200).length,
        atlasRequests: onEndpoint.length,
        ec2Describes: null,
        stateTransitions: null,
      };
    }
  }
  throw new Error(`fixed ${intervalSeconds} s polling never saw AVAILABLE`);
}

const mean = (values: readonly number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
const round = (value: number) => Math.round(value * 10) / 10;

function summarize(samples: readonly Sample[]): PollerFigures {
  const optional = (pick: (s: Sample) => number | null) =>
    samples.every((s) => pick(s) !== null) ? round(mean(samples.map((s) => pick(s) as number))) : null;
  return {
    meanLagSeconds: round(mean(samples.map((s) => s.lagSeconds))),
    maxLagSeconds: round(Math.max(...samples.map((s) => s.lagSeconds))),
    atlasGets: round(mean(samples.map((s) => s.atlasGets))),
    atlasRequests: round(mean(samples.map((s) => s.atlasRequests))),
    ec2Describes: optional((s) => s.ec2Describes),
    stateTransitions: optional((s) => s.stateTransitions),
  };
}
