/**
 * Deprovisioning, as pure decisions: what a deletion request says, which endpoint it may delete (only one
 * this deployment's own provisioning recorded), what each read during the deletion means, and how a
 * provisioning's life reads as one status. No I/O.
 *
 * The proof of ownership is the provisioning execution's own output (its `vpcEndpointId`, `groupId`,
 * `endpointServiceId`), never a tag alone: tags only lead from a VPC endpoint to the execution that claims it.
 */
import {
  type FieldViolation,
  InvalidRequestError,
  ProvisioningNotDeletableError,
  ProvisioningNotFoundError,
} from '../errors';
import { describeReceived, EXECUTION_ID_EXPECTED, IdForm, isExecutionName } from '../ids';
import { ManagedTag } from './request';

// ---------------------------------------------------------------------------------------------------
// Requests

/** A deletion request, from the API (`DELETE /endpoints/{executionId}`), an event or the console. */
export type DeprovisioningRequest = (
  | { readonly executionId: string; readonly vpcEndpointId?: undefined }
  | { readonly vpcEndpointId: string; readonly executionId?: undefined }
) & {
  /** Delete the project's endpoint service too, when no other endpoint uses it. @default false */
  readonly deleteEndpointService: boolean;
};

const DELETE_ENDPOINT_SERVICE = 'deleteEndpointService';

/**
 * Checks a deletion request: exactly one of `executionId` and `vpcEndpointId`, and `deleteEndpointService`
 * (a boolean, default false); every problem named with its field.
 *
 * @throws InvalidRequestError listing every violation.
 * @example
 * parseDeprovisioningRequest({ executionId: 'key-3f…' }); // { executionId: 'key-3f…', deleteEndpointService: false }
 */
export function parseDeprovisioningRequest(input: unknown): DeprovisioningRequest {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new InvalidRequestError([
      {
        field: '(request)',
        message: `expected a JSON object {executionId} or {vpcEndpointId}, got ${describeReceived(input)}`,
      },
    ]);
  }
  const body = input as Record<string, unknown>;
  const violations: FieldViolation[] = unknownFields(body, [
    'executionId',
    'vpcEndpointId',
    DELETE_ENDPOINT_SERVICE,
  ]);
  const deleteEndpointService = booleanField(body, violations);
  const hasExecution = body.executionId !== undefined;
  const hasEndpoint = body.vpcEndpointId !== undefined;
  if (hasExecution && hasEndpoint) {
    violations.push({
      field: 'vpcEndpointId',
      message: 'give either executionId or vpcEndpointId, not both',
    });
  } else if (!hasExecution && !hasEndpoint) {
    violations.push({
      field: 'executionId',
      message: 'expected either executionId (the provisioning to delete) or vpcEndpointId (its VPC endpoint)',
    });
  } else if (hasExecution && !isExecutionName(body.executionId)) {
    violations.push({
      field: 'executionId',
      message: `expected ${EXECUTION_ID_EXPECTED}, got ${describeReceived(body.executionId)}`,
    });
  } else if (hasEndpoint && !IdForm.vpcEndpointId.pattern.test(String(body.vpcEndpointId))) {
    violations.push({
      field: 'vpcEndpointId',
      message: `expected ${IdForm.vpcEndpointId.expected}, got ${describeReceived(body.vpcEndpointId)}`,
    });
  }
  if (violations.length > 0) throw new InvalidRequestError(violations);
  return hasExecution
    ? { executionId: body.executionId as string, deleteEndpointService }
    : { vpcEndpointId: body.vpcEndpointId as string, deleteEndpointService };
}

/**
 * Checks the optional body of `DELETE /endpoints/{executionId}`: nothing, or `{ deleteEndpointService }`.
 *
 * @throws InvalidRequestError naming each bad field.
 */
export function parseDeletionOptions(body: unknown): { readonly deleteEndpointService: boolean } {
  if (body === undefined || body === null) return { deleteEndpointService: false };
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new InvalidRequestError([
      {
        field: '(body)',
        message: `expected nothing or a JSON object {deleteEndpointService}, got ${describeReceived(body)}`,
      },
    ]);
  }
  const record = body as Record<string, unknown>;
  const violations = unknownFields(record, [DELETE_ENDPOINT_SERVICE]);
  const deleteEndpointService = booleanField(record, violations);
  if (violations.length > 0) throw new InvalidRequestError(violations);
  return { deleteEndpointService };
}

