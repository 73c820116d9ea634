/**
 * atlas-privatelink-workflow/local: the offline rig, for testing an integration with the workflow on one
 * machine. This module only re-exports.
 *
 * - `startOfflineEnvironment`: the Atlas and AWS emulators, the local API and the synthesized state
 *   machine, run by `aws-local-stepfunctions` with the workflow's own handlers, on a virtual clock.
 * - `runScenario` and the scenario loaders: one provisioning from request to report.
 * - `startAtlasEmulator`, `startAwsEmulator`: the emulators on their own, speaking the real wire protocols.
 * - `synthesizeWorkflow`, `OfflineWorkflow`: the runner underneath.
 *
 * It needs `aws-local-stepfunctions` installed (an optional peer dependency). On Node 20, importing this
 * module also provides `Promise.withResolvers`, which that package calls and Node 20 lacks.
 */
import './polyfills/promiseWithResolvers';

// The emulators
export * from './atlas-emulator';
export * from './aws-emulator';
export type { LocalApi } from './offline/localApi';
// The offline environment and scenarios
export {
  DEMO_REQUEST,
  type Leftovers,
  type OfflineEnvironment,
  type OfflineEnvironmentOptions,
  startOfflineEnvironment,
} from './offline/OfflineEnvironment';
export { type RunReport, runScenario } from './offline/runScenario';
export {
  builtInScenarioNames,
  loadBuiltInScenario,
  loadScenarioFile,
  type Scenario,
  ScenarioError,
  validateScenario,
} from './offline/scenario';
export { provisionAndCrashBefore, sweepOffline } from './offline/sweepOffline';
// The runner
export {
  type EventLog,
  type OfflineExecution,
  OfflineExecutionFailure,
  OfflineWorkflow,
  type OfflineWorkflowOptions,
} from './runner/OfflineWorkflow';
export { OfflineAccount, type SynthesizedWorkflow, synthesizeWorkflow } from './runner/synthesizedWorkflow';
export { VirtualClock } from './shared/VirtualClock';
