/**
 * Least privilege, over the synthesized template: every IAM statement of every role is run through a
 * checker of this project's rules (no wildcard actions, `Resource: "*"` only where AWS offers nothing
 * narrower, EC2 endpoint creation and deletion fenced by the managed-by tag, the secret readable only by
 * name), every API method requires SigV4, and cdk-nag's IAM acknowledgements line up with the same rules.
 * The checker is itself tested against deliberately bad statements, so a green run means something.
 */
import type { Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManagedTag } from '../../lambdas/domain/request';
import { RuntimeEnv } from '../../lambdas/handlers/environment';
import { readValidationReport, unacknowledgedFindings } from '../helpers/validationReport';
import { allStatements, render, resourcesOf, type Synthesized, synthesize } from '../infra/synthesize';

/**
 * The only actions that may be granted on `Resource: "*"`, each because AWS supports no resource-level
 * permission for it (Service Authorization Reference, "Resource types" column empty).
 */
const RESOURCE_STAR_ALLOWED: Readonly<Record<string, string>> = {
  // Describe calls of EC2 take no resource ARN: the functions read endpoints by id, filtered by tag.
  'ec2:DescribeVpcEndpoints': 'EC2 Describe* actions support no resource-level permissions',
  'ec2:DescribeSecurityGroups': 'EC2 Describe* actions support no resource-level permissions',
  'ec2:DescribeVpcs': 'EC2 Describe* actions support no resource-level permissions',
  // Lambda active tracing (X-Ray) on every function and the state machine.
  'xray:PutTraceSegments': 'X-Ray writes support no resource-level permissions',
  'xray:PutTelemetryRecords': 'X-Ray writes support no resource-level permissions',
  // The state machine's tracing reads the account's sampling rules.
  'xray:GetSamplingRules': 'X-Ray sampling reads support no resource-level permissions',
  'xray:GetSamplingTargets': 'X-Ray sampling reads support no resource-level permissions',
  // Step Functions logging (level ALL) to CloudWatch Logs goes through vended log delivery, which
  // authorizes on "*" (https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html#cloudwatch-iam-policy).
  'logs:CreateLogDelivery': 'vended log delivery: no resource-level permissions',
  'logs:GetLogDelivery': 'vended log delivery: no resource-level permissions',
  'logs:UpdateLogDelivery': 'vended log delivery: no resource-level permissions',
  'logs:DeleteLogDelivery': 'vended log delivery: no resource-level permissions',
  'logs:ListLogDeliveries': 'vended log delivery: no resource-level permissions',
  'logs:PutResourcePolicy': 'the log group resource policy log delivery needs; account-level',
  'logs:DescribeResourcePolicies': 'account-level list of log resource policies',
  'logs:DescribeLogGroups': 'lists log groups; no resource-level permissions for the list',
};

/** AWS managed policies a role may carry: both only write the role's own CloudWatch logs. */
const MANAGED_POLICIES_ALLOWED: readonly string[] = [
  'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole',
  'arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs',
];

const REQUEST_TAG = `aws:RequestTag/${ManagedTag.managedBy}`;
const RESOURCE_TAG = `aws:ResourceTag/${ManagedTag.managedBy}`;

