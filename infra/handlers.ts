import { fileURLToPath } from 'node:url';

/**
 * The workflow's Lambda handlers: one module per step, each exporting `handler`. The construct bundles
 * these; the offline runner imports the same modules, so both run the same code.
 */
export const WorkflowHandlers = {
  validateRequest: 'validateRequest',
  findEndpointService: 'findEndpointService',
  createVpcEndpoint: 'createVpcEndpoint',
  registerEndpoint: 'registerEndpoint',
  checkEndpoint: 'checkEndpoint',
  recordAttempt: 'recordAttempt',
  deleteAttempt: 'deleteAttempt',
  cleanUp: 'cleanUp',
} as const;
export type WorkflowHandler = keyof typeof WorkflowHandlers;

/** The API's Lambda handlers. */
export const ApiHandlers = {
  startProvisioning: 'api/startProvisioning',
  getProvisioning: 'api/getProvisioning',
} as const;
export type ApiHandler = keyof typeof ApiHandlers;

/** Handlers that run beside the workflow, on a schedule. */
export const MaintenanceHandlers = {
  sweep: 'sweep',
} as const;
export type MaintenanceHandler = keyof typeof MaintenanceHandlers;

/** The absolute path of a handler module. */
export function handlerEntry(module: string): string {
  return fileURLToPath(new URL(`../lambdas/handlers/${module}.ts`, import.meta.url));
}
