import { describe, expect, it } from 'vitest';
import { parseProvisioningRequest, type RequestContext, RequestLimits } from '../../lambdas/domain/request';
import type { FieldViolation, InvalidRequestError } from '../../lambdas/errors';
import { GROUP, minimal, SUBNET, VPC, violationsOf } from './requestFixtures';

const SERVICE = '6a0b1c2d3e4f5a6b7c8d9e0f';
const SUBNET_SHORT = 'subnet-0a1b2c3d';
const SG = 'sg-0123456789abcdef0';

function onlyViolationOf(input: unknown, context?: RequestContext): FieldViolation {
  const violations = violationsOf(input, context);
  expect(violations).toHaveLength(1);
  return violations[0]!;
}

const hex = (n: number) => Array.from({ length: n }, (_, i) => (i % 16).toString(16)).join('');
const subnet = (i: number) => `subnet-${i.toString(16).padStart(17, '0')}`;
const sg = (i: number) => `sg-${i.toString(16).padStart(17, '0')}`;

describe('parseProvisioningRequest accepts', () => {
  it('a minimal request with a region, applying every default', () => {
    // Act
    const request = parseProvisioningRequest(minimal);

    // Assess
    expect(request).toStrictEqual({
      groupId: GROUP,
      region: 'us-east-1',
      vpcId: VPC,
      subnetIds: [SUBNET],
      securityGroupIds: [],
      maxAttempts: RequestLimits.defaultMaxAttempts,
      timeoutSeconds: RequestLimits.defaultTimeoutSeconds,
      connectionStringTimeoutSeconds: RequestLimits.defaultConnectionStringTimeoutSeconds,
      tags: {},
    });
  });

  it('a full request naming its endpoint service, keeping every given value', () => {
    // Prepare
    const full = {
      groupId: GROUP,
      endpointServiceId: SERVICE,
      vpcId: VPC,
      subnetIds: [SUBNET, SUBNET_SHORT],
      securityGroupIds: [SG],
      maxAttempts: 5,
      timeoutSeconds: 7200,
      connectionStringTimeoutSeconds: 0,
      tags: { team: 'data', 'cost-center': '42' },
    };

    // Act
    const request = parseProvisioningRequest(full);

    // Assess
    expect(request).toStrictEqual(full);
    expect(request).not.toHaveProperty('region');
  });

  it('the bounds themselves: 1 and 10 attempts, 60 s and 6 h, 16 subnets, 5 security groups', () => {
    // Prepare
    const atBounds = [
      { ...minimal, maxAttempts: 1, timeoutSeconds: RequestLimits.minTimeoutSeconds },
      { ...minimal, maxAttempts: RequestLimits.maxAttempts, timeoutSeconds: RequestLimits.maxTimeoutSeconds },
      {
        ...minimal,
        subnetIds: Array.from({ length: RequestLimits.maxSubnets }, (_, i) => subnet(i)),
        securityGroupIds: Array.from({ length: RequestLimits.maxSecurityGroups }, (_, i) => sg(i)),
      },
    ];

    // Act & Assess
    for (const input of atBounds) expect(() => parseProvisioningRequest(input)).not.toThrow();
  });

  it.each(['us-east-1', 'eu-west-3', 'ap-southeast-2', 'us-gov-west-1'])('the region %s', (region) => {
    expect(parseProvisioningRequest({ ...minimal, region }).region).toBe(region);
  });

  it.each([
    ['EU_WEST_3', 'eu-west-3'],
    ['US_GOV_WEST_1', 'us-gov-west-1'],
  ])('the region in Atlas form %s, reporting it as %s', (region, aws) => {
    expect(parseProvisioningRequest({ ...minimal, region }).region).toBe(aws);
  });

  it("a region in either form that is the deployment's own", () => {
    for (const region of ['eu-west-1', 'EU_WEST_1']) {
      const request = parseProvisioningRequest({ ...minimal, region }, { deploymentRegion: 'eu-west-1' });
      expect(request.region).toBe('eu-west-1');
    }
  });
});

