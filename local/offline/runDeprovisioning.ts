/**
 * One deprovisioning, offline: asks the local API to delete what a provisioning created (as a user would,
 * `DELETE /endpoints/{executionId}`), follows the deprovisioning to its end and reads both emulators.
 */
import type { Leftovers, OfflineEnvironment } from './OfflineEnvironment';

/** What `npm start -- --then-delete --json` adds to its report. */
export interface DeprovisioningReport {
  /** `DELETED` once the deprovisioning succeeded; `FAILED` when it failed or the API refused it. */
  readonly status: 'DELETED' | 'FAILED';
  readonly deprovisioningId: string | null;
  /** What is still in place on either side after it (for `npm start`: nothing, once DELETED). */
  readonly leftovers: Leftovers;
  readonly error?: { readonly name: string; readonly cause: string };
}

/** Deletes provisioning `executionId` through the local API and waits for the deprovisioning to stop. */
export async function runDeprovisioning(
  env: OfflineEnvironment,
  executionId: string,
  options: { readonly deleteEndpointService?: boolean } = {},
): Promise<DeprovisioningReport> {
  const response = await fetch(`${env.api.url}/endpoints/${encodeURIComponent(executionId)}`, {
    method: 'DELETE',
    headers: { 'Content-Type': 'application/json' },
    ...(options.deleteEndpointService ? { body: JSON.stringify({ deleteEndpointService: true }) } : {}),
  });
  const body = (await response.json()) as { deprovisioningArn?: string; deprovisioningId?: string };
  if (response.status !== 202 || !body.deprovisioningArn) {
    return {
      status: 'FAILED',
      deprovisioningId: null,
      leftovers: env.leftovers(),
      error: { name: `HTTP ${response.status}`, cause: JSON.stringify(body) },
    };
  }
  const execution = await env.aws.waitForExecution(body.deprovisioningArn, { timeoutMs: 120_000 });
  return {
    status: execution.status === 'SUCCEEDED' ? 'DELETED' : 'FAILED',
    deprovisioningId: body.deprovisioningId ?? null,
    leftovers: env.leftovers(),
    ...(execution.status === 'SUCCEEDED'
      ? {}
      : { error: { name: execution.error ?? 'unknown', cause: execution.cause ?? '' } }),
  };
}
