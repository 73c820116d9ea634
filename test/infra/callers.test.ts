/**
 * Executions belong to their caller, in the template: the API's access log names the caller, the API's
 * functions know the endpoint readers, and the created Atlas secret is readable by the workflow's roles only.
 */
import { App } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { AllowList } from '../../infra/AllowList';
import { AtlasPrivateLinkStack } from '../../infra/AtlasPrivateLinkStack';
import { AppContextError, readAppContext } from '../../infra/app';
import { ApiEnv } from '../../lambdas/handlers/environment';
import { actionsOf, allStatements, synthesize } from './synthesize';

const READER = 'arn:aws:iam::123456789012:role/audit/Auditor';

describe('GIVEN the synthesized stack', () => {
  const { template } = synthesize();

  it('THEN the access log names the caller next to the request id and the path (the execution id)', () => {
    const stages = Object.values(template.findResources('AWS::ApiGateway::Stage'));
    expect(stages).toHaveLength(1);
    const format = JSON.parse(stages[0]?.Properties.AccessLogSetting.Format as string);

    expect(format).toMatchObject({
      requestId: '$context.requestId',
      userArn: '$context.identity.userArn',
      caller: '$context.identity.caller',
      accountId: '$context.identity.accountId',
      httpMethod: '$context.httpMethod',
      path: '$context.path',
      status: '$context.status',
      integrationRequestId: '$context.awsEndpointRequestId',
    });
  });

  it('THEN the created Atlas secret denies GetSecretValue to every principal but the roles granted to read it', () => {
    // The roles IAM lets read the secret: every role with an Allow of secretsmanager:GetSecretValue.
    const granted = allStatements(template)
      .filter(
        ({ statement }) =>
          statement.Effect === 'Allow' && actionsOf(statement).includes('secretsmanager:GetSecretValue'),
      )
      .flatMap(({ roles }) => roles);
    const policies = Object.values(template.findResources('AWS::SecretsManager::ResourcePolicy'));
    expect(policies).toHaveLength(1);
    const [deny] = (policies[0]?.Properties.ResourcePolicy.Statement ?? []) as {
      Effect: string;
      Principal: unknown;
      Action: string;
      Condition: { ArnNotEquals: { 'aws:PrincipalArn': { 'Fn::GetAtt': [string, string] }[] } };
    }[];

    expect(deny).toMatchObject({
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: 'secretsmanager:GetSecretValue',
    });
    const allowed = deny?.Condition.ArnNotEquals['aws:PrincipalArn'].map((arn) => arn['Fn::GetAtt'][0]);
    // The workflow's Atlas callers, the deprovisioning's and the sweep's: at least the five that call Atlas.
    expect(new Set(granted).size).toBeGreaterThanOrEqual(5);
    expect(new Set(allowed)).toStrictEqual(new Set(granted));
    template.hasResourceProperties('AWS::SecretsManager::ResourcePolicy', {
      SecretId: { Ref: Match.stringLikeRegexp('AtlasSecret') },
    });
  });

  it('THEN the secret, its policy and the roles form no dependency cycle', () => {
    expect(cycleIn(template.toJSON().Resources)).toBeUndefined();
    // The check itself finds one:
    expect(
      cycleIn({
        a: { DependsOn: 'b' },
        b: { Properties: { Role: { 'Fn::GetAtt': ['a', 'Arn'] } } },
      } as never),
    ).toStrictEqual(['a', 'b', 'a']);
  });

  it('THEN no API function is told of endpoint readers', () => {
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) {
      expect(fn.Properties.Environment?.Variables?.[ApiEnv.endpointReaders]).toBeUndefined();
    }
  });
});

describe('GIVEN an imported Atlas secret', () => {
  it('THEN the stack leaves its resource policy to its owner', () => {
    const { template } = synthesize({
      atlasSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:atlas-api-key-AbCdEf',
    });

    template.resourceCountIs('AWS::SecretsManager::ResourcePolicy', 0);
  });
});

describe('GIVEN -c endpointReaders', () => {
  it('THEN the API functions that read and delete get the readers', () => {
    const { template } = synthesize({ endpointReaders: `${READER}, arn:aws:iam::123456789012:user/alice` });

    const readersOf = Object.values(template.findResources('AWS::Lambda::Function'))
      .map((fn) => fn.Properties.Environment?.Variables?.[ApiEnv.endpointReaders])
      .filter((value) => value !== undefined);
    expect(readersOf.length).toBeGreaterThanOrEqual(3);
    for (const value of readersOf) expect(value).toBe(`${READER},arn:aws:iam::123456789012:user/alice`);
  });

  it.each([
    ['a name', 'Auditor'],
    ['a group', 'arn:aws:iam::123456789012:group/admins'],
    ['nothing', ' , '],
  ])('THEN %s fails naming endpointReaders', (_what, endpointReaders) => {
    const read = () =>
      readAppContext(new App({ context: { allowedVpcIds: '*', allowedGroupIds: '*', endpointReaders } }));

    expect(read).toThrow(AppContextError);
    expect(read).toThrow(/^context endpointReaders: expected/);
  });

  it('THEN the stack refuses a reader that is not an ARN, naming the prop', () => {
    const build = () =>
      new AtlasPrivateLinkStack(new App(), 'Readers', {
        allowedVpcIds: AllowList.any(),
        allowedGroupIds: AllowList.any(),
        endpointReaders: ['arn:aws:iam::123456789012:role/a,b'],
      });

    expect(build).toThrow(/endpointReaders: expected ARNs without commas/);
  });
});

/** A dependency cycle among `resources` (by Ref, Fn::GetAtt and DependsOn), as CloudFormation would refuse it. */
function cycleIn(resources: Record<string, { DependsOn?: string | string[] }>): string[] | undefined {
  const edges = new Map<string, Set<string>>();
  const collect = (value: unknown, into: Set<string>): void => {
    if (Array.isArray(value)) {
      for (const v of value) collect(v, into);
    } else if (value && typeof value === 'object') {
      for (const [key, v] of Object.entries(value)) {
        if (key === 'Ref' && typeof v === 'string' && v in resources) into.add(v);
        else if (key === 'Fn::GetAtt' && Array.isArray(v) && v[0] in resources) into.add(v[0]);
        else collect(v, into);
      }
    }
  };
  for (const [id, resource] of Object.entries(resources)) {
    const into = new Set<string>([resource.DependsOn ?? []].flat());
    collect(resource, into);
    edges.set(id, into);
  }
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string, path: string[]): string[] | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'visiting') return [...path, id];
    state.set(id, 'visiting');
    for (const next of edges.get(id) ?? []) {
      const cycle = visit(next, [...path, id]);
      if (cycle) return cycle;
    }
    state.set(id, 'done');
    return undefined;
  };
  for (const id of edges.keys()) {
    const cycle = visit(id, []);
    if (cycle) return cycle;
  }
  return undefined;
}
