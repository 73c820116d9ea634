import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { AllowList } from '../../infra/AllowList';
import { AppContextError, readAppContext } from '../../infra/app';
import { MISSING_ALLOW_LISTS } from '../../infra/stackFromContext';

const COMPLETE = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:atlas-api-key-AbCdEf';

const LISTS = { allowedVpcIds: 'vpc-0123456789abcdef0', allowedGroupIds: '*' };
const read = (context: Record<string, unknown>) =>
  readAppContext(new App({ context: { ...LISTS, ...context } }));
const readAsGiven = (context: Record<string, unknown>) => readAppContext(new App({ context }));

function refusal(context: Record<string, unknown>): string {
  try {
    read(context);
  } catch (error) {
    if (error instanceof AppContextError) return error.message;
    throw error;
  }
  throw new Error('expected an AppContextError');
}

describe('GIVEN the CDK app context', () => {
  describe('WHEN it holds valid values or none', () => {
    it('THEN the stack gets them, and the stack name defaults to AtlasPrivateLink', () => {
      const lists = {
        allowedVpcIds: AllowList.of('vpc-0123456789abcdef0'),
        allowedGroupIds: AllowList.any(),
      };
      expect(read({})).toEqual({ stackName: 'AtlasPrivateLink', stackProps: lists });
      expect(
        read({ atlasSecretArn: COMPLETE, atlasBaseUrl: 'https://cloud.mongodbgov.com', stackName: 'Team-A' }),
      ).toEqual({
        stackName: 'Team-A',
        stackProps: { ...lists, atlasSecretArn: COMPLETE, atlasBaseUrl: 'https://cloud.mongodbgov.com' },
      });
    });
  });

  describe('WHEN an allow-list is missing', () => {
    it.each([{}, { allowedVpcIds: '*' }, { allowedGroupIds: '*' }])(
      'THEN %j fails with one line naming both and what * means',
      (context) => {
        let message = '';
        try {
          readAsGiven(context);
        } catch (error) {
          expect(error).toBeInstanceOf(AppContextError);
          message = (error as Error).message;
        }
        expect(message).toBe(MISSING_ALLOW_LISTS);
        expect(message).toContain('* for any');
        expect(message).not.toContain('\n');
      },
    );
  });

  describe('WHEN atlasSecretArn is not a complete secret ARN', () => {
    it('THEN a secret name fails, naming the value and how to find the ARN', () => {
      expect(refusal({ atlasSecretArn: 'atlas-api-key' })).toBe(
        "context atlasSecretArn: expected the secret's complete ARN, arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters> " +
          '(aws secretsmanager describe-secret --secret-id <name> --query ARN prints it), got "atlas-api-key".',
      );
    });

    it('THEN an ARN without the 6-character suffix fails, saying the suffix is missing', () => {
      expect(refusal({ atlasSecretArn: COMPLETE.slice(0, -7) })).toMatch(
        /got "arn:aws:secretsmanager:us-east-1:123456789012:secret:atlas-api-key"\. It lacks the "-" and 6 characters Secrets Manager adds to the name\.$/,
      );
    });
  });

  describe('WHEN another value cannot work', () => {
    it.each([
      [{ atlasBaseUrl: 'cloud.mongodbgov.com' }, /^context atlasBaseUrl: expected an https URL/],
      [{ atlasBaseUrl: 'http://cloud.mongodb.com' }, /^context atlasBaseUrl: expected an https URL/],
      [
        { stackName: 'my_stack' },
        /^context stackName: expected a letter, then up to 127 letters, digits or hyphens/,
      ],
      [{ atlasSecretArn: 42 }, /^context atlasSecretArn: expected a string, got 42$/],
    ])('THEN %j fails naming it', (context, message) => {
      expect(refusal(context)).toMatch(message);
    });
  });
});

describe('GIVEN the shared-account context values', () => {
  it('THEN lambdaVpcId and lambdaSubnetIds become the VPC of the functions that call Atlas', () => {
    const { stackProps } = read({
      lambdaVpcId: 'vpc-0123456789abcdef0',
      lambdaSubnetIds: 'subnet-0123456789abcdef0, subnet-0fedcba9876543210',
      apiGatewayCloudWatchRole: 'true',
      atlasSecretKmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    });

    expect(stackProps.atlasCallersVpc).toEqual({
      vpcId: 'vpc-0123456789abcdef0',
      subnetIds: ['subnet-0123456789abcdef0', 'subnet-0fedcba9876543210'],
    });
    expect(stackProps.apiGatewayCloudWatchRole).toBe(true);
    expect(stackProps.atlasSecretKmsKeyArn).toMatch(/:key\/1234abcd/);
  });

  it.each([
    [{ lambdaVpcId: 'vpc-0123456789abcdef0' }, /^context lambdaVpcId and lambdaSubnetIds: give both/],
    [{ lambdaSubnetIds: 'subnet-0123456789abcdef0' }, /^context lambdaVpcId and lambdaSubnetIds: give both/],
    [{ lambdaVpcId: 'vpc-1', lambdaSubnetIds: 'subnet-0123456789abcdef0' }, /^context lambdaVpcId: expected/],
    [
      { lambdaVpcId: 'vpc-0123456789abcdef0', lambdaSubnetIds: 'subnet-x,' },
      /^context lambdaSubnetIds: expected/,
    ],
    [{ apiGatewayCloudWatchRole: 'yes' }, /^context apiGatewayCloudWatchRole: expected true or false/],
    [{ atlasSecretKmsKeyArn: 'alias/atlas' }, /^context atlasSecretKmsKeyArn: expected a KMS key ARN/],
  ])('THEN %j fails naming it', (context, message) => {
    expect(refusal(context)).toMatch(message);
  });
});

describe('GIVEN the API access context values', () => {
  it.each([
    [{ apiPrincipalOrgId: 'org-1' }, /^context apiPrincipalOrgId: expected an organization id/],
    [{ apiPrincipalArns: 'platform-team' }, /^context apiPrincipalArns: expected IAM role or user ARNs/],
    [{ apiVpcEndpointIds: 'vpc-0123456789abcdef0' }, /^context apiVpcEndpointIds: expected execute-api/],
    [
      { eventPublishers: 'orders-service' },
      /^context eventPublishers: expected IAM role or user ARNs .*, or \* for any/,
    ],
    [
      { eventPublishers: 'arn:aws:sts::123456789012:assumed-role/orders/session' },
      /^context eventPublishers: expected IAM role or user ARNs/,
    ],
  ])('THEN %j fails naming it', (context, message) => {
    expect(refusal(context)).toMatch(message);
  });
});
