/**
 * How long each function can take at worst, computed from the limits its clients are built with, so that
 * every Lambda timeout is known to fit before it is deployed. A function that outlived its timeout would
 * fail with `Sandbox.Timedout` in the middle of a call whose outcome it never learns.
 *
 * The worst case of one call is what its client allows before giving up: every attempt running to its time
 * limit, and every pause between attempts at its longest. Pure arithmetic over plain numbers: the construct
 * reads it to set the timeouts, and `test/timeBudget.test.ts` checks the synthesized ones against it.
 */
import { SdkLimits } from './adapters/sdkLimits';
import { DEFAULT_TIMEOUTS } from './atlas/limits';
import { DEFAULT_RETRY } from './atlas/retryPolicy';

/** One external call a function makes. */
export const Call = {
  /** An AWS SDK call (EC2, Step Functions, Secrets Manager): its attempts and pauses. */
  aws: 'aws',
  /** One Atlas client operation: retries within its deadline, then one last exchange. */
  atlas: 'atlas',
} as const;
export type Call = (typeof Call)[keyof typeof Call];

/**
 * What one invocation of a function does at worst: `fixed` calls, plus `perItem` calls for each item of a
 * loop the function stops starting when less than `perItem + after` of its time is left (so at least one
 * item fits, and a later invocation takes the rest), plus the `after` calls that close the pass.
 */
export interface CallPlan {
  readonly fixed: readonly Call[];
  readonly perItem?: readonly Call[];
  readonly after?: readonly Call[];
}

/** Milliseconds an AWS SDK call takes at worst: every attempt to its request time limit, every pause at its longest. */
export function awsCallWorstMs(limits: typeof SdkLimits = SdkLimits): number {
  let pauses = 0;
  for (let retry = 1; retry < limits.maxAttempts; retry += 1) {
    pauses += Math.min(limits.maxDelayMs, limits.baseDelayMs * 2 ** (retry - 1)) + limits.retryAfterHintMaxMs;
  }
  return limits.maxAttempts * limits.requestTimeoutMs + pauses;
}

/**
 * Milliseconds an Atlas operation takes at worst: the client starts no wait that would end past its retry
 * deadline and no exchange runs past the deadline plus one exchange's time limit; a service account's token
 * request comes on top (its own exchange).
 */
export function atlasOperationWorstMs(
  timeouts: typeof DEFAULT_TIMEOUTS = DEFAULT_TIMEOUTS,
  deadlineMs: number = DEFAULT_RETRY.deadlineMs,
): number {
  const tokenRequestMs = timeouts.requestTimeoutMs;
  return deadlineMs + timeouts.requestTimeoutMs + tokenRequestMs;
}

const worstOf = (call: Call): number => (call === Call.aws ? awsCallWorstMs() : atlasOperationWorstMs());
const sum = (calls: readonly Call[] = []) => calls.reduce((total, call) => total + worstOf(call), 0);

/** Milliseconds one invocation takes at worst under `plan` (one item of its loop, if it has one). */
export function worstCaseMs(plan: CallPlan): number {
  return sum(plan.fixed) + sum(plan.perItem) + sum(plan.after);
}

/** Milliseconds a looping function needs left before it starts one more item. */
export function reserveForItemMs(plan: CallPlan): number {
  return sum(plan.perItem) + sum(plan.after);
}

/** The share of a timeout its worst case may use: the rest is margin (cold start, CPU, clock). */
export const TIMEOUT_HEADROOM = 1.25;

/** A function timeout, in whole seconds (rounded up to ten), that holds `plan`'s worst case with headroom. */
export function timeoutSecondsFor(plan: CallPlan): number {
  const needed = (worstCaseMs(plan) * TIMEOUT_HEADROOM) / 1000 + 5;
  return Math.max(30, Math.ceil(needed / 10) * 10);
}

const secrets = Call.aws;

/**
 * Each function's calls at worst, by handler. Keep in step with the handler: a call added there is a line
 * here (and `test/timeBudget.test.ts` then checks the timeout still fits).
 */
export const CallPlans = {
  validateRequest: { fixed: [] },
  // Reads the service by id; gone → lists the region's services, creates one, lists again after a 409;
  // cross-region, adds the deployment's region to the service found (a PATCH).
  findEndpointService: { fixed: [secrets, Call.atlas, Call.atlas, Call.atlas, Call.atlas, Call.atlas] },
  createVpcEndpoint: { fixed: [Call.aws] },
  registerEndpoint: { fixed: [secrets, Call.atlas] },
  checkEndpoint: { fixed: [Call.aws, secrets, Call.atlas] },
  // The endpoint's groups, then the VPC's CIDRs and the groups' rules side by side (counted one after another).
  checkSecurityGroups: { fixed: [Call.aws, Call.aws, Call.aws] },
  recordAttempt: { fixed: [] },
  // One EC2 read of every known endpoint; per endpoint an Atlas read and delete; one EC2 delete at the end.
  deleteAttempt: { fixed: [secrets, Call.aws], perItem: [Call.atlas, Call.atlas], after: [Call.aws] },
  cleanUp: { fixed: [secrets, Call.aws], perItem: [Call.atlas, Call.atlas], after: [Call.aws] },
  // Lists the clusters (every page, one operation); the endpoint services when a cluster spans regions.
  findConnectionStrings: { fixed: [secrets, Call.atlas, Call.atlas] },
  // Lists the managed endpoints; per ended execution: its status, then its endpoints' removal.
  sweep: {
    fixed: [secrets, Call.aws],
    perItem: [Call.aws, Call.aws, Call.atlas, Call.atlas],
    after: [Call.aws],
  },
  // Starts the execution; the name is taken → reads it back.
  startFromEvent: { fixed: [Call.aws, Call.aws] },
  // The deprovisioning: the request's endpoint (by id) and the provisioning's record, then the endpoint again.
  findProvisioning: { fixed: [Call.aws, Call.aws, Call.aws] },
  // Reads the registration, asks for its deletion once.
  deleteRegistration: { fixed: [secrets, Call.atlas, Call.atlas] },
  // Reads the endpoint, deletes it once.
  deleteVpcEndpoint: { fixed: [Call.aws, Call.aws] },
  // Reads the service, deletes it once.
  deleteEndpointService: { fixed: [secrets, Call.atlas, Call.atlas] },
  recordDeprovisioning: { fixed: [] },
  // DELETE /endpoints/{id}: the provisioning, then a start per generation (a taken name is read back); two shown.
  deleteProvisioning: { fixed: [Call.aws, Call.aws, Call.aws, Call.aws, Call.aws] },
  // GET /endpoints: one page and the endpoints' tags; per provisioning its record and its deprovisioning.
  listProvisionings: { fixed: [Call.aws, Call.aws], perItem: [Call.aws, Call.aws] },
  // The deletion rule's target: the endpoint and its provisioning (for a vpcEndpointId), then the start.
  deleteFromEvent: { fixed: [Call.aws, Call.aws, Call.aws, Call.aws] },
} as const satisfies Record<string, CallPlan>;
export type PlannedHandler = keyof typeof CallPlans;
