import {
  type ConnectionStringsState,
  nextConnectionStringsState,
  StringsNext,
} from '../domain/connectionStrings';
import {
  type AvailableResult,
  type ProvisioningResult,
  withConnectionStrings,
} from '../domain/workflowState';
import { atlasRegion } from '../regions';
import { readConnectionStrings } from '../services/connectionStrings';
import { atlasFromSecret } from './capabilities/atlasFromSecret';
import { lambdaRuntime, type Runtime, withExecution } from './runtime';

export interface FindConnectionStringsEvent {
  readonly executionName: string;
  readonly executionStartedAt: string;
  readonly groupId: string;
  readonly vpcEndpointId: string;
  /** The endpoint service's region (AWS form). */
  readonly region: string;
  readonly timeoutSeconds: number;
  /** The provisioning's result so far (the endpoint is AVAILABLE). */
  readonly result: ProvisioningResult;
  /** `{ reads: 0 }` at first, then the state this handler returned. */
  readonly strings: { readonly reads: number; readonly startedAt?: number };
}

export type ConnectionStringsStep = ConnectionStringsState & { readonly result?: AvailableResult };

/**
 * "Look for connection strings": reads the project's clusters and keeps looking (the state machine waits in
 * between) until every cluster this endpoint can serve lists it, or `connectionStringTimeoutSeconds` runs out.
 * Either way the provisioning succeeds: the endpoint is AVAILABLE, and the result says what the clusters said
 * (when Atlas cannot be read at all, the state machine's Catch says so instead).
 */
export const createFindConnectionStringsHandler =
  (runtime: Runtime) =>
  (event: FindConnectionStringsEvent): Promise<ConnectionStringsStep> =>
    withExecution(runtime, event.executionName, async () => {
      const now = runtime.now();
      const finish = (state: ConnectionStringsState): ConnectionStringsStep =>
        state.next === StringsNext.DONE && state.outcome
          ? {
              ...state,
              result: withConnectionStrings(event.result, state.outcome, now, event.executionStartedAt),
            }
          : state;
      const atlas = await runtime.atlas();
      const judgement = await readConnectionStrings(atlas, event);
      const state = nextConnectionStringsState({
        previous: event.strings,
        judgement,
        region: atlasRegion(event.region) ?? event.region,
        timeoutSeconds: event.timeoutSeconds,
        now,
        random: runtime.random,
      });
      runtime.logger.info('clusters read', {
        reads: state.reads,
        next: state.next,
        clusters: judgement.clusterCount,
        connectionStrings: judgement.connectionStrings.length,
        waitingFor: judgement.waitingFor,
      });
      return finish(state);
    });

export const handler = createFindConnectionStringsHandler(lambdaRuntime({ atlas: atlasFromSecret }));
