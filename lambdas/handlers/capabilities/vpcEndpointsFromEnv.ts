import { EC2Client } from '@aws-sdk/client-ec2';
import { VpcEndpoints } from '../../adapters/VpcEndpoints';

let vpcEndpoints: VpcEndpoints | undefined;

/** The EC2 VPC endpoints adapter of this process; the SDK reads region and endpoint from the environment. */
export function vpcEndpointsFromEnv(): VpcEndpoints {
  vpcEndpoints ??= new VpcEndpoints(new EC2Client({}));
  return vpcEndpoints;
}
