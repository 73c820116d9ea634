/**
 * The sweep: the second line of clean-up, for what an execution could not remove itself because it never
 * reached its Catch (stopped with `StopExecution`, timed out, or its clean-up gave up while a fault
 * lasted). It finds the VPC endpoints tagged as managed by this deployment whose execution has ended
 * without success, and removes them from both sides with the same removal the workflow uses.
 *
 * It also finishes a deprovisioning that ended without success (a persistent fault, a crash): the endpoint
 * of a SUCCEEDED provisioning whose latest deprovisioning FAILED, was ABORTED or TIMED_OUT is removed too.
 *
 * Tags only find candidates; they prove nothing (anyone allowed `ec2:CreateTags` can write them). An
 * endpoint is removed only when the history of the execution its tag names (by ARN) shows that
 * execution's "Create VPC endpoint" state produced that very id, in the same VPC, to the same endpoint
 * service, and EC2 says it was created after the execution started.
 *
 * Never touched: endpoints without this deployment's managed-by tag; endpoints of a RUNNING execution
 * (their own workflow owns them) or of a SUCCEEDED one (they are the product) unless a deletion of it was
 * asked for and did not finish; endpoints being deprovisioned right now; endpoints younger than the
 * grace period; endpoints whose execution Step Functions does not know (its history expired after 90
 * days, or it belongs to another state machine: a replaced stack must not lose its working endpoints);
 * endpoints the execution's history does not show it created (a planted tag, or a create that timed out
 * after EC2 made the endpoint: then it is reported, to be removed by hand); endpoints missing the tags that
 * say where their Atlas registration is.
 */
import type { ExecutionView } from '../adapters/Executions';
import type { VpcEndpoints, VpcEndpointView } from '../adapters/VpcEndpoints';
import type { AtlasClient } from '../atlas/AtlasClient';
import type { CreatedVpcEndpoint } from '../domain/executionHistory';
import { ManagedTag } from '../domain/request';
import { createdByExecution, removeExecutionEndpoints } from './endpointRemoval';

/** What the sweep talks to: EC2, Step Functions and Atlas, as the workflow's own adapters. */
export interface SweepPorts {
  readonly vpc: Pick<VpcEndpoints, 'findByTag' | 'describe' | 'delete'>;
  readonly executions: {
    /**
     * The execution an endpoint's execution tag names, by its ARN; `undefined` when Step Functions does not
     * know it as an execution of this deployment's state machine.
     */
    describeArn(
      executionArn: string,
    ): Promise<Pick<ExecutionView, 'name' | 'status' | 'startedAt'> | undefined>;
    /** What the execution's create step produced, by its history; `undefined` when it has none. */
    createdVpcEndpoints(executionArn: string): Promise<readonly CreatedVpcEndpoint[] | undefined>;
  };
  readonly atlas: () => Promise<Pick<AtlasClient, 'getEndpoint' | 'deleteEndpoint'>>;
  /**
   * The status of the latest deprovisioning of a provisioning, or undefined when none was asked for.
   * @default - none: endpoints of succeeded provisionings are always kept
   */
  readonly deprovisionings?: {
    latestStatus(executionName: string): Promise<string | undefined>;
  };
}

export interface SweepOptions {
  /** The `atlas-privatelink:managed-by` value of this deployment. */
  readonly managedBy: string;
  /** Milliseconds since the epoch. */
  readonly now: number;
  /** An endpoint younger than this is left alone, whatever its execution says. */
  readonly graceSeconds: number;
  /** Report what would be removed, remove nothing. @default false */
  readonly dryRun?: boolean;
}

/** Why an endpoint was left alone. */
export const KeptReason = {
  running: 'execution running',
  succeeded: 'execution succeeded',
  deprovisioning: 'deprovisioning running',
  deprovisioned: 'deprovisioned already',
  unknownExecution: 'execution unknown to Step Functions (or of another state machine)',
  young: 'younger than the grace period',
  untagged: 'no execution, group-id or endpoint-service-id tag',
  /** Created before its execution started: the execution tag was written onto it, not by the workflow. */
  olderThanExecution: 'created before the execution it names started',
  /**
   * The execution's history shows no "Create VPC endpoint" that produced it: a planted tag, or a create
   * that timed out after EC2 made the endpoint (remove that one by hand).
   */
  notInHistory: 'not created by the execution it names, by its history',
  /** The history shows the id created, but in another VPC or to another service than EC2 or the tags say. */
  historyDisagrees: "VPC, service or registration disagree with its execution's history",
} as const;
export type KeptReason = (typeof KeptReason)[keyof typeof KeptReason];

