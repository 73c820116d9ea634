import { describe, expect, it } from 'vitest';
import { Defaults } from '../../../lambdas/defaults';
import { synthesizeWorkflow } from '../../../local/runner/synthesizedWorkflow';

describe('synthesizeWorkflow', () => {
  it('honours the stackName context everywhere: the state machine, its ARN and the managed-by value', () => {
    // Act
    const workflow = synthesizeWorkflow({ stackName: 'TeamA' });

    // Assess
    expect(workflow.stateMachineName.startsWith('TeamA-')).toBe(true);
    expect(workflow.stateMachineArn).toMatch(/:stateMachine:TeamA-/);
    expect(workflow.functionEnvironment.MANAGED_BY).toBe('TeamA');
    expect(JSON.stringify(workflow.definition)).not.toContain(Defaults.stackName);
  });
});
