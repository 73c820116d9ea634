import { sfnClient } from '../../adapters/clients';
import { Executions } from '../../adapters/Executions';
import { ApiEnv } from '../environment';

let cached: { client: ReturnType<typeof sfnClient>; executions: Executions } | undefined;

/** The provisioning state machine's executions (`STATE_MACHINE_ARN`), around the process's Step Functions client. */
export function provisioningsFromEnv(): Executions {
  const client = sfnClient();
  if (cached?.client !== client) {
    cached = { client, executions: new Executions(client, process.env[ApiEnv.stateMachineArn] ?? '') };
  }
  return cached.executions;
}