/** The endpoints of one ended execution, in one Atlas endpoint service. */
export interface Orphans {
  readonly executionArn: string;
  readonly executionName: string;
  /**
   * `FAILED`, `ABORTED`, `TIMED_OUT`, or `SUCCEEDED` for a provisioning whose deprovisioning ended without
   * success.
   */
  readonly executionStatus: string;
  readonly groupId: string;
  readonly endpointServiceId: string;
  readonly vpcEndpointIds: string[];
  /** The same endpoints with the EC2 state the pass saw (a `deleted` one may still have its Atlas registration). */
  readonly endpoints: { readonly vpcEndpointId: string; readonly state: string }[];
}

/** An endpoint the pass left alone, and why. */
export interface KeptEndpoint {
  readonly vpcEndpointId: string;
  readonly reason: KeptReason;
  /** Its `atlas-privatelink:execution` tag (the execution's ARN), when it has one. */
  readonly executionArn?: string;
  readonly state: string;
}

export interface SweepReport {
  /** Managed endpoints EC2 showed, deleted ones included (their Atlas registration may remain). */
  readonly examined: number;
  readonly orphans: Orphans[];
  readonly kept: KeptEndpoint[];
  /** Ids whose deletion is under way on either side (a later pass finds them gone). */
  readonly remaining: string[];
  /** Ids that retrying will not remove, with why (e.g. Atlas refuses the credentials). */
  readonly abandoned: { readonly id: string; readonly reason: string }[];
  readonly dryRun: boolean;
}

const STILL_RUNNING = new Set(['RUNNING', 'PENDING_REDRIVE']);

/**
 * One pass of the sweep. Idempotent: a second pass re-reads both sides and only asks for deletions not yet
 * under way, so a scheduled sweep simply finishes on its next run what this one started.
 *
 * @example
 * const report = await sweep(ports, { managedBy: 'AtlasPrivateLink-3f2a9c1e', now: Date.now(), graceSeconds: 7200 });
 * console.log(report.orphans.length, report.remaining);
 */
export async function sweep(ports: SweepPorts, options: SweepOptions): Promise<SweepReport> {
  const endpoints = (await ports.vpc.findByTag(ManagedTag.managedBy, options.managedBy)).filter(
    (e) => e.tags[ManagedTag.managedBy] === options.managedBy,
  );
  const kept: KeptEndpoint[] = [];
  const keep = (e: VpcEndpointView, reason: KeptReason) => {
    const executionArn = e.tags[ManagedTag.execution];
    kept.push({
      vpcEndpointId: e.vpcEndpointId,
      reason,
      state: e.state,
      ...(executionArn ? { executionArn } : {}),
    });
  };

  const candidates: VpcEndpointView[] = [];
  for (const e of endpoints) {
    const created = e.createdAt ? Date.parse(e.createdAt) : Number.NaN;
    if (
      !e.tags[ManagedTag.execution] ||
      !e.tags[ManagedTag.groupId] ||
      !e.tags[ManagedTag.endpointServiceId]
    ) {
      keep(e, KeptReason.untagged);
    } else if (Number.isNaN(created) || options.now - created < options.graceSeconds * 1000) {
      keep(e, KeptReason.young);
    } else {
      candidates.push(e);
    }
  }

  const executions = new Map<string, Pick<ExecutionView, 'name' | 'status' | 'startedAt'> | undefined>();
  /** Of the succeeded provisionings: the status of their latest deprovisioning, if one was asked for. */
  const deletions = new Map<string, string | undefined>();
  for (const arn of new Set(candidates.map((e) => e.tags[ManagedTag.execution] as string))) {
    const execution = await ports.executions.describeArn(arn);
    executions.set(arn, execution);
    if (execution?.status === 'SUCCEEDED' && ports.deprovisionings) {
      deletions.set(arn, await ports.deprovisionings.latestStatus(execution.name));
    }
  }
  /** What each execution's history shows it created: read only for executions with an endpoint to remove. */
  const histories = new Map<string, readonly CreatedVpcEndpoint[]>();
  const historyOf = async (arn: string): Promise<readonly CreatedVpcEndpoint[]> => {
    let created = histories.get(arn);
    if (!created) {
      created = (await ports.executions.createdVpcEndpoints(arn)) ?? [];
      histories.set(arn, created);
    }
    return created;
  };

  const groups = new Map<string, Orphans>();
  for (const e of candidates) {
    const executionArn = e.tags[ManagedTag.execution] as string;
    const execution = executions.get(executionArn);
    if (execution === undefined) {
      keep(e, KeptReason.unknownExecution);
      continue;
    }
    const status = execution.status;
    // Tags can be planted by anyone allowed ec2:CreateTags: an endpoint created before the execution it
    // names started was not created by it, whatever its tags say.
    const reason = createdByExecution(e, { startedAt: execution.startedAt })
      ? keptFor(status, deletions.get(executionArn))
      : KeptReason.olderThanExecution;
    if (reason) keep(e, reason);
    else {
      // Proof, not tags: the execution's own history must show its create step produced this very id.
      const created = (await historyOf(executionArn)).find((c) => c.vpcEndpointId === e.vpcEndpointId);
      if (!created) {
        keep(e, KeptReason.notInHistory);
        continue;
      }
      const groupId = e.tags[ManagedTag.groupId] as string;
      const endpointServiceId = e.tags[ManagedTag.endpointServiceId] as string;
      if (!agrees(e, created, { groupId, endpointServiceId })) {
        keep(e, KeptReason.historyDisagrees);
        continue;
      }
      const key = JSON.stringify([executionArn, groupId, endpointServiceId]);
      const group = groups.get(key) ?? {
        executionArn,
        executionName: execution.name,
        executionStatus: status,
        groupId,
        endpointServiceId,
        vpcEndpointIds: [],
        endpoints: [],
      };
      group.vpcEndpointIds.push(e.vpcEndpointId);
      group.endpoints.push({ vpcEndpointId: e.vpcEndpointId, state: e.state });
      groups.set(key, group);
    }
  }

  const orphans = [...groups.values()];
  const remaining: string[] = [];
  const abandoned: SweepReport['abandoned'][number][] = [];
  if (!options.dryRun) {
    for (const group of orphans) {
      const pass = await removeExecutionEndpoints(
        {
          executionArn: group.executionArn,
          managedBy: options.managedBy,
          groupId: group.groupId,
          endpointServiceId: group.endpointServiceId,
          knownVpcEndpointIds: group.vpcEndpointIds,
        },
        ports.vpc,
        ports.atlas,
      );
      remaining.push(...pass.remaining);
      abandoned.push(...pass.abandoned);
    }
  }
  return { examined: endpoints.length, orphans, kept, remaining, abandoned, dryRun: options.dryRun ?? false };
}

