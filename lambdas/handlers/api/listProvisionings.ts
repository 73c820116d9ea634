import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { mayRead } from '../../domain/callers';
import { deprovisioningNameFor } from '../../domain/deprovisioning';
import { encodeListToken, parseListQuery, summarize } from '../../domain/endpointViews';
import { ManagedTag } from '../../domain/request';
import { InvalidRequestError } from '../../errors';
import { latestDeprovisioning } from '../../services/deprovisioning';
import { vpcEndpointsFromEnv } from '../capabilities/vpcEndpointsFromEnv';
import { callerOf, unsigned } from './caller';
import { json, problem } from './http';
import { type ApiRuntime, apiRuntimeWith } from './runtime';

/** Provisionings read side by side: Step Functions' describe quota is per account, so a page is read a few at a time. */
const CONCURRENCY = 8;

/**
 * `GET /endpoints?limit=&nextToken=`: this deployment's provisionings, newest first, a page at a time:
 * `{ items: [{ executionId, groupId, region, vpcEndpointId, status, startedAt }], nextToken? }`. A bad
 * `limit` or a token this API did not issue is `400` before any call. Only the caller's own provisionings
 * are listed (every one for the deployment's `endpointReaders`), so a page may hold fewer than `limit`
 * items while `nextToken` says there are more.
 */
export const createListProvisioningsHandler =
  (runtime: ApiRuntime) =>
  async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
    const caller = callerOf(event);
    if (!caller) return unsigned();
    const query = parseListQuery(event.queryStringParameters);
    if ('violations' in query) return problem(400, 'The request is invalid.', query.violations);
    try {
      const page = await runtime.executions().list({
        maxResults: query.limit,
        ...(query.stepFunctionsToken ? { nextToken: query.stepFunctionsToken } : {}),
      });
      const readers = runtime.endpointReaders();
      // Each provisioning's input says whose it is: read them all, keep the caller's.
      const described = await mapInBatches(page.executions, CONCURRENCY, async (listed) => ({
        listed,
        described: await runtime.executions().describe(listed.name),
      }));
      const visible = described.filter(
        ({ described }) => described !== undefined && mayRead(described.input, caller.requestedBy, readers),
      );
      const managedBy = runtime.managedBy();
      // Running provisionings have no output yet: their endpoint is found by its tags.
      const running = visible
        .filter(({ listed }) => listed.status === 'RUNNING')
        .map(({ listed }) => listed.executionArn);
      const tagged =
        running.length > 0 ? await runtime.vpcEndpoints().findByTag(ManagedTag.execution, running) : [];
      const items = await mapInBatches(visible, CONCURRENCY, async ({ listed, described }) => {
        const provisioning = described ?? listed;
        const deprovisioning =
          provisioning.status === 'SUCCEEDED'
            ? await latestDeprovisioning(
                runtime.deprovisionings(),
                deprovisioningNameFor(listed.name, runtime.hash),
              )
            : undefined;
        return summarize({
          provisioning,
          deprovisioningStatus: deprovisioning?.status,
          tagged,
          managedBy,
          deploymentRegion: runtime.requestContext().deploymentRegion,
        });
      });
      return json(200, {
        items,
        ...(page.nextToken ? { nextToken: encodeListToken(page.nextToken) } : {}),
      });
    } catch (error) {
      if (error instanceof InvalidRequestError)
        return problem(400, 'The request is invalid.', error.violations);
      runtime.logger.error('could not list the provisionings', { error: (error as Error).name });
      return {
        ...problem(503, 'Could not list the provisionings; try again.'),
        headers: { 'Content-Type': 'application/json', 'Retry-After': '5' },
      };
    }
  };

async function mapInBatches<T, R>(
  items: readonly T[],
  size: number,
  map: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += size) {
    results.push(...(await Promise.all(items.slice(i, i + size).map(map))));
  }
  return results;
}

export const handler = createListProvisioningsHandler(apiRuntimeWith({ vpcEndpoints: vpcEndpointsFromEnv }));
