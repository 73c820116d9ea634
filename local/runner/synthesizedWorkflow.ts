/**
 * The state machine exactly as CDK synthesizes it for deployment, made runnable offline: the stack is
 * synthesized in-process (bundling skipped), the definition taken from the template, and its tokens
 * resolved to local stand-ins. Each Lambda task is mapped back to the handler module it bundles, so a
 * change to the construct changes what runs here; there is no second copy of the flow.
 */
import { App } from 'aws-cdk-lib';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import type { IConstruct } from 'constructs';
import { WorkflowEvents } from '../../infra/events';
import { type ApiHandler, ApiHandlers, DeprovisioningHandlers, WorkflowHandlers } from '../../infra/handlers';
import { stackFromContext } from '../../infra/stackFromContext';
import { DEMO_GROUP_ID } from '../atlas-emulator';
import type { EventPatternFields } from '../aws-emulator';
import { DEMO_VPC_ID } from '../aws-emulator';

/** The account and region the offline stand-ins use (the AWS emulator's defaults). */
export const OfflineAccount = { region: 'us-east-1', accountId: '123456789012', partition: 'aws' } as const;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Template = { Resources: Record<string, { Type: string; Properties?: Record<string, Json> }> };

/** One state machine of the stack, made runnable offline. */
export interface SynthesizedStateMachine {
  /** The Amazon States Language definition, tokens resolved. */
  readonly definition: {
    StartAt: string;
    States: Record<string, Record<string, Json>>;
    TimeoutSeconds?: number;
  };
  readonly stateMachineArn: string;
  readonly stateMachineName: string;
  /** Task state name → the handler module its Lambda runs (`lambdas/handlers/<module>.ts`). */
  readonly lambdaTasks: Readonly<Record<string, string>>;
  /** Task states that publish events (`arn:aws:states:::events:putEvents`). */
  readonly putEventsTasks: readonly string[];
  /** Wait states, by name. */
  readonly waitStates: readonly string[];
  /** States that carry a `Retry` field, by name. */
  readonly retryingStates: readonly string[];
}

/** An EventBridge rule of the stack whose target is one of its ways in (a Lambda function). */
export interface SynthesizedRule {
  /** Its event pattern's `source` and `detail-type`, as synthesized (the emulator matches both). */
  readonly pattern: EventPatternFields;
  /** The handler module of the function it invokes with the event. */
  readonly targetModule: string;
}

/** The provisioning state machine, with what runs around it: the deprovisioning, the bus and its rules. */
export interface SynthesizedWorkflow extends SynthesizedStateMachine {
  /** The deprovisioning state machine. */
  readonly deprovisioning: SynthesizedStateMachine;
  /** The event bus name the workflow publishes on and its rules listen on. */
  readonly eventBusName: string;
  /** The request rule (`Atlas Private Endpoint Requested` → the start function). */
  readonly requestRule: SynthesizedRule;
  /** The deletion rule (`Atlas Private Endpoint Deletion Requested` → the deletion function). */
  readonly deletionRule: SynthesizedRule;
  /** Environment variables of the step functions of both state machines (union), tokens resolved. */
  readonly functionEnvironment: Readonly<Record<string, string>>;
  /** The Atlas credentials secret's ARN as the functions see it. */
  readonly atlasSecretArn: string;
}

/**
 * Synthesizes the stack (no bundling, no credentials) and extracts its state machines, ready to run offline.
 * `context` is the CDK app's context (`stackName`, `atlasBaseUrl`, …), as `cdk synth -c` would give it;
 * offline, provisionings may use the demo VPC and project (the emulators' topology) unless it says otherwise.
 */