describe('parseProvisioningRequest refuses a region other than the deployment’s', () => {
  it.each(['eu-west-1', 'EU_WEST_1'])(
    '%s in a deployment in us-east-1 without crossRegion, naming the field, both regions and crossRegion',
    (region) => {
      const violation = onlyViolationOf({ ...minimal, region }, { deploymentRegion: 'us-east-1' });

      expect(violation.field).toBe('region');
      expect(violation.message).toContain('eu-west-1');
      expect(violation.message).toContain('us-east-1');
      expect(violation.message).toContain('crossRegion: true');
      expect(violation.message).not.toContain('EU_WEST_1');
    },
  );

  it('as it does with crossRegion: false', () => {
    const violation = onlyViolationOf(
      { ...minimal, region: 'eu-west-1', crossRegion: false },
      { deploymentRegion: 'us-east-1' },
    );

    expect(violation.field).toBe('region');
  });

  it('in another AWS partition even with crossRegion, which stays within one', () => {
    const violation = onlyViolationOf(
      { ...minimal, region: 'us-gov-west-1', crossRegion: true },
      { deploymentRegion: 'us-east-1' },
    );

    expect(violation.field).toBe('region');
    expect(violation.message).toContain('partition');
  });
});

describe('parseProvisioningRequest with crossRegion', () => {
  it.each(['eu-west-1', 'EU_WEST_1'])('accepts %s from a deployment in us-east-1', (region) => {
    const request = parseProvisioningRequest(
      { ...minimal, region, crossRegion: true },
      { deploymentRegion: 'us-east-1' },
    );

    expect(request).toMatchObject({ region: 'eu-west-1', crossRegion: true });
  });

  it("accepts it for the deployment's own region and for a named service", () => {
    const context = { deploymentRegion: 'us-east-1' };

    expect(parseProvisioningRequest({ ...minimal, crossRegion: true }, context).crossRegion).toBe(true);
    const { region: _region, ...named } = minimal;
    expect(
      parseProvisioningRequest({ ...named, endpointServiceId: SERVICE, crossRegion: true }, context),
    ).toMatchObject({ endpointServiceId: SERVICE, crossRegion: true });
  });

  it('leaves it out of the request when false or not given', () => {
    expect(parseProvisioningRequest({ ...minimal, crossRegion: false })).not.toHaveProperty('crossRegion');
    expect(parseProvisioningRequest(minimal)).not.toHaveProperty('crossRegion');
  });

  it.each([['yes'], [1], [null], [{}]])(
    'refuses %j, naming only crossRegion even for another region',
    (crossRegion) => {
      const violation = onlyViolationOf(
        { ...minimal, region: 'eu-west-1', crossRegion },
        { deploymentRegion: 'us-east-1' },
      );

      expect(violation.field).toBe('crossRegion');
      expect(violation.message).toContain('expected true or false');
    },
  );
});

