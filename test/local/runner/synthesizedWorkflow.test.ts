import { beforeAll, describe, expect, it } from 'vitest';
import { Defaults } from '../../../lambdas/defaults';
import { type SynthesizedWorkflow, synthesizeWorkflow } from '../../../local/runner/synthesizedWorkflow';

let workflow: SynthesizedWorkflow;

beforeAll(() => {
  // A whole synthesis: as long as the other infra tests' (a cold aws-cdk-lib load included).
  workflow = synthesizeWorkflow({ stackName: 'TeamA' });
}, 120_000);

describe('synthesizeWorkflow, given the stackName context', () => {
  it('honours it everywhere: the state machine, its ARN and the managed-by value', () => {
    expect(workflow.stateMachineName.startsWith('TeamA-')).toBe(true);
    expect(workflow.stateMachineArn).toMatch(/:stateMachine:TeamA-/);
    expect(workflow.functionEnvironment.MANAGED_BY).toMatch(/^TeamA-[0-9a-f]{8}$/);
    expect(JSON.stringify(workflow.definition)).not.toContain(Defaults.stackName);
  });
});
