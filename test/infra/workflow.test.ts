import { beforeAll, describe, expect, it } from 'vitest';
import { AtlasRateLimitRetry, WorkflowEvents } from '../../infra/AtlasPrivateEndpointWorkflow';
import type { WorkflowHandler } from '../../infra/handlers';
import { ManagedTag } from '../../lambdas/domain/request';
import { ErrorName, LAMBDA_INVOCATION_ERROR_NAMES, RETRYABLE_ERROR_NAMES } from '../../lambdas/errors';
import { RuntimeEnv } from '../../lambdas/handlers/runtime';
import {
  type AslDefinition,
  type AslState,
  actionsOf,
  allStatements,
  aslValidator,
  DEMO_ALLOW_LISTS,
  logicalIdOf,
  render,
  resourcesOf,
  type Synthesized,
  stateMachineDefinition,
  statementsOfFunction,
  synthesize,
} from './synthesize';

let synthesized: Synthesized;
let definition: AslDefinition;
/** Task state name → the workflow handler it invokes, found through the function ARNs in the definition. */
let handlerOfState: Map<string, WorkflowHandler>;

beforeAll(() => {
  synthesized = synthesize();
  const { stack } = synthesized;
  definition = stateMachineDefinition(synthesized.template, logicalIdOf(stack, stack.workflow.stateMachine));
  const handlerByArn = new Map(
    Object.entries(stack.workflow.functions).map(([handler, fn]) => [
      `arn:aws:lambda:us-east-1:123456789012:function:${logicalIdOf(stack, fn)}`,
      handler as WorkflowHandler,
    ]),
  );
  handlerOfState = new Map(
    Object.entries(definition.States).flatMap(([name, state]) => {
      const handler = state.Resource ? handlerByArn.get(state.Resource) : undefined;
      return handler ? [[name, handler] as const] : [];
    }),
  );
});

const state = (name: string): AslState => {
  const found = definition.States[name];
  if (!found)
    throw new Error(`no state named "${name}"; states: ${Object.keys(definition.States).join(', ')}`);
  return found;
};
const lambdaTasks = () => [...handlerOfState.keys()];
const STEP_HANDLERS: readonly WorkflowHandler[] = [
  'validateRequest',
  'findEndpointService',
  'createVpcEndpoint',
  'registerEndpoint',
  'checkEndpoint',
  'checkSecurityGroups',
  'recordAttempt',
  'deleteAttempt',
  'cleanUp',
  'findConnectionStrings',
];

