/**
 * What an execution's history proves it created. Tags on a VPC endpoint can be written by anyone allowed
 * `ec2:CreateTags`; the history Step Functions keeps of an execution cannot: the output of its
 * "Create VPC endpoint" state, as Step Functions recorded it, is the workflow's own record of each endpoint
 * EC2 made for it.
 */
import { IdForm } from '../ids';
import { StateNames } from './workflowState';

/** One history event, as much of it as this reads (GetExecutionHistory's `HistoryEvent`). */
export interface HistoryEventView {
  readonly type?: string | undefined;
  readonly stateExitedEventDetails?:
    | { readonly name?: string | undefined; readonly output?: string | undefined }
    | undefined;
}

/** A VPC endpoint an execution's create step produced, with what its state said of it. */
export interface CreatedVpcEndpoint {
  readonly vpcEndpointId: string;
  /** The request's VPC. */
  readonly vpcId?: string;
  /** The endpoint service name the endpoint was created to. */
  readonly serviceName?: string;
  /** Where its Atlas registration is. */
  readonly groupId?: string;
  readonly endpointServiceId?: string;
}

/**
 * The endpoints the create step produced, in the order of the history: one per exit of the state named
 * {@link StateNames.createVpcEndpoint} (its output is the workflow's state, the new endpoint at
 * `attempt.vpcEndpointId`). A create that failed, or timed out after EC2 made the endpoint, never exited
 * the state: its endpoint is not here.
 *
 * @example
 * createdVpcEndpoints(events); // [{ vpcEndpointId: 'vpce-0a…', vpcId: 'vpc-0b…', serviceName: 'com.amazonaws.vpce.…', … }]
 */
export function createdVpcEndpoints(events: readonly HistoryEventView[]): CreatedVpcEndpoint[] {
  const created: CreatedVpcEndpoint[] = [];
  for (const event of events) {
    const details = event.stateExitedEventDetails;
    if (event.type !== 'TaskStateExited' || details?.name !== StateNames.createVpcEndpoint) continue;
    const state = record(parse(details.output));
    const attempt = record(state.attempt);
    const request = record(state.request);
    const service = record(state.service);
    const vpcEndpointId = text(attempt.vpcEndpointId);
    if (!vpcEndpointId || !IdForm.vpcEndpointId.pattern.test(vpcEndpointId)) continue;
    const vpcId = text(request.vpcId);
    const serviceName = text(service.endpointServiceName);
    const groupId = text(request.groupId);
    const endpointServiceId = text(service.endpointServiceId);
    created.push({
      vpcEndpointId,
      ...(vpcId ? { vpcId } : {}),
      ...(serviceName ? { serviceName } : {}),
      ...(groupId ? { groupId } : {}),
      ...(endpointServiceId ? { endpointServiceId } : {}),
    });
  }
  return created;
}

function parse(output: string | undefined): unknown {
  if (output === undefined) return undefined;
  try {
    return JSON.parse(output);
  } catch {
    return undefined;
  }
}

function record(value: unknown): Record<string, unknown> {
  return value && typeof value === 'object' && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/** A string, or undefined; an empty one is left out by every caller, which tests truthiness. */
function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