describe('parseProvisioningRequest refuses', () => {
  it.each([
    ['null', null],
    ['an array', [minimal]],
    ['a string', JSON.stringify(minimal)],
    ['a number', 42],
    ['nothing', undefined],
  ])('%s as the request, saying a JSON object is expected', (_what, input) => {
    const violation = onlyViolationOf(input);

    expect(violation.field).toBe('(request)');
    expect(violation.message).toMatch(/expected a JSON object/);
  });

  it.each([
    ['missing', undefined],
    ['too short', GROUP.slice(1)],
    ['upper case', GROUP.toUpperCase()],
    ['not a string', 42],
  ])('a groupId that is %s, naming the field and its form', (_what, groupId) => {
    const violation = onlyViolationOf({ ...minimal, groupId });

    expect(violation.field).toBe('groupId');
    expect(violation.message).toContain('24 hexadecimal characters');
  });

  it('both endpointServiceId and region', () => {
    const violation = onlyViolationOf({ ...minimal, endpointServiceId: SERVICE });

    expect(violation).toStrictEqual({
      field: 'endpointServiceId',
      message: 'give either endpointServiceId or region, not both',
    });
  });

  it('neither endpointServiceId nor region, naming both forms', () => {
    const { region: _region, ...withoutRegion } = minimal;

    const violation = onlyViolationOf(withoutRegion);

    expect(violation.field).toBe('region');
    expect(violation.message).toContain('"us-east-1"');
    expect(violation.message).toContain('endpointServiceId (24 hexadecimal characters)');
  });

  it.each(['us_east_1', 'us-east', 'useast1', ''])('the region %j, naming the expected form', (region) => {
    const violation = onlyViolationOf({ ...minimal, region });

    expect(violation.field).toBe('region');
    expect(violation.message).toContain('an AWS region name such as "us-east-1"');
  });

  it('a malformed endpointServiceId', () => {
    const { region: _region, ...withoutRegion } = minimal;

    const violation = onlyViolationOf({ ...withoutRegion, endpointServiceId: 'svc-1' });

    expect(violation.field).toBe('endpointServiceId');
    expect(violation.message).toContain('24 hexadecimal characters (the Atlas endpoint service id)');
    expect(violation.message).toContain('"svc-1"');
  });

  it.each(['vpc-123', 'vpc-0123456789ABCDEF0', 'subnet-0a1b2c3d', undefined])('the vpcId %j', (vpcId) => {
    const violation = onlyViolationOf({ ...minimal, vpcId });

    expect(violation.field).toBe('vpcId');
    expect(violation.message).toContain('"vpc-" followed by 8 or 17 hexadecimal characters');
  });

  it('an empty subnetIds, saying how many are allowed', () => {
    const violation = onlyViolationOf({ ...minimal, subnetIds: [] });

    expect(violation.field).toBe('subnetIds');
    expect(violation.message).toContain(`an array of 1 to ${RequestLimits.maxSubnets} ids`);
    expect(violation.message).toMatch(/got 0$/);
  });

  it('more subnets than the limit', () => {
    const subnetIds = Array.from({ length: RequestLimits.maxSubnets + 1 }, (_, i) => subnet(i));

    const violation = onlyViolationOf({ ...minimal, subnetIds });

    expect(violation.field).toBe('subnetIds');
    expect(violation.message).toMatch(new RegExp(`got ${RequestLimits.maxSubnets + 1}$`));
  });

  it('subnetIds that is not an array', () => {
    const violation = onlyViolationOf({ ...minimal, subnetIds: SUBNET });

    expect(violation.field).toBe('subnetIds');
    expect(violation.message).toContain('expected an array of');
  });

  it('a bad subnet id, naming its index as subnetIds[1]', () => {
    const violation = onlyViolationOf({ ...minimal, subnetIds: [SUBNET, 'subnet-xyz'] });

    expect(violation.field).toBe('subnetIds[1]');
    expect(violation.message).toContain('"subnet-" followed by 8 or 17 hexadecimal characters');
    expect(violation.message).toContain('"subnet-xyz"');
  });

  it('a duplicate subnet id, naming the repeat', () => {
    const violation = onlyViolationOf({ ...minimal, subnetIds: [SUBNET, SUBNET_SHORT, SUBNET] });

    expect(violation.field).toBe('subnetIds[2]');
    expect(violation.message).toContain('duplicate');
    expect(violation.message).toContain(SUBNET);
  });

  it('more security groups than the limit', () => {
    const securityGroupIds = Array.from({ length: RequestLimits.maxSecurityGroups + 1 }, (_, i) => sg(i));

    const violation = onlyViolationOf({ ...minimal, securityGroupIds });

    expect(violation.field).toBe('securityGroupIds');
    expect(violation.message).toContain(`an array of 0 to ${RequestLimits.maxSecurityGroups} ids`);
  });

  it('a bad security group id, naming its index', () => {
    const violation = onlyViolationOf({ ...minimal, securityGroupIds: ['sg-nothex!'] });

    expect(violation.field).toBe('securityGroupIds[0]');
    expect(violation.message).toContain('"sg-" followed by 8 or 17 hexadecimal characters');
  });

  it.each([0, 11, 1.5, -1, '3', null])('maxAttempts %j, naming the allowed range', (maxAttempts) => {
    const violation = onlyViolationOf({ ...minimal, maxAttempts });

    expect(violation.field).toBe('maxAttempts');
    expect(violation.message).toContain(`an integer from 1 to ${RequestLimits.maxAttempts}`);
  });

  it.each([RequestLimits.minTimeoutSeconds - 1, RequestLimits.maxTimeoutSeconds + 1, 600.5, '3600'])(
    'timeoutSeconds %j, naming the allowed range',
    (timeoutSeconds) => {
      const violation = onlyViolationOf({ ...minimal, timeoutSeconds });

      expect(violation.field).toBe('timeoutSeconds');
      expect(violation.message).toContain(
        `an integer from ${RequestLimits.minTimeoutSeconds} to ${RequestLimits.maxTimeoutSeconds}`,
      );
    },
  );

  it.each([-1, RequestLimits.maxConnectionStringTimeoutSeconds + 1, 30.5, '1800', null])(
    'connectionStringTimeoutSeconds %j, naming the allowed range (0 allowed: do not wait)',
    (connectionStringTimeoutSeconds) => {
      const violation = onlyViolationOf({ ...minimal, connectionStringTimeoutSeconds });

      expect(violation.field).toBe('connectionStringTimeoutSeconds');
      expect(violation.message).toContain(
        `an integer from 0 to ${RequestLimits.maxConnectionStringTimeoutSeconds}`,
      );
    },
  );

  it.each([
    'aws:cloudformation:stack-name',
    'AWS:Owner',
    'atlas-privatelink:managed-by',
    'Atlas-PrivateLink:execution',
  ])('the reserved tag key %s', (key) => {
    const violation = onlyViolationOf({ ...minimal, tags: { [key]: 'x' } });

    expect(violation.field).toBe(`tags.${key}`);
    expect(violation.message).toContain('reserved');
  });

  it('a tag key longer than 128 characters', () => {
    const key = 'k'.repeat(129);

    const violation = onlyViolationOf({ ...minimal, tags: { [key]: 'v' } });

    expect(violation.field).toBe(`tags.${key}`);
    expect(violation.message).toContain('1 to 128 characters');
  });

  it('a tag value longer than 256 characters, or not a string', () => {
    const violations = violationsOf({ ...minimal, tags: { long: 'v'.repeat(257), number: 7 } });

    expect(violations.map((v) => v.field)).toStrictEqual(['tags.long', 'tags.number']);
    for (const v of violations) expect(v.message).toContain('a string of at most 256 characters');
  });

  it('more tags than the limit', () => {
    const tags = Object.fromEntries(
      Array.from({ length: RequestLimits.maxTags + 1 }, (_, i) => [`k${i}`, 'v']),
    );

    const violation = onlyViolationOf({ ...minimal, tags });

    expect(violation.field).toBe('tags');
    expect(violation.message).toContain(`at most ${RequestLimits.maxTags} tags`);
  });

  it('tags that are not an object', () => {
    const violation = onlyViolationOf({ ...minimal, tags: ['a'] });

    expect(violation.field).toBe('tags');
  });

  it('unknown fields, naming each and the fields allowed', () => {
    const violations = violationsOf({ ...minimal, vpcID: VPC, extra: true });

    expect(violations.map((v) => v.field)).toStrictEqual(['vpcID', 'extra']);
    expect(violations[0]!.message).toContain('unknown field');
    expect(violations[0]!.message).toContain('groupId, endpointServiceId, region, vpcId, subnetIds');
  });

  it('a request with many problems, reporting every one of them at once', () => {
    // Prepare
    const bad = {
      groupId: 'nope',
      vpcId: 'vpc-1',
      subnetIds: [SUBNET, 'subnet-bad'],
      securityGroupIds: ['sg-bad'],
      maxAttempts: 0,
      timeoutSeconds: 1,
      tags: { 'aws:x': 'y' },
      colour: 'blue',
    };

    // Act
    const violations = violationsOf(bad);

    // Assess
    expect(violations.map((v) => v.field).sort()).toStrictEqual(
      [
        'colour',
        'groupId',
        'region',
        'vpcId',
        'subnetIds[1]',
        'securityGroupIds[0]',
        'maxAttempts',
        'timeoutSeconds',
        'tags.aws:x',
      ].sort(),
    );
  });

  it('with an error whose message lists every field and its problem', () => {
    const error = (() => {
      try {
        parseProvisioningRequest({ ...minimal, groupId: hex(23), maxAttempts: 11 });
      } catch (e) {
        return e as InvalidRequestError;
      }
    })();

    expect(error?.name).toBe('InvalidRequestError');
    expect(error?.message).toMatch(/^groupId: expected 24 hexadecimal.*; maxAttempts: expected an integer/);
  });
});

