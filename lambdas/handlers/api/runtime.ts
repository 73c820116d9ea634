import { createHash } from 'node:crypto';
import { sfnClient } from '../../adapters/clients';
import { Executions } from '../../adapters/Executions';
import type { VpcEndpoints } from '../../adapters/VpcEndpoints';
import { Defaults } from '../../defaults';
import type { RequestContext } from '../../domain/request';
import { deploymentRequestContext, logger, RuntimeEnv } from '../runtime';

export interface ApiRuntime {
  readonly logger: typeof logger;
  /** The provisioning state machine's executions. */
  executions(): Pick<Executions, 'start' | 'describe' | 'list' | 'nameOf'>;
  /** The deprovisioning state machine's executions. */
  deprovisionings(): Pick<Executions, 'start' | 'describe'>;
  /** EC2's VPC endpoints, for the functions that read tags (the list, a deletion by `vpcEndpointId`). */
  vpcEndpoints(): Pick<VpcEndpoints, 'describe' | 'findByTag'>;
  /** The value of the `atlas-privatelink:managed-by` tag this deployment puts on its endpoints. */
  managedBy(): string;
  hash(text: string): string;
  /** What requests are checked against: the region and the deployment's allow-lists. */
  requestContext(): RequestContext;
  /** Principals who may read and delete every provisioning through the API (`endpointReaders`). */
  endpointReaders(): readonly string[];
}

export { ApiEnv } from '../environment';

import { ApiEnv } from '../environment';

type Cached = { client: ReturnType<typeof sfnClient>; executions: Executions } | undefined;
const cached: Record<string, Cached> = {};

/** The executions of the state machine named by `variable`, around the process's Step Functions client. */
function executionsOf(variable: string): Executions {
  // A new SDK client (only ever offline: see forgetClients) gets a new adapter around it.
  const client = sfnClient();
  const current = cached[variable];
  if (current?.client === client) return current.executions;
  const executions = new Executions(client, process.env[variable] ?? '');
  cached[variable] = { client, executions };
  return executions;
}

const missing = (what: string) => () => {
  throw new Error(`${what} is not available to this function`);
};

/** An API function's runtime; `vpcEndpoints` only for the functions that ask for it (their bundles carry EC2). */
export function apiRuntimeWith(
  capabilities: { readonly vpcEndpoints?: () => VpcEndpoints } = {},
): ApiRuntime {
  return {
    logger,
    executions: () => executionsOf(ApiEnv.stateMachineArn),
    deprovisionings: () => executionsOf(ApiEnv.deprovisioningStateMachineArn),
    vpcEndpoints: capabilities.vpcEndpoints ?? (missing('EC2') as () => VpcEndpoints),
    managedBy: () => process.env[RuntimeEnv.managedBy] ?? Defaults.stackName,
    hash: (text) => createHash('sha256').update(text).digest('hex'),
    requestContext: deploymentRequestContext,
    endpointReaders: () =>
      (process.env[ApiEnv.endpointReaders] ?? '')
        .split(',')
        .map((arn) => arn.trim())
        .filter((arn) => arn !== ''),
  };
}

export const lambdaApiRuntime: ApiRuntime = apiRuntimeWith();
