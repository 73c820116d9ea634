import { beforeAll, describe, expect, it } from 'vitest';
import { WorkflowEvents } from '../../infra/events';
import type { DeprovisioningHandler } from '../../infra/handlers';
import { AtlasRateLimitRetry } from '../../infra/steps';
import { ManagedTag } from '../../lambdas/domain/request';
import { ErrorName, LAMBDA_INVOCATION_ERROR_NAMES, RETRYABLE_ERROR_NAMES } from '../../lambdas/errors';
import { ApiEnv } from '../../lambdas/handlers/environment';
import {
  type AslDefinition,
  actionsOf,
  aslValidator,
  logicalIdOf,
  resourcesOf,
  type Synthesized,
  stateMachineDefinition,
  statementsOfFunction,
  synthesize,
} from './synthesize';

let synthesized: Synthesized;
let definition: AslDefinition;
/** Task state name → the deprovisioning handler it invokes. */
let handlerOfState: Map<string, DeprovisioningHandler>;

beforeAll(() => {
  synthesized = synthesize();
  const { stack } = synthesized;
  definition = stateMachineDefinition(
    synthesized.template,
    logicalIdOf(stack, stack.workflow.deprovisioning.stateMachine),
  );
  const handlerByArn = new Map(
    Object.entries(stack.workflow.deprovisioning.functions).map(([handler, fn]) => [
      `arn:aws:lambda:us-east-1:123456789012:function:${logicalIdOf(stack, fn)}`,
      handler as DeprovisioningHandler,
    ]),
  );
  handlerOfState = new Map(
    Object.entries(definition.States)
      .filter(([, state]) => handlerByArn.has(String(state.Resource)))
      .map(([name, state]) => [name, handlerByArn.get(String(state.Resource)) as DeprovisioningHandler]),
  );
});

/** The states reached from `from` by Next/Default/Choices, breadth first (Catch targets left out). */
function reachable(from: string): string[] {
  const seen = [from];
  for (let i = 0; i < seen.length; i += 1) {
    const state = definition.States[seen[i] as string];
    const next = [state?.Next, state?.Default, ...(state?.Choices ?? []).map((c) => c.Next)];
    for (const n of next) if (typeof n === 'string' && !seen.includes(n)) seen.push(n);
  }
  return seen;
}