describe('parseProvisioningRequest, in a deployment with allow-lists', () => {
  const OTHER_VPC = 'vpc-0fedcba9876543210';
  const OTHER_GROUP = '6f0c1a2b3c4d5e6f7a8b9c0e';
  const lists: RequestContext = { allowedVpcIds: [VPC], allowedGroupIds: [GROUP] };

  it('accepts the VPC and the project its lists name', () => {
    expect(parseProvisioningRequest(minimal, lists)).toMatchObject({ vpcId: VPC, groupId: GROUP });
  });

  it('refuses a VPC outside allowedVpcIds, naming the field, the prop and what it allows', () => {
    const violation = onlyViolationOf({ ...minimal, vpcId: OTHER_VPC }, lists);

    expect(violation.field).toBe('vpcId');
    expect(violation.message).toContain('allowedVpcIds');
    expect(violation.message).toContain(VPC);
  });

  it('refuses a project outside allowedGroupIds, naming the field, the prop and what it allows', () => {
    const violation = onlyViolationOf({ ...minimal, groupId: OTHER_GROUP }, lists);

    expect(violation.field).toBe('groupId');
    expect(violation.message).toContain('allowedGroupIds');
    expect(violation.message).toContain(GROUP);
  });

  it('names both fields when both are outside their lists', () => {
    const fields = violationsOf({ ...minimal, vpcId: OTHER_VPC, groupId: OTHER_GROUP }, lists).map(
      (v) => v.field,
    );

    expect(fields.sort()).toStrictEqual(['groupId', 'vpcId']);
  });

  it('accepts any VPC and project when the lists are "*", an explicit choice', () => {
    const request = parseProvisioningRequest(
      { ...minimal, vpcId: OTHER_VPC, groupId: OTHER_GROUP },
      { allowedVpcIds: '*', allowedGroupIds: '*' },
    );

    expect(request).toMatchObject({ vpcId: OTHER_VPC, groupId: OTHER_GROUP });
  });

  it('reports a malformed VPC id as malformed, not as outside the list', () => {
    const violation = onlyViolationOf({ ...minimal, vpcId: 'vpc-nothex' }, lists);

    expect(violation.message).not.toContain('allowedVpcIds');
  });
});

describe('parseProvisioningRequest, in a deployment with allowedTagKeys', () => {
  const context: RequestContext = { allowedTagKeys: ['team', 'cost-center'] };

  it('accepts tags whose keys are listed', () => {
    expect(
      parseProvisioningRequest({ ...minimal, tags: { team: 'data', 'cost-center': '42' } }, context).tags,
    ).toEqual({
      team: 'data',
      'cost-center': '42',
    });
  });

  it('refuses a key it does not list, naming the tag, the prop and what it allows', () => {
    const violation = onlyViolationOf({ ...minimal, tags: { team: 'data', owner: 'eve' } }, context);

    expect(violation.field).toBe('tags.owner');
    expect(violation.message).toContain('allowedTagKeys');
    expect(violation.message).toContain('team, cost-center');
  });
});