describe('GIVEN the synthesized workflow', () => {
  describe('WHEN reading its state machine resource', () => {
    it('THEN there are two STANDARD state machines (provisioning, deprovisioning), traced, logging ALL with execution data', () => {
      const machines = Object.values(synthesized.template.findResources('AWS::StepFunctions::StateMachine'));

      expect(machines).toHaveLength(2);
      for (const machine of machines) {
        expect(machine.Properties).toMatchObject({
          StateMachineType: 'STANDARD',
          TracingConfiguration: { Enabled: true },
          LoggingConfiguration: { Level: 'ALL', IncludeExecutionData: true },
        });
      }
    });

    it('THEN the definition passes asl-validator, ARNs and paths checked', () => {
      const result = aslValidator(definition, { checkArn: true, checkPaths: true });

      expect(result.errorsText('\n')).toBe('');
      expect(result.isValid).toBe(true);
    });

    it('THEN the execution has its own timeout besides every loop bound', () => {
      expect(definition.TimeoutSeconds).toBeGreaterThan(21_600);
    });
  });

  describe('WHEN reading the states', () => {
    it('THEN they carry human names, starting with "Validate request"', () => {
      expect(definition.StartAt).toBe('Validate request');
      expect(Object.keys(definition.States)).toEqual(
        expect.arrayContaining([
          'Validate request',
          'Find endpoint service',
          'Endpoint service available?',
          'Wait for endpoint service',
          'Create VPC endpoint',
          'Register with Atlas',
          'Wait before checking',
          'Check endpoint',
          'Endpoint available?',
          'Record success',
          'Publish available event',
          'Endpoint available',
          'Record failed attempt',
          'Publish attempt failed event',
          'Start deletion',
          'Delete attempt',
          'Attempt deleted?',
          'Wait for deletion',
          'Attempts left?',
          'Read endpoint service again',
          'Give up',
          'Request rejected',
          'Start clean-up',
          'Clean up',
          'Clean-up finished?',
          'Wait for clean-up',
          'Clean-up failed',
          'Publish failure event',
          'Provisioning failed',
        ]),
      );
    });

    it('THEN every workflow function is invoked by some task', () => {
      expect([...new Set(handlerOfState.values())].sort()).toStrictEqual([...STEP_HANDLERS].sort());
    });

    it.each([
      ['Endpoint service available?', '$.service.next', 'Create VPC endpoint', 'Wait for endpoint service'],
      ['Endpoint available?', '$.attempt.poll.verdict', 'Check security groups', 'Wait before checking'],
      ['Attempts left?', '$.history.attemptsLeft', 'Read endpoint service again', 'Give up'],
      ['Attempt deleted?', '$.deletion.done', 'Attempts left?', 'Wait for deletion'],
      ['Clean-up finished?', '$.cleanup.done', 'Publish failure event', 'Wait for clean-up'],
    ])('THEN the Choice "%s" branches on %s, to "%s", else "%s"', (name, variable, first, otherwise) => {
      const choice = state(name);

      expect(choice.Type).toBe('Choice');
      expect(choice.Choices?.every((c) => c.Variable === variable)).toBe(true);
      expect(choice.Choices?.[0]?.Next).toBe(first);
      expect(choice.Default).toBe(otherwise);
    });

    it('THEN "Endpoint available?" sends AVAILABLE to success, REMEDIATE to remediation, the rest back to waiting', () => {
      expect(state('Endpoint available?').Choices).toStrictEqual([
        { Variable: '$.attempt.poll.verdict', StringEquals: 'AVAILABLE', Next: 'Check security groups' },
        { Variable: '$.attempt.poll.verdict', StringEquals: 'REMEDIATE', Next: 'Record failed attempt' },
      ]);
    });

    it('THEN each new attempt reads the endpoint service again, from its id and region, with a fresh wait', () => {
      expect(state('Read endpoint service again')).toMatchObject({
        Type: 'Pass',
        Parameters: {
          checks: 0,
          'endpointServiceId.$': '$.service.endpointServiceId',
          'region.$': '$.service.region',
        },
        ResultPath: '$.service',
        Next: 'Find endpoint service',
      });
    });

    it('THEN each poll loop waits as long as its handler said', () => {
      expect(state('Wait for endpoint service')).toMatchObject({
        Type: 'Wait',
        SecondsPath: '$.service.waitSeconds',
      });
      expect(state('Wait before checking')).toMatchObject({
        Type: 'Wait',
        SecondsPath: '$.attempt.poll.waitSeconds',
      });
      expect(state('Wait before checking').Next).toBe('Check endpoint');
      expect(state('Wait for connection strings')).toMatchObject({
        Type: 'Wait',
        SecondsPath: '$.strings.waitSeconds',
        Next: 'Look for connection strings',
      });
    });

    it('THEN after "Record success" it looks for connection strings until DONE, then publishes', () => {
      expect(state('Record success').Next).toBe('Start looking for connection strings');
      expect(state('Start looking for connection strings')).toMatchObject({
        Type: 'Pass',
        Result: { reads: 0 },
        ResultPath: '$.strings',
        Next: 'Look for connection strings',
      });
      expect(state('Look for connection strings')).toMatchObject({
        ResultPath: '$.strings',
        Parameters: expect.objectContaining({
          'timeoutSeconds.$': '$.request.connectionStringTimeoutSeconds',
          'vpcEndpointId.$': '$.attempt.vpcEndpointId',
          'strings.$': '$.strings',
        }),
        Next: 'Connection strings ready?',
      });
      expect(state('Connection strings ready?')).toMatchObject({
        Choices: [{ Variable: '$.strings.next', StringEquals: 'DONE', Next: 'Publish available event' }],
        Default: 'Wait for connection strings',
      });
      expect(state('Endpoint available')).toMatchObject({ Type: 'Succeed', OutputPath: '$.strings.result' });
    });
  });

  describe('WHEN reading the error handling', () => {
    it('THEN "Validate request" sends any error to "Request rejected", which goes on to clean-up', () => {
      expect(state('Validate request').Catch).toStrictEqual([
        // No ResultPath: the default, "$", makes the error the whole state (the input may not be an object).
        { ErrorEquals: ['States.ALL'], Next: 'Request rejected' },
      ]);
      expect(state('Request rejected').Next).toBe('Start clean-up');
    });

    it('THEN every Lambda task after validation catches any error into "Start clean-up" (but clean-up and the steps after AVAILABLE)', () => {
      const after = lambdaTasks().filter(
        (name) =>
          !['Validate request', 'Clean up', 'Check security groups', 'Look for connection strings'].includes(
            name,
          ),
      );
      expect(after.sort()).toStrictEqual(
        [
          'Find endpoint service',
          'Create VPC endpoint',
          'Register with Atlas',
          'Check endpoint',
          'Record success',
          'Record failed attempt',
          'Delete attempt',
        ].sort(),
      );
      for (const name of after) {
        expect({ name, Catch: state(name).Catch }).toStrictEqual({
          name,
          Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'Start clean-up' }],
        });
      }
    });

    it('THEN "Check security groups" catches its failure into a warning, and the provisioning still succeeds', () => {
      expect(state('Check security groups').Catch).toStrictEqual([
        {
          ErrorEquals: ['States.ALL'],
          ResultPath: '$.securityGroupCheckError',
          Next: 'Security groups not checked',
        },
      ]);
      expect(state('Security groups not checked')).toMatchObject({
        Type: 'Pass',
        ResultPath: '$.securityGroupCheck',
        Next: 'Record success',
      });
      expect(state('Check security groups').Next).toBe('Record success');
    });

    it('THEN a failure to read the clusters after AVAILABLE never cleans up: it still publishes and succeeds, saying why', () => {
      expect(state('Look for connection strings').Catch).toStrictEqual([
        {
          ErrorEquals: ['States.ALL'],
          ResultPath: '$.strings.failure',
          Next: 'Connection strings unavailable',
        },
      ]);
      expect(state('Connection strings unavailable')).toMatchObject({
        Type: 'Pass',
        ResultPath: '$.strings.outcome',
        Parameters: { connectionStrings: [], clustersNotCovered: [] },
        Next: 'Result without connection strings',
      });
      expect(state('Result without connection strings')).toMatchObject({
        Parameters: { 'result.$': 'States.JsonMerge($.history.result, $.strings.outcome, false)' },
        Next: 'Publish available event',
      });
    });

    it('THEN "Clean up" catches its own failure into "Clean-up failed", which still publishes and fails', () => {
      expect(state('Clean up').Catch).toStrictEqual([
        { ErrorEquals: ['States.ALL'], ResultPath: '$.cleanupError', Next: 'Clean-up failed' },
      ]);
      expect(state('Clean-up failed').Next).toBe('Publish failure event');
    });

    it('THEN every Lambda task after validation retries exactly the retryable errors, with backoff', () => {
      for (const name of lambdaTasks().filter((n) => n !== 'Validate request')) {
        // Besides the Lambda service errors CDK's LambdaInvoke retries by default.
        // Besides, too, "Register with Atlas"'s own retry of an endpoint EC2 does not show yet (see below).
        const retries = (state(name).Retry ?? []).filter(
          (r) =>
            !r.ErrorEquals.some((e) => e.startsWith('Lambda.')) &&
            !r.ErrorEquals.includes(ErrorName.EndpointNotVisible),
        );

        expect({ name, errors: retries.flatMap((r) => r.ErrorEquals).sort() }).toStrictEqual({
          name,
          errors: [...RETRYABLE_ERROR_NAMES].sort(),
        });
        for (const retry of retries) expect(retry).toMatchObject({ BackoffRate: 2, JitterStrategy: 'FULL' });
      }
    });

    it('THEN "Register with Atlas" reads an endpoint EC2 does not show yet again for about two minutes, and never retries a refusal', () => {
      const register = state('Register with Atlas');
      const notVisible = (register.Retry ?? []).filter((r) =>
        r.ErrorEquals.includes(ErrorName.EndpointNotVisible),
      );
      const retried = lambdaTasks().flatMap((name) =>
        (state(name).Retry ?? []).flatMap((r) => r.ErrorEquals),
      );

      expect(notVisible).toStrictEqual([
        {
          ErrorEquals: [ErrorName.EndpointNotVisible],
          IntervalSeconds: 2,
          BackoffRate: 2,
          MaxAttempts: 6,
          MaxDelaySeconds: 60,
        },
      ]);
      expect(register.Parameters).toMatchObject({
        'endpointServiceName.$': '$.service.endpointServiceName',
        'vpcEndpointId.$': '$.attempt.vpcEndpointId',
      });
      expect(retried).not.toContain(ErrorName.EndpointNotOwned);
      expect(register.Catch).toStrictEqual([
        { ErrorEquals: ['States.ALL'], ResultPath: '$.failure', Next: 'Start clean-up' },
      ]);
    });

    it("THEN Atlas's 429 is retried first, on its own longer schedule, and the other errors after it", () => {
      for (const name of lambdaTasks().filter((n) => n !== 'Validate request')) {
        const retries = state(name).Retry ?? [];
        const at = (error: string) => retries.findIndex((r) => r.ErrorEquals.includes(error));
        const rateLimited = retries[at(ErrorName.AtlasRateLimited)];
        const others = retries[at(ErrorName.AtlasServer)];

        expect({ name, rateLimited }).toStrictEqual({
          name,
          rateLimited: {
            ErrorEquals: [ErrorName.AtlasRateLimited],
            IntervalSeconds: AtlasRateLimitRetry.intervalSeconds,
            BackoffRate: AtlasRateLimitRetry.backoffRate,
            MaxAttempts: AtlasRateLimitRetry.maxAttempts,
            MaxDelaySeconds: AtlasRateLimitRetry.maxDelaySeconds,
            JitterStrategy: 'FULL',
          },
        });
        expect(others).toMatchObject({ IntervalSeconds: 2, MaxAttempts: 5, MaxDelaySeconds: 60 });
        expect(at(ErrorName.AtlasRateLimited)).toBeLessThan(at(ErrorName.AtlasServer));
        expect(AtlasRateLimitRetry.intervalSeconds).toBeGreaterThan(Number(others?.IntervalSeconds));
      }
    });

    it('THEN every Lambda task, validation and clean-up included, retries throttled and timed-out invocations with full jitter', () => {
      for (const name of lambdaTasks()) {
        const retries = state(name).Retry ?? [];
        const lambdaLevel = retries.find((r) => r.ErrorEquals.includes('Lambda.TooManyRequestsException'));
        expect({ name, errors: [...(lambdaLevel?.ErrorEquals ?? [])].sort() }).toStrictEqual({
          name,
          errors: [...LAMBDA_INVOCATION_ERROR_NAMES].sort(),
        });
        expect(lambdaLevel).toMatchObject({ BackoffRate: 2, MaxAttempts: 6, JitterStrategy: 'FULL' });
        // CDK's own default, kept: Lambda's service errors.
        expect(retries.some((r) => r.ErrorEquals.includes('Lambda.ServiceException'))).toBe(true);
      }
    });

    it('THEN no state ever retries a bad request, refused credentials or every error', () => {
      const retried = Object.values(definition.States).flatMap((s) =>
        (s.Retry ?? []).flatMap((r) => r.ErrorEquals),
      );

      expect(retried).not.toContain(ErrorName.InvalidRequest);
      expect(retried).not.toContain(ErrorName.AtlasAuth);
      expect(retried).not.toContain(ErrorName.AtlasCredentials);
      expect(retried).not.toContain('States.ALL');
    });

    it('THEN "Give up" names AttemptsExhaustedError with the history summary as the cause', () => {
      expect(state('Give up')).toMatchObject({
        Type: 'Pass',
        Parameters: { Error: ErrorName.AttemptsExhausted, 'Cause.$': '$.history.summary' },
        ResultPath: '$.failure',
        Next: 'Start clean-up',
      });
    });

    it('THEN the Fail state reads its Error and Cause from the clean-up outcome', () => {
      const fail = Object.entries(definition.States).filter(([, s]) => s.Type === 'Fail');

      expect(fail.map(([name]) => name)).toStrictEqual(['Provisioning failed']);
      expect(fail[0]?.[1]).toMatchObject({
        ErrorPath: '$.cleanup.outcome.error',
        CausePath: '$.cleanup.outcome.cause',
      });
      expect(fail[0]?.[1]).not.toHaveProperty('Error');
      expect(fail[0]?.[1]).not.toHaveProperty('Cause');
    });
  });

  describe('WHEN reading how events are published', () => {
    const publishers = () =>
      Object.entries(definition.States).filter(([, s]) => s.Resource?.includes('events:'));

    it('THEN the three events go through the EventBridge integration, not a Lambda', () => {
      const resources = new Set(publishers().map(([, s]) => s.Resource));
      const detailTypes = publishers().flatMap(([, s]) =>
        ((s.Parameters?.Entries ?? []) as { DetailType: string }[]).map((e) => e.DetailType),
      );

      expect([...resources]).toStrictEqual(['arn:aws:states:::events:putEvents']);
      expect(detailTypes.sort()).toStrictEqual(
        [WorkflowEvents.available, WorkflowEvents.attemptFailed, WorkflowEvents.failed].sort(),
      );
    });

    it.each([
      ['Publish available event', '$.strings.result', 'Endpoint available'],
      ['Publish attempt failed event', '$.history.last', 'Start deletion'],
      ['Publish failure event', '$.cleanup.outcome', 'Provisioning failed'],
    ])(
      'THEN "%s" sends %s and never blocks the outcome (its Catch goes on to "%s")',
      (name, detail, next) => {
        const publisher = state(name);
        const [entry] = (publisher.Parameters?.Entries ?? []) as Record<string, unknown>[];

        expect(entry).toMatchObject({ 'Detail.$': detail, Source: 'atlas-privatelink' });
        expect(publisher.Catch).toStrictEqual([
          { ErrorEquals: ['States.ALL'], ResultPath: null, Next: next },
        ]);
        expect(publisher.ResultPath).toBeNull();
      },
    );
  });

  describe('WHEN reading the functions', () => {
    it('THEN every function runs nodejs24.x on arm64, traced', () => {
      const functions = Object.values(synthesized.template.findResources('AWS::Lambda::Function'));

      // + the deprovisioning's five, the four API functions, the two event targets and the sweep
      expect(functions.length).toBe(STEP_HANDLERS.length + 5 + 4 + 2 + 1);
      for (const fn of functions) {
        expect(fn.Properties).toMatchObject({
          Runtime: 'nodejs24.x',
          Architectures: ['arm64'],
          TracingConfig: { Mode: 'Active' },
        });
      }
    });

    const ATLAS_CALLERS: readonly WorkflowHandler[] = [
      'findEndpointService',
      'registerEndpoint',
      'checkEndpoint',
      'deleteAttempt',
      'cleanUp',
      'findConnectionStrings',
    ];

    it.each(STEP_HANDLERS.map((h) => [h, ATLAS_CALLERS.includes(h)] as const))(
      'THEN %s may read the Atlas secret: %s',
      (handler, readsAtlas) => {
        const { stack, template } = synthesized;
        const id = logicalIdOf(stack, stack.workflow.functions[handler]);
        const actions = statementsOfFunction(template, id).flatMap(actionsOf);
        const environment = template.toJSON().Resources[id].Properties.Environment.Variables;

        expect(actions.includes('secretsmanager:GetSecretValue')).toBe(readsAtlas);
        expect(RuntimeEnv.secretArn in environment).toBe(readsAtlas);
        expect(environment[RuntimeEnv.managedBy]).toBe(stack.workflow.managedBy);
      },
    );

    it.each(['startProvisioning', 'getProvisioning'] as const)(
      'THEN the API function %s may not read the Atlas secret',
      (handler) => {
        const { stack, template } = synthesized;
        const actions = statementsOfFunction(
          template,
          logicalIdOf(stack, stack.apiFunctions[handler]),
        ).flatMap(actionsOf);

        expect(actions.filter((a) => a.startsWith('secretsmanager:'))).toStrictEqual([]);
      },
    );
  });

  describe('WHEN reading the EC2 permissions', () => {
    const ec2Statements = () =>
      allStatements(synthesized.template)
        .map(({ statement }) => statement)
        .filter((s) => actionsOf(s).some((a) => a.startsWith('ec2:')));
    const vpcEndpointArn = 'arn:aws:ec2:<Ref AWS::Region>:<Ref AWS::AccountId>:vpc-endpoint/*';
    const managedByKey = ManagedTag.managedBy;

    it('THEN ec2:CreateVpcEndpoint on vpc-endpoint/* requires the managed-by tag in the request', () => {
      const creating = ec2Statements().filter(
        (s) =>
          actionsOf(s).includes('ec2:CreateVpcEndpoint') &&
          resourcesOf(s, synthesized.template).some((r) => r.includes(':vpc-endpoint/')),
      );

      expect(creating.length).toBeGreaterThan(0);
      for (const s of creating) {
        expect(resourcesOf(s, synthesized.template).map(normalise)).toStrictEqual([vpcEndpointArn]);
        expect(s.Condition).toStrictEqual({
          StringEquals: { [`aws:RequestTag/${managedByKey}`]: synthesized.stack.workflow.managedBy },
        });
      }
    });

    it('THEN ec2:CreateVpcEndpoint without the tag condition reaches only the allowed VPCs, and subnets and security groups inside them', () => {
      const network = ec2Statements().filter(
        (s) =>
          actionsOf(s).includes('ec2:CreateVpcEndpoint') &&
          !resourcesOf(s, synthesized.template).some((r) => r.includes(':vpc-endpoint/')),
      );
      const allowedVpc = `arn:aws:ec2:<Ref AWS::Region>:<Ref AWS::AccountId>:vpc/${DEMO_ALLOW_LISTS.allowedVpcIds}`;

      expect(network.map((s) => resourcesOf(s, synthesized.template).map(normalise).sort())).toStrictEqual([
        [allowedVpc],
        [
          'arn:aws:ec2:<Ref AWS::Region>:<Ref AWS::AccountId>:security-group/*',
          'arn:aws:ec2:<Ref AWS::Region>:<Ref AWS::AccountId>:subnet/*',
        ],
      ]);
      expect(network[0]!.Condition).toBeUndefined();
      expect(JSON.stringify(network[1]!.Condition)).toContain(`"ec2:Vpc"`);
      const inVpcs = (network[1]!.Condition as { StringEquals: Record<string, unknown[]> }).StringEquals[
        'ec2:Vpc'
      ];
      expect(
        inVpcs?.map((arn) => normalise(render(arn, synthesized.template.toJSON().Resources))),
      ).toStrictEqual([allowedVpc]);
    });

    it('THEN ec2:DeleteVpcEndpoints always requires the managed-by tag on the endpoint', () => {
      const deleting = ec2Statements().filter((s) => actionsOf(s).includes('ec2:DeleteVpcEndpoints'));

      expect(deleting.length).toBe(4); // deleteAttempt, cleanUp, the sweep and the deprovisioning's deleteVpcEndpoint
      for (const s of deleting) {
        expect(s.Condition).toStrictEqual({
          StringEquals: { [`aws:ResourceTag/${managedByKey}`]: synthesized.stack.workflow.managedBy },
        });
      }
    });

    it('THEN "Register with Atlas" may describe VPC endpoints, and knows the account whose endpoints it registers', () => {
      const { stack, template } = synthesized;
      const id = logicalIdOf(stack, stack.workflow.functions.registerEndpoint);
      const fn = template.toJSON().Resources[id];

      expect(statementsOfFunction(template, id).flatMap(actionsOf)).toContain('ec2:DescribeVpcEndpoints');
      expect(fn.Properties.Environment.Variables[RuntimeEnv.accountId]).toStrictEqual({
        Ref: 'AWS::AccountId',
      });
    });

    it('THEN only EC2 reads with no resource-level permissions are allowed on "*"', () => {
      const onStar = ec2Statements().filter((s) => resourcesOf(s, synthesized.template).includes('*'));

      expect(onStar.length).toBeGreaterThan(0);
      expect(
        [...new Set(onStar.flatMap(actionsOf).filter((a) => a.startsWith('ec2:')))].sort(),
      ).toStrictEqual(['ec2:DescribeSecurityGroups', 'ec2:DescribeVpcEndpoints', 'ec2:DescribeVpcs']);
    });

    it('THEN only the security-group check may read security groups and VPCs', () => {
      const { stack, template } = synthesized;
      const readers = STEP_HANDLERS.filter((h) =>
        statementsOfFunction(template, logicalIdOf(stack, stack.workflow.functions[h]))
          .flatMap(actionsOf)
          .some((a) => a === 'ec2:DescribeSecurityGroups' || a === 'ec2:DescribeVpcs'),
      );
      expect(readers).toStrictEqual(['checkSecurityGroups']);
    });

    it('THEN only createVpcEndpoint may create, and only deleteAttempt and cleanUp may delete', () => {
      const { stack, template } = synthesized;
      const holders = (action: string) =>
        STEP_HANDLERS.filter((h) =>
          statementsOfFunction(template, logicalIdOf(stack, stack.workflow.functions[h]))
            .flatMap(actionsOf)
            .includes(action),
        );

      expect(holders('ec2:CreateVpcEndpoint')).toStrictEqual(['createVpcEndpoint']);
      expect(holders('ec2:DeleteVpcEndpoints')).toStrictEqual(['deleteAttempt', 'cleanUp']);
    });

    it('THEN only createVpcEndpoint may create cross-region endpoints (vpce:AllowMultiRegion), on vpc-endpoint/* of its own region', () => {
      const { stack, template } = synthesized;
      const granting = allStatements(template)
        .map(({ statement }) => statement)
        .filter((s) => actionsOf(s).includes('vpce:AllowMultiRegion'));
      const holders = STEP_HANDLERS.filter((h) =>
        statementsOfFunction(template, logicalIdOf(stack, stack.workflow.functions[h]))
          .flatMap(actionsOf)
          .includes('vpce:AllowMultiRegion'),
      );

      expect(granting).toHaveLength(1);
      expect(holders).toStrictEqual(['createVpcEndpoint']);
      expect(actionsOf(granting[0]!)).toStrictEqual(['vpce:AllowMultiRegion']);
      expect(resourcesOf(granting[0]!, template).map(normalise)).toStrictEqual([vpcEndpointArn]);
    });

    it('THEN no policy anywhere grants "*" or a service wildcard like "ec2:*"', () => {
      const actions = allStatements(synthesized.template).flatMap(({ statement }) => actionsOf(statement));

      expect(actions.filter((a) => a === '*' || a.endsWith(':*'))).toStrictEqual([]);
    });
  });
});

/** The rendered ARN with the pseudo parameters spelled as tokens, whatever the region and account. */
function normalise(arn: string): string {
  return arn
    .replace(/:us-east-1:/, ':<Ref AWS::Region>:')
    .replace(/:123456789012:/, ':<Ref AWS::AccountId>:');
}
