import { EC2Client } from '@aws-sdk/client-ec2';
import { clientGeneration, sdkClientConfig } from '../../adapters/sdkConfig';
import { VpcEndpoints } from '../../adapters/VpcEndpoints';

let cached: { generation: number; vpcEndpoints: VpcEndpoints } | undefined;

/** The EC2 VPC endpoints adapter of this process; the SDK reads region and endpoint from the environment. */
export function vpcEndpointsFromEnv(): VpcEndpoints {
  if (cached?.generation !== clientGeneration()) {
    cached = {
      generation: clientGeneration(),
      vpcEndpoints: new VpcEndpoints(new EC2Client(sdkClientConfig())),
    };
  }
  return cached.vpcEndpoints;
}
