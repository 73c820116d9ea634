/**
 * The state machine exactly as CDK synthesizes it for deployment, made runnable offline: the stack is
 * synthesized in-process (bundling skipped), the definition taken from the template, and its tokens
 * resolved to local stand-ins. Each Lambda task is mapped back to the handler module it bundles, so a
 * change to the construct changes what runs here; there is no second copy of the flow.
 */
import { App } from 'aws-cdk-lib';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { type ApiHandler, ApiHandlers, type WorkflowHandler, WorkflowHandlers } from '../../infra/handlers';
import { stackFromContext } from '../../infra/stackFromContext';
import { DEMO_GROUP_ID } from '../atlas-emulator';
import { DEMO_VPC_ID } from '../aws-emulator';

/** The account and region the offline stand-ins use (the AWS emulator's defaults). */
export const OfflineAccount = { region: 'us-east-1', accountId: '123456789012', partition: 'aws' } as const;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Template = { Resources: Record<string, { Type: string; Properties?: Record<string, Json> }> };

export interface SynthesizedWorkflow {
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
  /** The event bus name the workflow publishes on and its request rule listens on. */
  readonly eventBusName: string;
  /** The request rule's detail-types and the handler module of the function it invokes with the event. */
  readonly requestRule: { readonly detailTypes: readonly string[]; readonly targetModule: string };
  /** Environment variables of the workflow functions (union), tokens resolved. */
  readonly functionEnvironment: Readonly<Record<string, string>>;
  /** The Atlas credentials secret's ARN as the functions see it. */
  readonly atlasSecretArn: string;
}

/**
 * Synthesizes the stack (no bundling, no credentials) and extracts its workflow, ready to run offline.
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

  const [smId, sm] = onlyResource(template, 'AWS::StepFunctions::StateMachine');
  const definitionString = resolve(sm.Properties?.DefinitionString ?? null);
  if (typeof definitionString !== 'string') throw new Error('the state machine has no DefinitionString');
  const definition = JSON.parse(definitionString) as SynthesizedWorkflow['definition'];

  const moduleByArn = new Map<string, string>();
  for (const [handler, fn] of Object.entries(stack.workflow.functions)) {
    const logicalId = stack.getLogicalId(fn.node.defaultChild as CfnFunction);
    moduleByArn.set(lambdaArn(logicalId), WorkflowHandlers[handler as WorkflowHandler]);
  }
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

  const functionEnvironment: Record<string, string> = {};
  for (const fn of Object.values(stack.workflow.functions)) {
    const props = template.Resources[stack.getLogicalId(fn.node.defaultChild as CfnFunction)]?.Properties;
    const variables =
      (props?.Environment as { Variables?: Record<string, Json> } | undefined)?.Variables ?? {};
    for (const [key, value] of Object.entries(variables)) functionEnvironment[key] = String(resolve(value));
  }

  // The request rule is the one whose target is a Lambda function of the stack's ways in (the sweep's
  // schedule rule targets a maintenance function).
  const entryModules = new Map(
    Object.entries(stack.apiFunctions).map(([handler, fn]) => [
      stack.getLogicalId(fn.node.defaultChild as CfnFunction),
      ApiHandlers[handler as ApiHandler],
    ]),
  );
  const targetIdOf = (r: Template['Resources'][string]) =>
    ((r.Properties?.Targets ?? []) as { Arn?: Json }[])
      .map((t) => (t.Arn as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt']?.[0])
      .find((id) => id !== undefined && entryModules.has(id));
  const [, rule] = onlyResource(template, 'AWS::Events::Rule', (r) => targetIdOf(r) !== undefined);
  const pattern = rule.Properties?.EventPattern as { 'detail-type'?: string[] } | undefined;
  const targetModule = entryModules.get(targetIdOf(rule) as string) as string;
  const stateMachineName = `${stack.stackName}-${smId}`;
  return {
    definition,
    stateMachineArn: `arn:aws:states:${OfflineAccount.region}:${OfflineAccount.accountId}:stateMachine:${stateMachineName}`,
    stateMachineName,
    lambdaTasks,
    putEventsTasks,
    waitStates,
    retryingStates,
    eventBusName: String(resolve({ Ref: stack.getLogicalId(stack.eventBus.node.defaultChild as never) })),
    requestRule: { detailTypes: pattern?.['detail-type'] ?? [], targetModule },
    functionEnvironment,
    atlasSecretArn: functionEnvironment.ATLAS_SECRET_ARN ?? '',
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