function unknownFields(body: Record<string, unknown>, known: readonly string[]): FieldViolation[] {
  return Object.keys(body)
    .filter((key) => !known.includes(key))
    .map((key) => ({ field: key, message: `unknown field; expected only ${known.join(', ')}` }));
}

function booleanField(body: Record<string, unknown>, violations: FieldViolation[]): boolean {
  const value = body[DELETE_ENDPOINT_SERVICE];
  if (value === undefined) return false;
  if (typeof value !== 'boolean') {
    violations.push({
      field: DELETE_ENDPOINT_SERVICE,
      message: `expected true or false, got ${describeReceived(value)}`,
    });
    return false;
  }
  return value;
}

/**
 * The name of the deprovisioning of a provisioning: one per provisioning, so that the API, an event and a
 * repeat of either find the same one (later generations, after a failure, add `-2`, `-3`, …).
 */
export function deprovisioningNameFor(executionId: string, hash: (text: string) => string): string {
  return `del-${hash(`deprovision:${executionId}`).slice(0, 40)}`;
}

// ---------------------------------------------------------------------------------------------------
// Proof: which endpoint a request may delete

/** What a deprovisioning deletes, every part of it from the provisioning's own output. */
export interface DeprovisioningTarget {
  readonly executionId: string;
  /** The provisioning's execution ARN: the execution tag its endpoint carries. */
  readonly executionArn: string;
  readonly groupId: string;
  readonly endpointServiceId: string;
  readonly vpcEndpointId: string;
}

/** A provisioning execution as Step Functions describes it. */
export interface ProvisioningRecord {
  readonly executionArn: string;
  readonly name: string;
  readonly status: string;
  readonly output?: unknown;
}

const STILL_RUNNING: ReadonlySet<string> = new Set(['RUNNING', 'PENDING_REDRIVE']);

/**
 * The endpoint a provisioning created, proven by its own output: the execution must have SUCCEEDED (a
 * running one is not done; a failed one removed what it made) and recorded the endpoint. With
 * `vpcEndpointId`, the request named an endpoint: it must be the very one the execution recorded.
 *
 * @throws ProvisioningNotFoundError when there is no such provisioning, or it did not create that endpoint.
 * @throws ProvisioningNotDeletableError naming the status when it is running or did not succeed.
 */
export function provenTarget(
  provisioning: ProvisioningRecord | undefined,
  requested: { readonly executionId: string; readonly vpcEndpointId?: string },
): DeprovisioningTarget {
  const { executionId } = requested;
  if (!provisioning) {
    throw new ProvisioningNotFoundError(`no provisioning ${JSON.stringify(executionId)} in this deployment`);
  }
  if (STILL_RUNNING.has(provisioning.status)) {
    throw new ProvisioningNotDeletableError(
      `provisioning ${executionId} is ${provisioning.status}: wait until it ends, then delete it`,
      provisioning.status,
    );
  }
  if (provisioning.status !== 'SUCCEEDED') {
    throw new ProvisioningNotDeletableError(
      `provisioning ${executionId} is ${provisioning.status}: a provisioning that did not succeed removed what it created (the sweep removes what a crash left); there is nothing to delete`,
      provisioning.status,
    );
  }
  const output = provisioning.output as Record<string, unknown> | undefined;
  const vpcEndpointId = output?.vpcEndpointId;
  const groupId = output?.groupId;
  const endpointServiceId = output?.endpointServiceId;
  if (
    typeof vpcEndpointId !== 'string' ||
    !IdForm.vpcEndpointId.pattern.test(vpcEndpointId) ||
    typeof groupId !== 'string' ||
    !IdForm.groupId.pattern.test(groupId) ||
    typeof endpointServiceId !== 'string' ||
    !IdForm.endpointServiceId.pattern.test(endpointServiceId)
  ) {
    throw new ProvisioningNotDeletableError(
      `provisioning ${executionId} SUCCEEDED but its output records no endpoint (vpcEndpointId, groupId, endpointServiceId): nothing it proves it made`,
      provisioning.status,
    );
  }
  if (requested.vpcEndpointId !== undefined && requested.vpcEndpointId !== vpcEndpointId) {
    throw new ProvisioningNotFoundError(
      `${requested.vpcEndpointId} is not the endpoint provisioning ${executionId} recorded (${vpcEndpointId}): not one this deployment can prove it created`,
    );
  }
  return { executionId, executionArn: provisioning.executionArn, groupId, endpointServiceId, vpcEndpointId };
}

