/**
 * What an execution's history proves it created: only the exits of "Create VPC endpoint", read defensively
 * (a history event is Step Functions' record, but its output is the workflow's JSON, whatever shape it took).
 */
import { describe, expect, it } from 'vitest';
import { createdVpcEndpoints, type HistoryEventView } from '../../lambdas/domain/executionHistory';
import { StateNames } from '../../lambdas/domain/workflowState';

const VPCE = 'vpce-0123456789abcdef0';
const VPC = 'vpc-0123456789abcdef0';
const SERVICE_NAME = 'com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0';

const state = {
  request: { groupId: '5f0c1a2b3c4d5e6f7a8b9c0d', vpcId: VPC },
  service: { endpointServiceId: '6b0a0000000000000000abcd', endpointServiceName: SERVICE_NAME },
  attempt: { vpcEndpointId: VPCE },
};
const exit = (output: unknown, name: string = StateNames.createVpcEndpoint): HistoryEventView => ({
  type: 'TaskStateExited',
  stateExitedEventDetails: { name, output: typeof output === 'string' ? output : JSON.stringify(output) },
});

describe('createdVpcEndpoints', () => {
  it('reads the endpoint, its VPC, service and project from an exit of the create state', () => {
    expect(createdVpcEndpoints([exit(state)])).toStrictEqual([
      {
        vpcEndpointId: VPCE,
        vpcId: VPC,
        serviceName: SERVICE_NAME,
        groupId: '5f0c1a2b3c4d5e6f7a8b9c0d',
        endpointServiceId: '6b0a0000000000000000abcd',
      },
    ]);
  });

  it('reads nothing from another state’s exit, nor from the create state’s entry', () => {
    const entered: HistoryEventView = { ...exit(state), type: 'TaskStateEntered' };
    expect(createdVpcEndpoints([exit(state, 'Register with Atlas'), entered])).toStrictEqual([]);
  });

  it('skips an exit event without details, and outputs that are missing, not JSON or not records', () => {
    const events: HistoryEventView[] = [
      { type: 'TaskStateExited' },
      { type: 'TaskStateExited', stateExitedEventDetails: { name: StateNames.createVpcEndpoint } },
      exit('{not json'),
      exit('null'),
      exit({ ...state, attempt: null }),
      exit({ ...state, attempt: [VPCE] }),
      exit({ ...state, attempt: { vpcEndpointId: 'sg-0123456789abcdef0' } }),
    ];
    expect(createdVpcEndpoints(events)).toStrictEqual([]);
  });

  it('leaves out what the state holds in the wrong shape, keeping the endpoint', () => {
    const odd = { ...state, request: { vpcId: [VPC], groupId: '' }, service: null };
    expect(createdVpcEndpoints([exit(odd)])).toStrictEqual([{ vpcEndpointId: VPCE }]);
  });
});
