import type { RegistrationAnswer } from '../domain/decisions';
import { refuseOutsideAllowLists } from '../domain/request';
import { atlasFromSecret } from './capabilities/atlasFromSecret';
import { lambdaRuntime, type Runtime, withExecution } from './runtime';

export interface RegisterEndpointEvent {
  readonly executionName: string;
  readonly groupId: string;
  readonly endpointServiceId: string;
  readonly vpcEndpointId: string;
}

/** "Register with Atlas": `POST …/endpoint {id}`; the client counts a 409 for the same id as registered. */
export const createRegisterEndpointHandler =
  (runtime: Runtime) =>
  (event: RegisterEndpointEvent): Promise<RegistrationAnswer> =>
    withExecution(runtime, event.executionName, async () => {
      refuseOutsideAllowLists(runtime.requestContext(), { groupId: event.groupId });
      const atlas = await runtime.atlas();
      const endpoint = await atlas.createEndpoint(event.groupId, 'AWS', event.endpointServiceId, {
        id: event.vpcEndpointId,
      });
      runtime.logger.info('endpoint registered with Atlas', {
        vpcEndpointId: event.vpcEndpointId,
        connectionStatus: endpoint.connectionStatus,
      });
      return {
        registeredAt: new Date(runtime.now()).toISOString(),
        connectionStatus: endpoint.connectionStatus ?? null,
        errorMessage: endpoint.errorMessage ?? null,
      };
    });

export const handler = createRegisterEndpointHandler(lambdaRuntime({ atlas: atlasFromSecret }));
