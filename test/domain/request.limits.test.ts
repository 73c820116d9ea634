/**
 * The limits of a provisioning request, tested exactly at them (40 tags, 128-character keys, 256-character
 * values), values of the wrong shape where an id or an object belongs, the exact words of each refusal, and
 * the allow-list check the functions that write make themselves. Each test here once let a mutant of
 * `lambdas/domain/request.ts` survive.
 */
import { describe, expect, it } from 'vitest';
import {
  executionTagValue,
  notAllowed,
  parseProvisioningRequest,
  type RequestContext,
  RequestLimits,
  refuseOutsideAllowLists,
  regionMismatch,
  regionProblem,
} from '../../lambdas/domain/request';
import { type FieldViolation, InvalidRequestError } from '../../lambdas/errors';
import { GROUP, minimal, SUBNET, VPC, violationsOf } from './requestFixtures';

const OTHER_GROUP = '6f0c1a2b3c4d5e6f7a8b9c0e';
const OTHER_VPC = 'vpc-0fedcba9876543210';

function violationsOfRefusal(act: () => void): readonly FieldViolation[] {
  try {
    act();
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidRequestError);
    return (error as InvalidRequestError).violations;
  }
  throw new Error('expected a refusal');
}

describe('parseProvisioningRequest at the tag limits', () => {
  const tagsOf = (count: number) =>
    Object.fromEntries(Array.from({ length: count }, (_, i) => [`k${i}`, `v${i}`]));

  it('accepts exactly 40 tags', () => {
    const tags = tagsOf(RequestLimits.maxTags);

    expect(parseProvisioningRequest({ ...minimal, tags }).tags).toStrictEqual(tags);
  });

  it('refuses 41, saying how many it got', () => {
    expect(violationsOf({ ...minimal, tags: tagsOf(RequestLimits.maxTags + 1) })).toStrictEqual([
      { field: 'tags', message: 'expected at most 40 tags, got 41' },
    ]);
  });

  it('accepts a key of exactly 128 characters and a value of exactly 256', () => {
    const tags = { ['k'.repeat(128)]: 'v'.repeat(256) };

    expect(parseProvisioningRequest({ ...minimal, tags }).tags).toStrictEqual(tags);
  });

  it('refuses an empty key, naming the field', () => {
    expect(violationsOf({ ...minimal, tags: { '': 'v' } })).toStrictEqual([
      { field: 'tags.', message: 'expected a tag key of 1 to 128 characters' },
    ]);
  });

  it('refuses a value of 257 characters, saying what it got', () => {
    const [violation] = violationsOf({ ...minimal, tags: { team: 'v'.repeat(257) } });

    expect(violation).toStrictEqual({
      field: 'tags.team',
      message: `expected a string of at most 256 characters, got "${'v'.repeat(40)}…"`,
    });
  });

  it('names both reserved prefixes when refusing one', () => {
    expect(violationsOf({ ...minimal, tags: { 'aws:owner': 'x' } })).toStrictEqual([
      { field: 'tags.aws:owner', message: 'tag keys starting with aws: or atlas-privatelink: are reserved' },
    ]);
  });

  it.each([
    ['a string', 'team=data', '"team=data"'],
    ['a number', 7, 'number 7'],
    ['null', null, 'null'],
    ['true', true, 'boolean true'],
  ])('refuses %s as tags, saying an object is expected and what it got', (_what, tags, got) => {
    expect(violationsOf({ ...minimal, tags })).toStrictEqual([
      { field: 'tags', message: `expected an object of tag keys to string values, got ${got}` },
    ]);
  });

  it('refuses a key outside allowedTagKeys with the words naming the prop and its list', () => {
    expect(violationsOf({ ...minimal, tags: { owner: 'eve' } }, { allowedTagKeys: ['team'] })).toStrictEqual([
      {
        field: 'tags.owner',
        message: 'this deployment may only use the tag keys its allowedTagKeys lists (team)',
      },
    ]);
  });
});