/**
 * Why an endpoint of an execution in `status` is kept, if it is: its execution runs, or succeeded (the
 * endpoint is the product) unless its latest deprovisioning (`deletion`) ended without success.
 */
function keptFor(status: string, deletion: string | undefined): KeptReason | undefined {
  if (STILL_RUNNING.has(status)) return KeptReason.running;
  if (status !== 'SUCCEEDED') return undefined;
  if (deletion === undefined) return KeptReason.succeeded;
  if (STILL_RUNNING.has(deletion)) return KeptReason.deprovisioning;
  if (deletion === 'SUCCEEDED') return KeptReason.deprovisioned;
  return undefined;
}

/**
 * Whether what EC2 shows of an endpoint (and where its tags say its registration is) is what the
 * execution's history recorded when it created it: the same VPC, the same endpoint service, and the same
 * Atlas project and endpoint service (so a re-tagged endpoint cannot point the sweep at another registration).
 */
function agrees(
  endpoint: VpcEndpointView,
  created: CreatedVpcEndpoint,
  registration: { readonly groupId: string; readonly endpointServiceId: string },
): boolean {
  return (
    created.vpcId === endpoint.vpcId &&
    created.serviceName === endpoint.serviceName &&
    (created.groupId === undefined || created.groupId === registration.groupId) &&
    (created.endpointServiceId === undefined || created.endpointServiceId === registration.endpointServiceId)
  );
}

/**
 * Sweeps pass after pass, pausing between them, until nothing is under way any more or `maxPasses` ran
 * (the CLI and the offline demo; the scheduled Lambda runs one pass per schedule). Returns every pass.
 */
export async function sweepUntilSettled(
  ports: SweepPorts,
  options: Omit<SweepOptions, 'now'> & {
    readonly now: () => number;
    readonly maxPasses: number;
    readonly pause: () => Promise<void>;
  },
): Promise<SweepReport[]> {
  const reports: SweepReport[] = [];
  for (let pass = 0; pass < options.maxPasses; pass += 1) {
    if (pass > 0) await options.pause();
    const report = await sweep(ports, { ...options, now: options.now() });
    reports.push(report);
    if (report.dryRun || report.remaining.length === 0) break;
  }
  return reports;
}