export function synthesizeWorkflow(context: Record<string, unknown> = {}): SynthesizedWorkflow {
  // Only the template is read: no handler is bundled, and no asset (the built package's bundled handlers) copied.
  const app = new App({
    context: {
      allowedVpcIds: DEMO_VPC_ID,
      allowedGroupIds: DEMO_GROUP_ID,
      ...context,
      'aws:cdk:bundling-stacks': [],
      'aws:cdk:disable-asset-staging': true,
    },
  });
  const stack = stackFromContext(app);
  const template = app.synth().getStackByName(stack.stackName).template as Template;
  const resolve = resolverFor(template, stack.stackName);
  const logicalIdOf = (construct: IConstruct) => stack.getLogicalId(construct.node.defaultChild as never);

  const moduleByArn = new Map<string, string>();
  const stepFunctions: [string, CfnFunction][] = [];
  const register = (functions: Record<string, IConstruct>, modules: Record<string, string>) => {
    for (const [handler, fn] of Object.entries(functions)) {
      const logicalId = logicalIdOf(fn);
      moduleByArn.set(lambdaArn(logicalId), modules[handler] as string);
      stepFunctions.push([logicalId, fn.node.defaultChild as CfnFunction]);
    }
  };
  register(stack.workflow.functions, WorkflowHandlers);
  register(stack.workflow.deprovisioning.functions, DeprovisioningHandlers);
  const stateMachine = (construct: IConstruct) =>
    extractStateMachine(template, logicalIdOf(construct), stack.stackName, resolve, moduleByArn);

  const functionEnvironment: Record<string, string> = {};
  for (const [logicalId] of stepFunctions) {
    const props = template.Resources[logicalId]?.Properties;
    const variables =
      (props?.Environment as { Variables?: Record<string, Json> } | undefined)?.Variables ?? {};
    for (const [key, value] of Object.entries(variables)) functionEnvironment[key] = String(resolve(value));
  }

  // The rules whose target is a Lambda function of the stack's ways in (the sweep's schedule rule targets a
  // maintenance function), told apart by the detail-type they match.
  const entryModules = new Map(
    Object.entries(stack.apiFunctions).map(([handler, fn]) => [
      logicalIdOf(fn),
      ApiHandlers[handler as ApiHandler],
    ]),
  );
  const targetIdOf = (r: Template['Resources'][string]) =>
    ((r.Properties?.Targets ?? []) as { Arn?: Json }[])
      .map((t) => (t.Arn as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt']?.[0])
      .find((id) => id !== undefined && entryModules.has(id));
  const ruleFor = (detailType: string): SynthesizedRule => {
    const [, rule] = onlyResource(
      template,
      'AWS::Events::Rule',
      (r) =>
        targetIdOf(r) !== undefined &&
        (
          (r.Properties?.EventPattern as { 'detail-type'?: string[] } | undefined)?.['detail-type'] ?? []
        ).includes(detailType),
    );
    const pattern = (rule.Properties?.EventPattern ?? {}) as EventPatternFields;
    return {
      pattern: {
        ...(pattern.source ? { source: pattern.source } : {}),
        ...(pattern['detail-type'] ? { 'detail-type': pattern['detail-type'] } : {}),
      },
      targetModule: entryModules.get(targetIdOf(rule) as string) as string,
    };
  };
  return {
    ...stateMachine(stack.workflow.stateMachine),
    deprovisioning: stateMachine(stack.workflow.deprovisioning.stateMachine),
    eventBusName: String(resolve({ Ref: logicalIdOf(stack.eventBus) })),
    requestRule: ruleFor(WorkflowEvents.requested),
    deletionRule: ruleFor(WorkflowEvents.deletionRequested),
    functionEnvironment,
    atlasSecretArn: functionEnvironment.ATLAS_SECRET_ARN ?? '',
  };
}

/** One state machine's definition, tokens resolved, with each Lambda task mapped to its handler module. */
function extractStateMachine(
  template: Template,
  logicalId: string,
  stackName: string,
  resolve: (value: Json) => Json,
  moduleByArn: ReadonlyMap<string, string>,
): SynthesizedStateMachine {
  const sm = template.Resources[logicalId];
  if (sm?.Type !== 'AWS::StepFunctions::StateMachine') {
    throw new Error(`${logicalId} is not a state machine of the template`);
  }
  const definitionString = resolve(sm.Properties?.DefinitionString ?? null);
  if (typeof definitionString !== 'string') throw new Error(`${logicalId} has no DefinitionString`);
  const definition = JSON.parse(definitionString) as SynthesizedStateMachine['definition'];
  const lambdaTasks: Record<string, string> = {};
  const putEventsTasks: string[] = [];
  const waitStates: string[] = [];
  const retryingStates: string[] = [];
  for (const [name, state] of Object.entries(definition.States)) {
    if ('Retry' in state) retryingStates.push(name);
    if (state.Type === 'Wait') waitStates.push(name);
    if (state.Type !== 'Task') continue;
    const resource = String(state.Resource);
    const module = moduleByArn.get(resource);
    if (module) lambdaTasks[name] = module;
    else if (resource === 'arn:aws:states:::events:putEvents') putEventsTasks.push(name);
    else throw new Error(`task "${name}" uses ${resource}, which the offline runner cannot run`);
  }
  const stateMachineName = `${stackName}-${logicalId}`;
  return {
    definition,
    stateMachineArn: `arn:aws:states:${OfflineAccount.region}:${OfflineAccount.accountId}:stateMachine:${stateMachineName}`,
    stateMachineName,
    lambdaTasks,
    putEventsTasks,
    waitStates,
    retryingStates,
  };
}

function onlyResource(
  template: Template,
  type: string,
  matches: (resource: Template['Resources'][string]) => boolean = () => true,
): [string, Template['Resources'][string]] {
  const found = Object.entries(template.Resources).filter(([, r]) => r.Type === type && matches(r));
  if (found.length !== 1 || !found[0])
    throw new Error(`expected one matching ${type} in the template, found ${found.length}`);
  return found[0];
}

function lambdaArn(logicalId: string): string {
  return `arn:aws:lambda:${OfflineAccount.region}:${OfflineAccount.accountId}:function:${logicalId}`;
}

/** Resolves the CloudFormation intrinsics a definition and environment use, to offline stand-ins. */
function resolverFor(template: Template, stackName: string): (value: Json) => Json {
  const pseudo: Record<string, string> = {
    'AWS::Partition': OfflineAccount.partition,
    'AWS::Region': OfflineAccount.region,
    'AWS::AccountId': OfflineAccount.accountId,
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::StackName': stackName,
  };
  const ref = (logicalId: string): string => {
    if (pseudo[logicalId]) return pseudo[logicalId];
    const resource = template.Resources[logicalId];
    switch (resource?.Type) {
      case 'AWS::Events::EventBus':
        return String(resolve(resource.Properties?.Name ?? logicalId));
      case 'AWS::SecretsManager::Secret':
        return `arn:aws:secretsmanager:${OfflineAccount.region}:${OfflineAccount.accountId}:secret:${logicalId}`;
      case 'AWS::StepFunctions::StateMachine':
        return `arn:aws:states:${OfflineAccount.region}:${OfflineAccount.accountId}:stateMachine:${stackName}-${logicalId}`;
      default:
        return logicalId;
    }
  };
  const resolve = (value: Json): Json => {
    if (Array.isArray(value)) return value.map(resolve);
    if (value === null || typeof value !== 'object') return value;
    if ('Ref' in value) return ref(String(value.Ref));
    if ('Fn::GetAtt' in value) {
      const [logicalId, attribute] = value['Fn::GetAtt'] as [string, string];
      const type = template.Resources[logicalId]?.Type;
      if (type === 'AWS::Lambda::Function' && attribute === 'Arn') return lambdaArn(logicalId);
      if (type === 'AWS::Events::EventBus' && attribute === 'Name') return ref(logicalId);
      // The publish tasks name their bus by ARN: EventBridge takes a name or an ARN.
      if (type === 'AWS::Events::EventBus' && attribute === 'Arn') {
        return `arn:${OfflineAccount.partition}:events:${OfflineAccount.region}:${OfflineAccount.accountId}:event-bus/${ref(logicalId)}`;
      }
      return `${logicalId}.${attribute}`;
    }
    if ('Fn::Join' in value) {
      const [separator, parts] = value['Fn::Join'] as [string, Json[]];
      return parts.map((part) => String(resolve(part))).join(separator);
    }
    if ('Fn::Sub' in value) {
      return String(value['Fn::Sub']).replace(/\$\{([^}]+)\}/g, (_, name: string) => ref(name));
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v)]));
  };
  return resolve;
}
