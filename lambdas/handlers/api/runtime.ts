import { createHash } from 'node:crypto';
import { sfnClient } from '../../adapters/clients';
import { Executions } from '../../adapters/Executions';
import type { RequestContext } from '../../domain/request';
import { deploymentRequestContext, logger } from '../runtime';

export interface ApiRuntime {
  readonly logger: typeof logger;
  executions(): Pick<Executions, 'start' | 'describe'>;
  hash(text: string): string;
  /** What requests are checked against: the region and the deployment's allow-lists. */
  requestContext(): RequestContext;
}

export { ApiEnv } from '../environment';

import { ApiEnv } from '../environment';

let executions: { client: ReturnType<typeof sfnClient>; executions: Executions } | undefined;

export const lambdaApiRuntime: ApiRuntime = {
  logger,
  executions: () => {
    // A new SDK client (only ever offline: see forgetClients) gets a new adapter around it.
    const client = sfnClient();
    if (executions?.client !== client) {
      executions = { client, executions: new Executions(client, process.env[ApiEnv.stateMachineArn] ?? '') };
    }
    return executions.executions;
  },
  hash: (text) => createHash('sha256').update(text).digest('hex'),
  requestContext: deploymentRequestContext,
};
