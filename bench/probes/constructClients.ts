/**
 * Bundled and run in a fresh process by the cold-start bench: how long constructing each client the
 * handlers build on first use takes once its module is loaded (no request is sent).
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { AtlasClient } from '../../lambdas/atlas/AtlasClient';

const timed = (construct: () => unknown): number => {
  const started = performance.now();
  construct();
  return performance.now() - started;
};

export function constructClients(): Record<string, number> {
  return {
    EC2Client: timed(() => new EC2Client({})),
    SecretsManagerClient: timed(() => new SecretsManagerClient({})),
    SFNClient: timed(() => new SFNClient({})),
    AtlasClient: timed(
      () => new AtlasClient({ credentials: { publicKey: 'abcdefgh', privateKey: 'not-a-real-private-key' } }),
    ),
  };
}
