/**
 * The registry of Lambda handlers. Every export named `…Handlers` maps names to handler modules under
 * `lambdas/handlers/`; `HandlerFunction` accepts only registered modules, and the package build bundles and
 * ships each one (see `handlerRegistry.ts`). A new handler needs only its line here.
 */
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
  checkSecurityGroups: 'checkSecurityGroups',
  recordAttempt: 'recordAttempt',
  deleteAttempt: 'deleteAttempt',
  cleanUp: 'cleanUp',
  findConnectionStrings: 'findConnectionStrings',
} as const;
export type WorkflowHandler = keyof typeof WorkflowHandlers;

/**
 * The deprovisioning's Lambda handlers (`lambdas/handlers/deprovision/`): one module per step, as above.
 */
export const DeprovisioningHandlers = {
  findProvisioning: 'deprovision/findProvisioning',
  deleteRegistration: 'deprovision/deleteRegistration',
  deleteVpcEndpoint: 'deprovision/deleteVpcEndpoint',
  deleteEndpointService: 'deprovision/deleteEndpointService',
  recordDeprovisioning: 'deprovision/recordDeprovisioning',
} as const;
export type DeprovisioningHandler = keyof typeof DeprovisioningHandlers;

/** The ways in: the API's Lambda handlers, and the request rule's target (the same start path for events). */
export const ApiHandlers = {
  startProvisioning: 'api/startProvisioning',
  getProvisioning: 'api/getProvisioning',
  startFromEvent: 'api/startFromEvent',
  deleteProvisioning: 'api/deleteProvisioning',
  listProvisionings: 'api/listProvisionings',
  deleteFromEvent: 'api/deleteFromEvent',
} as const;
export type ApiHandler = keyof typeof ApiHandlers;

/** Handlers that run beside the workflow, on a schedule. */
export const MaintenanceHandlers = {
  sweep: 'sweep',
} as const;

/** The absolute path of a handler module. */
export function handlerEntry(module: string): string {
  return fileURLToPath(new URL(`../lambdas/handlers/${module}.ts`, import.meta.url));
}

/**
 * How every handler is bundled (the bench and the bundle tests build with the same settings). `mainFields`
 * puts packages' ES module builds first: esbuild can then drop the AWS SDK code a handler never calls,
 * which `npm run bench` measured as a third off the EC2 handlers' bundles and cold starts.
 */
export const HandlerBundling = {
  minify: true,
  sourceMap: true,
  target: 'node22',
  mainFields: ['module', 'main'],
} as const;
