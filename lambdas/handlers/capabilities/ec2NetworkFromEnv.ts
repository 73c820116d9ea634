import { ec2Client } from '../../adapters/clients';
import { Ec2Network } from '../../adapters/Ec2Network';

let cached: { client: ReturnType<typeof ec2Client>; network: Ec2Network } | undefined;

/** The EC2 network reads of this process, around the process's EC2 client (see `adapters/clients`). */
export function ec2NetworkFromEnv(): Ec2Network {
  const client = ec2Client();
  if (cached?.client !== client) cached = { client, network: new Ec2Network(client) };
  return cached.network;
}
