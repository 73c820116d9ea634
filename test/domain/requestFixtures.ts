import { expect } from 'vitest';
import { parseProvisioningRequest, type RequestContext } from '../../lambdas/domain/request';
import { type FieldViolation, InvalidRequestError } from '../../lambdas/errors';

export const GROUP = '5f0c1a2b3c4d5e6f7a8b9c0d';
export const VPC = 'vpc-0123456789abcdef0';
export const SUBNET = 'subnet-0123456789abcdef0';

/** The smallest request `parseProvisioningRequest` accepts. */
export const minimal = { groupId: GROUP, region: 'us-east-1', vpcId: VPC, subnetIds: [SUBNET] };

/** The violations `parseProvisioningRequest` reports for `input` (fails the test if it accepts it). */
export function violationsOf(input: unknown, context?: RequestContext): readonly FieldViolation[] {
  try {
    parseProvisioningRequest(input, context);
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidRequestError);
    return (error as InvalidRequestError).violations;
  }
  throw new Error(`expected ${JSON.stringify(input)} to be refused`);
}