/** A VPC endpoint as EC2 describes it: its tags lead to the execution that claims it. */
export interface EndpointTags {
  readonly vpcEndpointId: string;
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * The execution that claims a VPC endpoint, by its tags: only an endpoint carrying this deployment's
 * managed-by value is considered. The claim is then checked against that execution's output
 * ({@link provenTarget}): a tag finds, it does not prove.
 *
 * @throws ProvisioningNotFoundError when EC2 does not know the endpoint or it is not this deployment's.
 */
export function claimedBy(
  endpoint: EndpointTags | undefined,
  vpcEndpointId: string,
  managedBy: string,
  provisionings: { nameOf(executionArn: string): string | undefined },
): string {
  if (!endpoint) throw new ProvisioningNotFoundError(`EC2 knows no VPC endpoint ${vpcEndpointId}`);
  const executionArn = endpoint.tags[ManagedTag.execution];
  const execution = executionArn === undefined ? undefined : provisionings.nameOf(executionArn);
  if (endpoint.tags[ManagedTag.managedBy] !== managedBy || execution === undefined) {
    throw new ProvisioningNotFoundError(
      `${vpcEndpointId} was not created by this deployment (it lacks ${ManagedTag.managedBy}=${managedBy} and the ARN of one of its provisionings as execution tag)`,
    );
  }
  return execution;
}

/**
 * Refuses to touch a VPC endpoint that EC2 shows with another deployment's (or another execution's) tags
 * than the provisioning recorded: the ids match, the endpoint is not what the record says. An endpoint EC2
 * no longer shows is fine: it is gone already.
 *
 * @throws ProvisioningNotFoundError
 */
export function confirmTags(
  endpoint: EndpointTags | undefined,
  target: DeprovisioningTarget,
  managedBy: string,
): void {
  if (!endpoint) return;
  if (
    endpoint.tags[ManagedTag.managedBy] !== managedBy ||
    endpoint.tags[ManagedTag.execution] !== target.executionArn
  ) {
    throw new ProvisioningNotFoundError(
      `${target.vpcEndpointId} carries tags of another deployment or execution than provisioning ${target.executionId}: not deleted`,
    );
  }
}

// ---------------------------------------------------------------------------------------------------
// Deletion, step by step

/** Where one deletion loop stands. */
export interface DeletionProgress {
  readonly passes: number;
  /** Epoch ms of the first pass. */
  readonly startedAt: number;
  readonly done: boolean;
  /** What the last read showed: `GONE`, `DELETING`, or the state it was found in before the delete was asked. */
  readonly observed: string;
}

/** What the Atlas registration's read says to do: nothing (gone), ask for its deletion, or wait. */
export function registrationStep(
  registration: { readonly connectionStatus: string; readonly deleteRequested: boolean } | undefined,
): 'GONE' | 'DELETE' | 'WAIT' {
  if (!registration) return 'GONE';
  return registration.deleteRequested || registration.connectionStatus === 'DELETING' ? 'WAIT' : 'DELETE';
}

const EC2_GONE: ReadonlySet<string> = new Set(['deleted', 'missing']);

/** What the VPC endpoint's EC2 state says to do: nothing (`deleted`, or EC2 forgot it), ask for its deletion, or wait. */
export function vpcEndpointStep(state: string | undefined): 'GONE' | 'DELETE' | 'WAIT' {
  const s = (state ?? 'missing').toLowerCase();
  if (EC2_GONE.has(s)) return 'GONE';
  return s === 'deleting' ? 'WAIT' : 'DELETE';
}

/** What became of the endpoint service. */
export const ServiceOutcome = {
  /** This deprovisioning deleted it. */
  DELETED: 'DELETED',
  /** Left in place: not asked to delete it, or other endpoints use it. */
  KEPT: 'KEPT',
  /** Atlas had removed it already (it may go with its last endpoint). */
  GONE: 'GONE',
} as const;
export type ServiceOutcome = (typeof ServiceOutcome)[keyof typeof ServiceOutcome];

/** Where the endpoint service's deletion stands. */
export interface ServiceRemoval {
  readonly passes: number;
  readonly startedAt: number;
  readonly done: boolean;
  readonly requested: boolean;
  readonly outcome?: ServiceOutcome;
  readonly reason?: string;
}

/**
 * What the endpoint service's read says to do: leave it while other endpoints use it (ours is gone, so any
 * id listed is another's), ask for its deletion, wait while Atlas deletes it, or report it gone.
 */
export function endpointServiceStep(
  service: { readonly status?: string; readonly interfaceEndpoints: readonly string[] } | undefined,
  ownVpcEndpointId: string,
  requested: boolean,
): {
  readonly step: 'DONE' | 'DELETE' | 'WAIT';
  readonly outcome?: ServiceOutcome;
  readonly reason?: string;
} {
  if (!service) {
    return requested
      ? { step: 'DONE', outcome: ServiceOutcome.DELETED }
      : {
          step: 'DONE',
          outcome: ServiceOutcome.GONE,
          reason: 'Atlas had removed it already (with its last endpoint)',
        };
  }
  if (service.status === 'DELETING') return { step: 'WAIT' };
  const others = service.interfaceEndpoints.filter((id) => id !== ownVpcEndpointId);
  if (others.length > 0) {
    return {
      step: 'DONE',
      outcome: ServiceOutcome.KEPT,
      reason: `other endpoints use it: ${others.slice(0, 5).join(', ')}${others.length > 5 ? ', …' : ''}`,
    };
  }
  // Atlas may list the endpoint a moment after it answered 404 for it: Atlas would refuse the delete (409).
  if (service.interfaceEndpoints.length > 0) return { step: 'WAIT' };
  // Asked before but not DELETING: ask again (a delete is idempotent).
  return { step: 'DELETE' };
}

// ---------------------------------------------------------------------------------------------------
// Outcome and status

/** The deprovisioning's output, and the detail of `Atlas Private Endpoint Deleted`. */
export interface DeprovisioningResult {
  readonly status: 'DELETED';
  /** The provisioning that created the endpoint. */
  readonly executionId: string;
  readonly deprovisioningId: string;
  readonly groupId: string;
  readonly endpointServiceId: string;
  readonly vpcEndpointId: string;
  readonly endpointService: { readonly outcome: ServiceOutcome; readonly reason?: string };
  readonly durationSeconds: number;
}

/** The detail of `Atlas Private Endpoint Deletion Failed`, and where the Fail state reads Error and Cause. */
export interface DeprovisioningFailure {
  readonly status: 'FAILED';
  readonly deprovisioningId: string;
  readonly executionId: string | null;
  readonly vpcEndpointId: string | null;
  readonly error: string;
  readonly cause: string;
}

/** The life of a provisioning, as `GET /endpoints` reports it. */
export const LifecycleStatus = {
  PROVISIONING: 'PROVISIONING',
  AVAILABLE: 'AVAILABLE',
  FAILED: 'FAILED',
  DELETING: 'DELETING',
  DELETED: 'DELETED',
} as const;
export type LifecycleStatus = (typeof LifecycleStatus)[keyof typeof LifecycleStatus];

/**
 * One status for a provisioning and its deprovisioning (if any): running → PROVISIONING; ended without
 * success → FAILED; succeeded → AVAILABLE, DELETING while a deprovisioning runs (or after one failed: what it
 * left is removed by a new DELETE or the sweep), DELETED once one succeeded.
 */
export function lifecycleStatus(provisioningStatus: string, deprovisioningStatus?: string): LifecycleStatus {
  if (STILL_RUNNING.has(provisioningStatus)) return LifecycleStatus.PROVISIONING;
  if (provisioningStatus !== 'SUCCEEDED') return LifecycleStatus.FAILED;
  if (deprovisioningStatus === undefined) return LifecycleStatus.AVAILABLE;
  return deprovisioningStatus === 'SUCCEEDED' ? LifecycleStatus.DELETED : LifecycleStatus.DELETING;
}

/** The input a deprovisioning of a proven provisioning is started with, whatever asked for it. */
export function deprovisioningInput(
  executionId: string,
  deleteEndpointService: boolean,
): { readonly executionId: string; readonly deleteEndpointService: boolean } {
  return { executionId, deleteEndpointService };
}
