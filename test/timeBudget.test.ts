import { beforeAll, describe, expect, it } from 'vitest';
import { DeprovisioningHandlers, WorkflowHandlers } from '../infra/handlers';
import { SdkLimits } from '../lambdas/adapters/sdkLimits';
import { DEFAULT_TIMEOUTS } from '../lambdas/atlas/limits';
import { DEFAULT_RETRY } from '../lambdas/atlas/retryPolicy';
import { atlasOperationWorstMs, awsCallWorstMs, CallPlans, worstCaseMs } from '../lambdas/timeBudget';
import { logicalIdOf, type Synthesized, stateMachineDefinition, synthesize } from './infra/synthesize';

/** The share of its timeout a function's worst case may take at most. */
const MAX_SHARE = 0.85;

let synthesized: Synthesized;
let functionTimeouts: Map<string, number>;

beforeAll(() => {
  synthesized = synthesize();
  const { stack, template } = synthesized;
  const resources = template.findResources('AWS::Lambda::Function');
  const timeoutOf = (construct: { node: { defaultChild?: unknown } }) =>
    resources[logicalIdOf(stack, construct)]?.Properties?.Timeout as number;
  functionTimeouts = new Map(
    [
      ...Object.entries(stack.workflow.functions),
      ...Object.entries(stack.workflow.deprovisioning.functions),
    ].map(([handler, fn]) => [handler, timeoutOf(fn)]),
  );
  functionTimeouts.set('sweep', timeoutOf(stack.sweep.function));
});

describe('the worst case of one call, from the clients’ real limits', () => {
  it('counts every SDK attempt at its request time limit and every pause at its longest', () => {
    const pauses =
      Math.min(SdkLimits.maxDelayMs, SdkLimits.baseDelayMs) +
      Math.min(SdkLimits.maxDelayMs, SdkLimits.baseDelayMs * 2) +
      2 * SdkLimits.retryAfterHintMaxMs;

    expect(SdkLimits.maxAttempts).toBe(3);
    expect(awsCallWorstMs()).toBe(3 * SdkLimits.requestTimeoutMs + pauses);
  });

  it('counts an Atlas operation as its retry deadline, one last exchange and a token request', () => {
    expect(atlasOperationWorstMs()).toBe(DEFAULT_RETRY.deadlineMs + 2 * DEFAULT_TIMEOUTS.requestTimeoutMs);
  });
});

describe('every function fits its worst case inside its Lambda timeout', () => {
  const stepHandlers = [...Object.keys(WorkflowHandlers), ...Object.keys(DeprovisioningHandlers)];

  it('has a call plan for every function of both state machines and the sweep', () => {
    for (const handler of [...stepHandlers, 'sweep']) {
      expect(CallPlans, handler).toHaveProperty(handler);
    }
  });

  it.each([...stepHandlers, 'sweep'])('%s: its worst case takes at most 85 % of its timeout', (handler) => {
    const plan = CallPlans[handler as keyof typeof CallPlans];
    const timeoutSeconds = functionTimeouts.get(handler);

    expect(timeoutSeconds, `${handler} has a timeout`).toBeGreaterThan(0);
    expect(
      worstCaseMs(plan) / 1000,
      `${JSON.stringify(plan)} against ${timeoutSeconds} s`,
    ).toBeLessThanOrEqual((timeoutSeconds as number) * MAX_SHARE);
  });

  it('lets the function time out before its task does, so the retried error is Sandbox.Timedout', () => {
    const { stack } = synthesized;
    for (const [machine, functions] of [
      [stack.workflow.stateMachine, stack.workflow.functions],
      [stack.workflow.deprovisioning.stateMachine, stack.workflow.deprovisioning.functions],
    ] as const) {
      const definition = stateMachineDefinition(synthesized.template, logicalIdOf(stack, machine));
      for (const [handler, fn] of Object.entries(functions)) {
        const arn = `arn:aws:lambda:us-east-1:123456789012:function:${logicalIdOf(stack, fn)}`;
        const tasks = Object.entries(definition.States).filter(([, state]) => state.Resource === arn);
        expect(tasks.length, handler).toBeGreaterThan(0);
        for (const [name, task] of tasks) {
          expect(task.TimeoutSeconds, name).toBeGreaterThan(functionTimeouts.get(handler) as number);
        }
      }
    }
  });
});
