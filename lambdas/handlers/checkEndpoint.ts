import {
  atlasReadMayWait,
  type ConnectionObservation,
  nextPollState,
  type PollState,
  type RegistrationAnswer,
  registeredPollState,
  shouldReadAtlas,
} from '../domain/decisions';
import { AtlasNotFoundError, AtlasRateLimitedError } from '../errors';
import { atlasFromSecret } from './capabilities/atlasFromSecret';
import { vpcEndpointsFromEnv } from './capabilities/vpcEndpointsFromEnv';
import { lambdaRuntime, type Runtime, withExecution } from './runtime';

export interface CheckEndpointEvent {
  readonly executionName: string;
  readonly executionStartedAt: string;
  readonly timeoutSeconds: number;
  readonly groupId: string;
  readonly endpointServiceId: string;
  readonly vpcEndpointId: string;
  /** When the VPC endpoint was created and registered (ISO 8601): a younger one not found is not visible yet. */
  readonly createdAt: string;
  readonly registeredAt: string;
  readonly poll: PollState;
  /** Atlas's answer to the registration: it counts as the first read of the endpoint. */
  readonly registration?: RegistrationAnswer;
}

/**
 * "Check endpoint": reads EC2 on every check and Atlas when {@link shouldReadAtlas} says so, then judges
 * the connection: AVAILABLE, PENDING (wait again) or REMEDIATE (delete and try again).
 */
export const createCheckEndpointHandler =
  (runtime: Runtime) =>
  (event: CheckEndpointEvent): Promise<PollState> =>
    withExecution(runtime, event.executionName, async () => {
      const previous = event.registration ? registeredPollState(event.poll, event.registration) : event.poll;
      const ec2 = await runtime.vpcEndpoints().describe(event.vpcEndpointId);
      const ec2State = ec2?.state ?? 'missing';
      const now = runtime.now();
      const ageSeconds = {
        sinceCreated: (now - Date.parse(event.createdAt)) / 1000,
        sinceRegistered: (now - Date.parse(event.registeredAt)) / 1000,
      };
      let observation: ConnectionObservation = { ec2State, ageSeconds };
      if (shouldReadAtlas(previous, ec2State, now)) {
        const atlas = await runtime.atlas();
        try {
          const endpoint = await atlas.getEndpoint(
            event.groupId,
            'AWS',
            event.endpointServiceId,
            event.vpcEndpointId,
          );
          observation = {
            ec2State,
            ageSeconds,
            atlas: {
              found: true,
              connectionStatus: endpoint.connectionStatus,
              errorMessage: endpoint.errorMessage ?? null,
            },
          };
        } catch (error) {
          if (error instanceof AtlasRateLimitedError && atlasReadMayWait(previous, ec2State)) {
            observation = { ec2State, ageSeconds, atlasReadPutOff: true };
          } else if (error instanceof AtlasNotFoundError) {
            observation = { ec2State, ageSeconds, atlas: { found: false } };
          } else {
            throw error;
          }
        }
      }
      const startedAt = Date.parse(event.executionStartedAt);
      const deadline = startedAt + event.timeoutSeconds * 1000;
      const poll = nextPollState(previous, observation, now, deadline, runtime.random, startedAt);
      runtime.logger.info('endpoint checked', {
        vpcEndpointId: event.vpcEndpointId,
        verdict: poll.verdict,
        connectionStatus: poll.connectionStatus,
        ec2State: poll.ec2State,
        readAtlas: observation.atlas !== undefined,
        ...(observation.atlasReadPutOff ? { atlasReadPutOff: true } : {}),
      });
      return poll;
    });

export const handler = createCheckEndpointHandler(
  lambdaRuntime({ atlas: atlasFromSecret, vpcEndpoints: vpcEndpointsFromEnv }),
);
