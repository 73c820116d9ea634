import { ec2Client } from '../../adapters/clients';
import { VpcEndpoints } from '../../adapters/VpcEndpoints';

let cached: { client: ReturnType<typeof ec2Client>; vpcEndpoints: VpcEndpoints } | undefined;

/** The EC2 VPC endpoints adapter of this process, around the process's EC2 client (see `adapters/clients`). */
export function vpcEndpointsFromEnv(): VpcEndpoints {
  const client = ec2Client();
  if (cached?.client !== client) cached = { client, vpcEndpoints: new VpcEndpoints(client) };
  return cached.vpcEndpoints;
}