describe('GIVEN the synthesized deprovisioning', () => {
  describe('WHEN reading its definition', () => {
    it('THEN it passes asl-validator, ARNs and paths checked', () => {
      const result = aslValidator(definition, { checkArn: true, checkPaths: true });

      expect(result.errorsText('\n')).toBe('');
      expect(result.isValid).toBe(true);
    });

    it('THEN it proves the provisioning first, then deletes the registration before the VPC endpoint, and the service last', () => {
      const order = reachable(definition.StartAt);

      expect(definition.StartAt).toBe('Find provisioning');
      expect(order.indexOf('Delete Atlas registration')).toBeLessThan(order.indexOf('Delete VPC endpoint'));
      expect(order.indexOf('Delete VPC endpoint')).toBeLessThan(order.indexOf('Delete endpoint service?'));
      // The VPC endpoint is reached only through "Registration gone?" saying so.
      const gone = definition.States['Registration gone?'];
      expect(gone?.Choices?.map((c) => c.Next)).toEqual(['Start deleting the VPC endpoint']);
      expect(gone?.Default).toBe('Wait for the registration to go');
      expect(order).toContain('Publish deleted event');
    });

    it('THEN every Lambda task retries like the provisioning: Lambda-level faults, Atlas 429s on their own schedule, the other retryable errors', () => {
      expect([...new Set(handlerOfState.values())].sort()).toEqual(
        Object.keys(synthesized.stack.workflow.deprovisioning.functions).sort(),
      );
      const sorted = (errors: readonly string[]) => JSON.stringify([...errors].sort());
      for (const [name] of handlerOfState) {
        const retries = definition.States[name]?.Retry ?? [];
        const retrying = (errors: readonly string[]) =>
          retries.find((r) => sorted(r.ErrorEquals) === sorted(errors));
        expect(retrying(LAMBDA_INVOCATION_ERROR_NAMES), name).toMatchObject({
          BackoffRate: 2,
          MaxAttempts: 6,
          JitterStrategy: 'FULL',
        });
        expect(retrying([ErrorName.AtlasRateLimited]), name).toMatchObject({
          IntervalSeconds: AtlasRateLimitRetry.intervalSeconds,
          MaxAttempts: AtlasRateLimitRetry.maxAttempts,
          JitterStrategy: 'FULL',
        });
        expect(
          retrying(RETRYABLE_ERROR_NAMES.filter((e) => e !== ErrorName.AtlasRateLimited)),
          name,
        ).toMatchObject({ BackoffRate: 2, MaxAttempts: 5, JitterStrategy: 'FULL' });
      }
    });

    it('THEN every deletion task that fails for good is caught into the failure record and event, then fails', () => {
      for (const name of ['Delete Atlas registration', 'Delete VPC endpoint', 'Delete endpoint service']) {
        expect(
          definition.States[name]?.Catch?.map((c) => c.Next),
          name,
        ).toEqual(['Record deprovisioning failure']);
      }
      expect(reachable('Record deprovisioning failure')).toEqual([
        'Record deprovisioning failure',
        'Publish deletion failed event',
        'Deprovisioning failed',
      ]);
      expect(definition.States['Deprovisioning failed']?.Type).toBe('Fail');
    });

    it(`THEN it publishes "${WorkflowEvents.deleted}" and "${WorkflowEvents.deletionFailed}"`, () => {
      const detailTypes = Object.values(definition.States).flatMap((s) =>
        ((s.Parameters?.Entries ?? []) as { DetailType?: string }[]).map((e) => e.DetailType),
      );

      expect(detailTypes.sort()).toEqual([WorkflowEvents.deleted, WorkflowEvents.deletionFailed].sort());
    });

    it('THEN the execution has its own timeout besides every loop bound', () => {
      expect(definition.TimeoutSeconds).toBeGreaterThan(0);
    });
  });

  describe('WHEN reading its permissions', () => {
    it('THEN only deleteVpcEndpoint may delete VPC endpoints, and only those carrying the managed-by tag', () => {
      const { stack, template } = synthesized;
      const deleters = Object.entries(stack.workflow.deprovisioning.functions).filter(([, fn]) =>
        statementsOfFunction(template, logicalIdOf(stack, fn))
          .flatMap(actionsOf)
          .includes('ec2:DeleteVpcEndpoints'),
      );

      expect(deleters.map(([h]) => h)).toEqual(['deleteVpcEndpoint']);
      const [statement] = statementsOfFunction(
        template,
        logicalIdOf(stack, stack.workflow.deprovisioning.functions.deleteVpcEndpoint),
      ).filter((s) => actionsOf(s).includes('ec2:DeleteVpcEndpoints'));
      expect(statement?.Condition).toStrictEqual({
        StringEquals: { [`aws:ResourceTag/${ManagedTag.managedBy}`]: stack.workflow.managedBy },
      });
    });

    it('THEN Find provisioning reads only the provisioning state machine’s executions', () => {
      const { stack, template } = synthesized;
      const find = stack.workflow.deprovisioning.functions.findProvisioning;
      const states = statementsOfFunction(template, logicalIdOf(stack, find)).filter((s) =>
        actionsOf(s).some((a) => a.startsWith('states:')),
      );

      expect(states.flatMap(actionsOf)).toEqual(['states:DescribeExecution']);
      expect(resourcesOf(states[0]!, template).join()).toContain(
        logicalIdOf(stack, stack.workflow.stateMachine),
      );
      const variables =
        template.toJSON().Resources[logicalIdOf(stack, find)].Properties.Environment.Variables;
      expect(variables[ApiEnv.stateMachineArn]).toEqual({
        Ref: logicalIdOf(stack, stack.workflow.stateMachine),
      });
    });

    it('THEN only the Atlas-calling steps may read the Atlas secret', () => {
      const { stack, template } = synthesized;
      const readers = Object.entries(stack.workflow.deprovisioning.functions)
        .filter(([, fn]) =>
          statementsOfFunction(template, logicalIdOf(stack, fn))
            .flatMap(actionsOf)
            .includes('secretsmanager:GetSecretValue'),
        )
        .map(([h]) => h)
        .sort();

      expect(readers).toEqual(['deleteEndpointService', 'deleteRegistration']);
    });
  });
});
