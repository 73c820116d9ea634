import { App, Duration, Lazy, Stack } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { describe, expect, it } from 'vitest';
import { AllowList } from '../../infra/AllowList';
import {
  AtlasPrivateEndpointWorkflow,
  type AtlasPrivateEndpointWorkflowProps,
} from '../../infra/AtlasPrivateEndpointWorkflow';
import { AppContextError } from '../../infra/app';
import { managedByProblem } from '../../infra/propChecks';
import { SweepSchedule, type SweepScheduleProps } from '../../infra/SweepSchedule';
import { InvalidRequestError } from '../../lambdas/errors';
import { synthesize } from './synthesize';

/** The allow-lists every workflow needs; their own checks are in allowLists.test.ts. */
const LISTS = { allowedVpcIds: AllowList.any(), allowedGroupIds: AllowList.any() };

function newStack(): { stack: Stack; atlasSecret: secretsmanager.ISecret } {
  const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), 'Props');
  return { stack, atlasSecret: new secretsmanager.Secret(stack, 'Secret') };
}

function workflow(props: Partial<AtlasPrivateEndpointWorkflowProps>): AtlasPrivateEndpointWorkflow {
  const { stack, atlasSecret } = newStack();
  return new AtlasPrivateEndpointWorkflow(stack, 'Workflow', { atlasSecret, ...LISTS, ...props });
}

function sweep(props: Partial<SweepScheduleProps>): SweepSchedule {
  const { stack, atlasSecret } = newStack();
  const workflow = new AtlasPrivateEndpointWorkflow(stack, 'Workflow', { atlasSecret, ...LISTS });
  return new SweepSchedule(stack, 'Sweep', { workflow, atlasSecret, ...props });
}

/** The fields the InvalidRequestError thrown by `act` names. */
function fieldsRefused(act: () => unknown): string[] {
  try {
    act();
  } catch (error) {
    if (error instanceof InvalidRequestError) return error.violations.map((v) => v.field);
    throw error;
  }
  throw new Error('expected an InvalidRequestError, but nothing was thrown');
}

describe('GIVEN an AtlasPrivateEndpointWorkflow', () => {
  describe('WHEN atlasBaseUrl is not an https URL', () => {
    it.each([
      'http://cloud.mongodb.com',
      'cloud.mongodb.com',
      'https://user:pass@cloud.mongodb.com',
      'https://cloud.mongodb.com?x=1',
      'ftp://cloud.mongodb.com',
    ])('THEN synthesis fails naming atlasBaseUrl for %j', (atlasBaseUrl) => {
      expect(fieldsRefused(() => workflow({ atlasBaseUrl }))).toStrictEqual(['atlasBaseUrl']);
    });

    it('THEN the message says what was expected and what it got', () => {
      expect(() => workflow({ atlasBaseUrl: 'http://cloud.mongodb.com' })).toThrow(
        /^atlasBaseUrl: expected an https URL .*got "http:\/\/cloud\.mongodb\.com"$/,
      );
      expect(() => workflow({ atlasBaseUrl: 'https://key:secret@cloud.mongodb.com' })).toThrow(
        'atlasBaseUrl: expected a URL without credentials, query or fragment, got "https://…@cloud.mongodb.com"',
      );
    });
  });

  describe('WHEN managedBy is not an AWS tag value', () => {
    it.each(['', 'team#a', 'a'.repeat(257), 'tab\there'])(
      'THEN synthesis fails naming managedBy for %j',
      (managedBy) => {
        expect(fieldsRefused(() => workflow({ managedBy }))).toStrictEqual(['managedBy']);
      },
    );
  });

  describe('WHEN eventSource is one of AWS own', () => {
    it('THEN synthesis fails naming eventSource', () => {
      expect(fieldsRefused(() => workflow({ eventSource: 'aws.ec2' }))).toStrictEqual(['eventSource']);
    });
  });

  describe('WHEN several props are wrong', () => {
    it('THEN one error names each of them', () => {
      const act = () => workflow({ atlasBaseUrl: 'http://x', managedBy: '', eventSource: 'aws.x' });
      expect(fieldsRefused(act).sort()).toStrictEqual(['atlasBaseUrl', 'eventSource', 'managedBy']);
    });
  });

  describe('WHEN the props are valid, or tokens known only at deploy time', () => {
    it.each([
      { atlasBaseUrl: 'https://cloud.mongodbgov.com', managedBy: 'team-a:prod @eu/1' },
      { atlasBaseUrl: 'https://atlas.internal.example:8443/proxy/', managedBy: 'Équipe_A' },
      {
        atlasBaseUrl: Lazy.string({ produce: () => 'https://cloud.mongodb.com' }),
        managedBy: Lazy.string({ produce: () => 'x' }),
      },
    ])('THEN the workflow is built (%o)', (props) => {
      expect(workflow(props).managedBy).toBe(props.managedBy);
    });
  });
});

describe('GIVEN workflows without a managedBy prop', () => {
  const inStack = (
    stackName: string,
    ids: readonly string[],
    env?: { account: string; region: string },
  ): string[] => {
    const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] } }), stackName, {
      ...(env ? { env } : {}),
    });
    const atlasSecret = new secretsmanager.Secret(stack, 'Secret');
    return ids.map((id) => new AtlasPrivateEndpointWorkflow(stack, id, { atlasSecret, ...LISTS }).managedBy);
  };

  it('THEN two workflows in one stack get different values, each the stack name and a hash, valid as a tag value', () => {
    const [a, b] = inStack('Shared', ['TeamA', 'TeamB']);

    expect(a).toMatch(/^Shared-[0-9a-f]{8}$/);
    expect(b).toMatch(/^Shared-[0-9a-f]{8}$/);
    expect(a).not.toBe(b);
    expect(managedByProblem(a as string)).toBeUndefined();
  });

  it('THEN the same construct gets the same value at every synthesis', () => {
    expect(inStack('Shared', ['TeamA'])).toStrictEqual(inStack('Shared', ['TeamA']));
  });

  it('THEN same-named stacks in two regions or two accounts get different values', () => {
    const [east] = inStack('Shared', ['Workflow'], { account: '111111111111', region: 'us-east-1' });
    const [west] = inStack('Shared', ['Workflow'], { account: '111111111111', region: 'eu-west-1' });
    const [other] = inStack('Shared', ['Workflow'], { account: '222222222222', region: 'us-east-1' });

    expect(new Set([east, west, other]).size).toBe(3);
  });
});

describe('GIVEN a SweepSchedule', () => {
  it('WHEN gracePeriod is not whole seconds THEN synthesis fails naming gracePeriod', () => {
    expect(fieldsRefused(() => sweep({ gracePeriod: Duration.millis(1500) }))).toStrictEqual(['gracePeriod']);
  });

  it('WHEN atlasBaseUrl is plain http THEN synthesis fails naming atlasBaseUrl', () => {
    expect(fieldsRefused(() => sweep({ atlasBaseUrl: 'http://cloud.mongodb.com' }))).toStrictEqual([
      'atlasBaseUrl',
    ]);
  });
});

describe('GIVEN the CDK app', () => {
  it('WHEN the atlasBaseUrl context has a typo THEN synthesis fails with an AppContextError naming atlasBaseUrl', () => {
    const act = () => synthesize({ atlasBaseUrl: 'htps://cloud.mongodb.com' });

    expect(act).toThrow(AppContextError);
    expect(act).toThrow(/^context atlasBaseUrl: expected an https URL/);
  });
});