/** One IAM statement, normalized: arrays for actions and resources, resources rendered as text. */
interface Grant {
  readonly role: string;
  readonly effect: string;
  readonly actions: readonly string[];
  readonly resources: readonly string[];
  /** `NotAction` / `NotResource` present: the statement grants everything *but* a list. */
  readonly inverted?: boolean;
  readonly condition?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/** What the checker reads from a template. */
interface PolicyView {
  readonly grants: readonly Grant[];
  readonly apiMethods: readonly { readonly id: string; readonly authorizationType: unknown }[];
  readonly managedPolicies: readonly { readonly role: string; readonly arn: string }[];
}

function policyViewOf(template: Template): PolicyView {
  const resources = template.toJSON().Resources as Parameters<typeof render>[1];
  const grants = allStatements(template).flatMap(({ roles, statement }) => {
    const raw = statement as unknown as Record<string, unknown>;
    const actions = [raw.Action ?? raw.NotAction ?? []].flat() as string[];
    const resourceList = raw.Resource === undefined ? [] : resourcesOf(statement, template);
    return roles.map(
      (role): Grant => ({
        role,
        effect: statement.Effect,
        actions,
        resources: resourceList,
        inverted: 'NotAction' in raw || 'NotResource' in raw,
        ...(statement.Condition ? { condition: statement.Condition } : {}),
      }),
    );
  });
  const apiMethods = Object.entries(template.findResources('AWS::ApiGateway::Method')).map(([id, m]) => ({
    id,
    authorizationType: m.Properties.AuthorizationType,
  }));
  const managedPolicies = Object.entries(template.findResources('AWS::IAM::Role')).flatMap(([role, r]) =>
    ((r.Properties.ManagedPolicyArns ?? []) as unknown[]).map((arn) => ({
      role,
      arn: render(arn, resources),
    })),
  );
  return { grants, apiMethods, managedPolicies };
}

const conditionValue = (grant: Grant, operator: string, key: string): unknown =>
  grant.condition?.[operator]?.[key];
const isVpcEndpointArn = (resource: string) => resource === '*' || /:vpc-endpoint\//.test(resource);

/** Every broken rule, as `rule: where`. Empty when the template follows least privilege. */
function leastPrivilegeFindings(view: PolicyView): string[] {
  const findings: string[] = [];
  const report = (rule: string, where: string) => findings.push(`${rule}: ${where}`);

  for (const grant of view.grants) {
    if (grant.effect !== 'Allow') continue;
    const where = `${grant.role} ${grant.actions.join(',')} on ${grant.resources.join(',')}`;
    if (grant.inverted) report('inverted statement (NotAction/NotResource)', where);
    for (const action of grant.actions) {
      if (action.includes('*')) report('wildcard action', `${grant.role} ${action}`);
      if (grant.resources.includes('*') && !(action in RESOURCE_STAR_ALLOWED)) {
        report('action on Resource "*" that supports resource-level permissions', `${grant.role} ${action}`);
      }
    }
    if (
      grant.actions.includes('ec2:CreateVpcEndpoint') &&
      grant.resources.some(isVpcEndpointArn) &&
      typeof conditionValue(grant, 'StringEquals', REQUEST_TAG) !== 'string'
    ) {
      report(`CreateVpcEndpoint without the ${REQUEST_TAG} condition`, where);
    }
    if (
      grant.actions.includes('ec2:DeleteVpcEndpoints') &&
      typeof conditionValue(grant, 'StringEquals', RESOURCE_TAG) !== 'string'
    ) {
      report(`DeleteVpcEndpoints without the ${RESOURCE_TAG} condition`, where);
    }
    // Tagging any endpoint later would let a role give it the managed-by tag, and then delete it.
    if (
      grant.actions.includes('ec2:CreateTags') &&
      conditionValue(grant, 'StringEquals', 'ec2:CreateAction') !== 'CreateVpcEndpoint'
    ) {
      report('CreateTags beyond tagging on create', where);
    }
    if (
      grant.actions.includes('secretsmanager:GetSecretValue') &&
      grant.resources.some((r) => r === '*' || r.endsWith(':secret:*'))
    ) {
      report('GetSecretValue on any secret', where);
    }
  }
  for (const method of view.apiMethods) {
    if (method.authorizationType !== 'AWS_IAM') {
      report('API method without AWS_IAM authorization', `${method.id} ${String(method.authorizationType)}`);
    }
  }
  for (const { role, arn } of view.managedPolicies) {
    if (!MANAGED_POLICIES_ALLOWED.includes(arn)) report('unexpected AWS managed policy', `${role} ${arn}`);
  }
  return findings;
}

let synthesized: Synthesized;
let view: PolicyView;

beforeAll(() => {
  synthesized = synthesize();
  view = policyViewOf(synthesized.template);
});

afterAll(() => {
  const allowed = view?.grants.filter((g) => g.effect === 'Allow') ?? [];
  console.log(
    `least privilege: ${allowed.length} Allow statements (per role) with ${allowed.reduce((n, g) => n + g.actions.length, 0)} action grants, ${view?.apiMethods.length} API methods, ${view?.managedPolicies.length} managed-policy attachments checked`,
  );
});

describe('the least-privilege checker', () => {
  const good: Grant = {
    role: 'Role',
    effect: 'Allow',
    actions: ['ec2:DescribeVpcEndpoints'],
    resources: ['*'],
  };
  const endpointArn = 'arn:aws:ec2:us-east-1:123456789012:vpc-endpoint/*';
  const scoped: Grant = { ...good, resources: [endpointArn] };
  const bad: readonly [string, Partial<PolicyView>, string][] = [
    ['a service-wide wildcard', { grants: [{ ...scoped, actions: ['ec2:*'] }] }, 'wildcard action'],
    ['a bare "*" action', { grants: [{ ...scoped, actions: ['*'] }] }, 'wildcard action'],
    ['a prefix wildcard', { grants: [{ ...scoped, actions: ['ec2:Describe*'] }] }, 'wildcard action'],
    [
      'an action on "*" that could be scoped',
      {
        grants: [
          {
            ...good,
            actions: ['ec2:CreateVpcEndpoint'],
            condition: { StringEquals: { [REQUEST_TAG]: 's' } },
          },
        ],
      },
      'action on Resource "*"',
    ],
    ['a NotAction statement', { grants: [{ ...good, inverted: true }] }, 'inverted statement'],
    [
      'an untagged CreateVpcEndpoint',
      { grants: [{ ...good, actions: ['ec2:CreateVpcEndpoint'], resources: [endpointArn] }] },
      'CreateVpcEndpoint without',
    ],
    [
      'a CreateVpcEndpoint conditioned on the wrong tag',
      {
        grants: [
          {
            ...good,
            actions: ['ec2:CreateVpcEndpoint'],
            resources: [endpointArn],
            condition: { StringEquals: { 'aws:RequestTag/owner': 'me' } },
          },
        ],
      },
      'CreateVpcEndpoint without',
    ],
    [
      'a DeleteVpcEndpoints without the resource tag',
      { grants: [{ ...good, actions: ['ec2:DeleteVpcEndpoints'], resources: [endpointArn] }] },
      'DeleteVpcEndpoints without',
    ],
    [
      'a DeleteVpcEndpoints checking the request tag instead',
      {
        grants: [
          {
            ...good,
            actions: ['ec2:DeleteVpcEndpoints'],
            resources: [endpointArn],
            condition: { StringEquals: { [REQUEST_TAG]: 'stack' } },
          },
        ],
      },
      'DeleteVpcEndpoints without',
    ],
    [
      'a CreateTags on any endpoint',
      { grants: [{ ...good, actions: ['ec2:CreateTags'], resources: [endpointArn] }] },
      'CreateTags beyond tagging on create',
    ],
    [
      'a GetSecretValue on every secret',
      {
        grants: [
          {
            ...good,
            actions: ['secretsmanager:GetSecretValue'],
            resources: ['arn:aws:secretsmanager:us-east-1:123456789012:secret:*'],
          },
        ],
      },
      'GetSecretValue on any secret',
    ],
    [
      'an open API method',
      { apiMethods: [{ id: 'Method', authorizationType: 'NONE' }] },
      'API method without AWS_IAM',
    ],
    [
      'an administrator policy',
      { managedPolicies: [{ role: 'Role', arn: 'arn:aws:iam::aws:policy/AdministratorAccess' }] },
      'unexpected AWS managed policy',
    ],
  ];

  it('finds nothing wrong with a statement the rules allow', () => {
    expect(leastPrivilegeFindings({ grants: [good], apiMethods: [], managedPolicies: [] })).toEqual([]);
  });

  it.each(bad)('reports %s', (_title, broken, rule) => {
    // Act
    const findings = leastPrivilegeFindings({ grants: [], apiMethods: [], managedPolicies: [], ...broken });

    // Assess
    expect(findings).toHaveLength(1);
    expect(findings[0]).toContain(rule);
  });
});

describe('the synthesized template', () => {
  it('follows every least-privilege rule: no finding at all', () => {
    expect(view.grants.length).toBeGreaterThan(20);

    expect(leastPrivilegeFindings(view)).toEqual([]);
  });

  it('uses every action allowed on Resource "*" (the allow-list holds nothing stale)', () => {
    const onStar = new Set(view.grants.filter((g) => g.resources.includes('*')).flatMap((g) => g.actions));

    expect(Object.keys(RESOURCE_STAR_ALLOWED).filter((a) => !onStar.has(a))).toEqual([]);
  });

  it('creates VPC endpoints only with the managed-by tag the functions write, and deletes only endpoints carrying it', () => {
    const managedBy = new Set(
      Object.values(synthesized.template.findResources('AWS::Lambda::Function'))
        .map((f) => f.Properties.Environment?.Variables?.[RuntimeEnv.managedBy])
        .filter((v) => v !== undefined),
    );
    const creates = view.grants.filter(
      (g) => g.actions.includes('ec2:CreateVpcEndpoint') && g.resources.some(isVpcEndpointArn),
    );
    const deletes = view.grants.filter((g) => g.actions.includes('ec2:DeleteVpcEndpoints'));

    // One value, and the very one the IAM conditions check: a mismatch would deny every create.
    expect(managedBy.size).toBe(1);
    const [value] = managedBy;
    expect(creates.length).toBeGreaterThan(0);
    expect(deletes.length).toBeGreaterThan(0);
    for (const g of creates) expect(conditionValue(g, 'StringEquals', REQUEST_TAG)).toBe(value);
    for (const g of deletes) expect(conditionValue(g, 'StringEquals', RESOURCE_TAG)).toBe(value);
  });

  it('lets only the functions given the secret read it, and only that secret', () => {
    const { template } = synthesized;
    const secretRefs = Object.keys(template.findResources('AWS::SecretsManager::Secret')).map(
      (id) => `<Ref ${id}>`,
    );
    const rolesOfFunctionsGivenTheSecret = Object.values(template.findResources('AWS::Lambda::Function'))
      .filter((f) => f.Properties.Environment?.Variables?.[RuntimeEnv.secretArn] !== undefined)
      .map((f) => (f.Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0])
      .sort();
    const readers = view.grants.filter((g) => g.actions.includes('secretsmanager:GetSecretValue'));

    expect(readers.map((g) => g.role).sort()).toEqual(rolesOfFunctionsGivenTheSecret);
    expect(rolesOfFunctionsGivenTheSecret.length).toBeGreaterThanOrEqual(5);
    for (const g of readers) expect(g.resources).toEqual(secretRefs);
  });
});

describe('cdk-nag (AwsSolutionsChecks) over the whole app', () => {
  it('leaves no unacknowledged finding in any plugin report', () => {
    // The assembly's report, the same mechanism test/infra/stack.test.ts reads.
    const report = readValidationReport(synthesized.app.synth().directory);

    expect(report.pluginReports.length).toBeGreaterThan(0);
    expect(unacknowledgedFindings(report)).toEqual([]);
  });

  it('acknowledges IAM wildcards only on resources the checker accounts for, never on actions', () => {
    const report = readValidationReport(synthesized.app.synth().directory);
    const iam5 = report.pluginReports
      .flatMap((r) => r.suppressedViolations ?? [])
      .filter((s) => s.ruleName.startsWith('AwsSolutions-IAM5'));
    const wildcard = (s: (typeof iam5)[number]) => /\[(\w+)::(.*)\]$/.exec(s.ruleName) ?? [];

    expect(iam5.length).toBeGreaterThan(0);
    for (const finding of iam5) {
      const [, kind, resource = ''] = wildcard(finding);
      expect(kind, finding.ruleName).toBe('Resource');
      const accounted =
        resource === '*' || // only RESOURCE_STAR_ALLOWED actions, checked above
        /:(vpc-endpoint|vpc|subnet|security-group)\/\*$/.test(resource) || // EC2 network and tag-fenced endpoints
        /^<\w+\.Arn>:\*$/.test(resource) || // the versions of a step function the state machine invokes
        /:states:.*:execution:.*"Ref":"\w+".*:\*$/.test(resource); // executions of the one state machine
      expect(accounted, finding.ruleName).toBe(true);
    }
  });
});
