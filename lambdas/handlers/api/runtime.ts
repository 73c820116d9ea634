import { createHash } from 'node:crypto';
import { sfnClient } from '../../adapters/clients';
import { Executions } from '../../adapters/Executions';
import { logger } from '../runtime';

export interface ApiRuntime {
  readonly logger: typeof logger;
  executions(): Pick<Executions, 'start' | 'describe'>;
  hash(text: string): string;
}

export const ApiEnv = { stateMachineArn: 'STATE_MACHINE_ARN' } as const;

let executions: Executions | undefined;

export const lambdaApiRuntime: ApiRuntime = {
  logger,
  executions: () => {
    executions ??= new Executions(sfnClient(), process.env[ApiEnv.stateMachineArn] ?? '');
    return executions;
  },
  hash: (text) => createHash('sha256').update(text).digest('hex'),
};