describe('parseProvisioningRequest with a value of the wrong shape where an id belongs', () => {
  it.each([
    ['groupId', { groupId: [GROUP] }, 'an array of 1'],
    ['vpcId', { vpcId: [VPC] }, 'an array of 1'],
    ['vpcId', { vpcId: { id: VPC } }, 'an object'],
  ])('refuses %s given as %j', (field, override, got) => {
    const violations = violationsOf({ ...minimal, ...override });

    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({ field, message: expect.stringMatching(new RegExp(`got ${got}$`)) });
  });

  it('refuses a subnet id given as an array inside subnetIds', () => {
    expect(violationsOf({ ...minimal, subnetIds: [[SUBNET]] })).toStrictEqual([
      {
        field: 'subnetIds[0]',
        message: 'expected "subnet-" followed by 8 or 17 hexadecimal characters, got an array of 1',
      },
    ]);
  });

  it('refuses subnetIds given as one string, quoting the string rather than counting its characters', () => {
    expect(violationsOf({ ...minimal, subnetIds: SUBNET })).toStrictEqual([
      {
        field: 'subnetIds',
        message: `expected an array of 1 to 16 ids, each "subnet-" followed by 8 or 17 hexadecimal characters, got "${SUBNET}"`,
      },
    ]);
  });

  it('refuses subnetIds given as an object', () => {
    expect(violationsOf({ ...minimal, subnetIds: { 0: SUBNET, length: 1 } })).toMatchObject([
      { field: 'subnetIds', message: expect.stringMatching(/got an object$/) },
    ]);
  });

  it('reports two malformed ids each once, never as duplicates of each other', () => {
    expect(
      violationsOf({ ...minimal, subnetIds: ['subnet-x', 'subnet-y'] }).map((v) => v.field),
    ).toStrictEqual(['subnetIds[0]', 'subnetIds[1]']);
  });
});

describe('parseProvisioningRequest keeps every value it is given', () => {
  it('keeps a connectionStringTimeoutSeconds other than the default', () => {
    expect(parseProvisioningRequest({ ...minimal, connectionStringTimeoutSeconds: 600 })).toMatchObject({
      connectionStringTimeoutSeconds: 600,
    });
  });
});

describe('parseProvisioningRequest refuses regions with the words that say what to do', () => {
  it('for another region without crossRegion', () => {
    expect(
      violationsOf({ ...minimal, region: 'eu-west-1' }, { deploymentRegion: 'us-east-1' }),
    ).toStrictEqual([{ field: 'region', message: regionMismatch('eu-west-1', 'us-east-1') }]);
    expect(regionMismatch('eu-west-1', 'us-east-1')).toBe(
      'the endpoint service would be in eu-west-1, but this deployment creates VPC endpoints in us-east-1; ' +
        'ask for us-east-1, set crossRegion: true to reach eu-west-1 through a cross-region endpoint ' +
        '(AWS charges inter-region data transfer), or use a deployment in eu-west-1',
    );
  });

  it('for another partition, even with crossRegion', () => {
    expect(regionProblem('us-gov-west-1', 'us-east-1', true)).toBe(
      "the endpoint service would be in us-gov-west-1, another AWS partition than this deployment's us-east-1; " +
        'cross-region PrivateLink stays within one partition',
    );
  });

  it('for nothing in the same region, or another region of the partition with crossRegion', () => {
    expect(regionProblem('us-east-1', 'us-east-1', false)).toBeUndefined();
    expect(regionProblem('eu-west-1', 'us-east-1', true)).toBeUndefined();
  });
});

describe('parseProvisioningRequest and the allow-lists', () => {
  const lists: RequestContext = { allowedVpcIds: [VPC], allowedGroupIds: [GROUP] };

  it('refuses a project and a VPC outside them with words naming what, the prop and the list', () => {
    expect(violationsOf({ ...minimal, groupId: OTHER_GROUP, vpcId: OTHER_VPC }, lists)).toStrictEqual([
      {
        field: 'groupId',
        message: `this deployment may only use the Atlas projects its allowedGroupIds lists (${GROUP})`,
      },
      { field: 'vpcId', message: `this deployment may only use the VPCs its allowedVpcIds lists (${VPC})` },
    ]);
  });

  it('reports a malformed project id as malformed, not also as outside the list', () => {
    expect(violationsOf({ ...minimal, groupId: 'nope' }, lists)).toStrictEqual([
      {
        field: 'groupId',
        message: 'expected 24 hexadecimal characters (the Atlas project id), got "nope"',
      },
    ]);
  });
});

describe('notAllowed', () => {
  it('lists up to three allowed values', () => {
    expect(notAllowed('VPCs', 'allowedVpcIds', ['a', 'b', 'c'])).toBe(
      'this deployment may only use the VPCs its allowedVpcIds lists (a, b, c)',
    );
  });

  it('lists the first three of more, and counts the rest', () => {
    expect(notAllowed('VPCs', 'allowedVpcIds', ['a', 'b', 'c', 'd', 'e'])).toBe(
      'this deployment may only use the VPCs its allowedVpcIds lists (a, b, c and 2 more)',
    );
  });

  it('says none for an empty list', () => {
    expect(notAllowed('tag keys', 'allowedTagKeys', [])).toBe(
      'this deployment may only use the tag keys its allowedTagKeys lists (none)',
    );
  });
});

describe('refuseOutsideAllowLists (what each writing function checks itself)', () => {
  const lists: RequestContext = { allowedVpcIds: [VPC], allowedGroupIds: [GROUP] };

  it('lets through a project and a VPC on the lists', () => {
    expect(() => refuseOutsideAllowLists(lists, { groupId: GROUP, vpcId: VPC })).not.toThrow();
  });

  it('lets through anything when the lists are "*" or not set', () => {
    const any: RequestContext = { allowedVpcIds: '*', allowedGroupIds: '*' };

    expect(() => refuseOutsideAllowLists(any, { groupId: OTHER_GROUP, vpcId: OTHER_VPC })).not.toThrow();
    expect(() => refuseOutsideAllowLists({}, { groupId: OTHER_GROUP, vpcId: OTHER_VPC })).not.toThrow();
  });

  it('checks only the values it is given', () => {
    expect(() => refuseOutsideAllowLists(lists, {})).not.toThrow();
    expect(() => refuseOutsideAllowLists(lists, { vpcId: VPC })).not.toThrow();
    expect(() => refuseOutsideAllowLists(lists, { groupId: GROUP })).not.toThrow();
  });

  it('refuses a project outside allowedGroupIds, naming the field, the prop and the list', () => {
    expect(violationsOfRefusal(() => refuseOutsideAllowLists(lists, { groupId: OTHER_GROUP }))).toStrictEqual(
      [
        {
          field: 'groupId',
          message: `this deployment may only use the Atlas projects its allowedGroupIds lists (${GROUP})`,
        },
      ],
    );
  });

  it('refuses a VPC outside allowedVpcIds, naming the field, the prop and the list', () => {
    expect(
      violationsOfRefusal(() => refuseOutsideAllowLists(lists, { groupId: GROUP, vpcId: OTHER_VPC })),
    ).toStrictEqual([
      { field: 'vpcId', message: `this deployment may only use the VPCs its allowedVpcIds lists (${VPC})` },
    ]);
  });

  it('names both at once', () => {
    expect(
      violationsOfRefusal(() =>
        refuseOutsideAllowLists(lists, { groupId: OTHER_GROUP, vpcId: OTHER_VPC }),
      ).map((v) => v.field),
    ).toStrictEqual(['groupId', 'vpcId']);
  });
});

describe('parseProvisioningRequest and the recorded caller (requestedBy)', () => {
  const REFUSAL = 'expected the caller, a string of 1 to 2048 characters without control characters, got';

  it.each([
    ['one character', 'x'],
    ['exactly 2048 characters', 'a'.repeat(2048)],
    ['a role ARN', 'arn:aws:iam::123456789012:role/platform-ci'],
  ])('keeps a requestedBy of %s', (_what, requestedBy) => {
    expect(parseProvisioningRequest({ ...minimal, requestedBy }).requestedBy).toBe(requestedBy);
  });

  it('adds no requestedBy when the input has none (a console start)', () => {
    expect(Object.keys(parseProvisioningRequest(minimal))).not.toContain('requestedBy');
  });

  it.each([
    ['empty', '', '""'],
    ['2049 characters', 'a'.repeat(2049), JSON.stringify('a'.repeat(2049)).slice(0, 20)],
    ['a number', 42, '42'],
    ['null', null, 'null'],
    ['a control character', 'arn:aws:iam::123456789012:role/x\u0007', 'arn:aws:iam::'],
  ])('refuses a requestedBy that is %s, naming the field and what it expected', (_what, requestedBy, got) => {
    const violations = violationsOf({ ...minimal, requestedBy });
    expect(violations).toHaveLength(1);
    expect(violations[0]?.field).toBe('requestedBy');
    expect(violations[0]?.message.startsWith(REFUSAL)).toBe(true);
    expect(violations[0]?.message).toContain(got);
  });

  it('lists the fields a user writes for an unknown one, without requestedBy', () => {
    const [violation] = violationsOf({ ...minimal, colour: 'blue' });
    expect(violation).toStrictEqual({
      field: 'colour',
      message:
        'unknown field; expected only groupId, endpointServiceId, region, vpcId, subnetIds, securityGroupIds, maxAttempts, timeoutSeconds, connectionStringTimeoutSeconds, tags, crossRegion',
    });
  });
});

describe('executionTagValue', () => {
  it('is the execution ARN the state passes ($$.Execution.Id), not its guessable name', () => {
    const executionArn =
      'arn:aws:states:us-east-1:123456789012:execution:AtlasPrivateLink-Provisioning:key-1';
    expect(executionTagValue({ executionArn })).toBe(executionArn);
  });
});
