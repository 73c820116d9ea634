import type { AtlasSideView, Clock } from '../shared/model';
import type { BusPolicyStatement } from './busPolicy';
import type { AwsService } from './constants';
import type { Ec2Options } from './ec2';
import type { EventRule, RecordedEvent } from './eventBridge';
import type { AwsFault } from './faults';
import type { StepFunctionsBackend } from './stepFunctions';

/** Options of {@link startAwsEmulator}; all are optional. */
export interface AwsEmulatorOptions {
  /** @default 0 - a free port */
  readonly port?: number;
  /** @default '127.0.0.1' - loopback only */
  readonly host?: string;
  /** The region of ARNs and of the endpoint service names EC2 accepts (unless the caller signs for another). @default 'us-east-1' */
  readonly region?: string;
  /** @default '123456789012' */
  readonly accountId?: string;
  /** Timestamps (creation, start/stop dates, event times) and the `deleted` retention read this clock. @default Date.now */
  readonly clock?: Clock;
  /**
   * The Atlas emulator's view, so both tell one story: EC2 accepts only service names Atlas issued,
   * and an endpoint's EC2 state follows its Atlas registration.
   * @default - unlinked: any well-formed service name of the region; states follow `ec2.unlinkedStates`
   */
  readonly atlas?: AtlasSideView;
  readonly ec2?: Ec2Options;
  /** Secret name → SecretString. @default {} */
  readonly secrets?: Readonly<Record<string, string>>;
  /** Faults for Secrets Manager actions (their `service` is implied). @default - none */
  readonly secretsFaults?: readonly AwsFault[];
  /** Faults for any service; give `service` to pin one. Checked after `ec2.faults` and `secretsFaults`. @default - none */
  readonly faults?: readonly AwsFault[];
  /** Runs the executions StartExecution starts. @default - none: every StartExecution is StateMachineDoesNotExist */
  readonly stepFunctions?: StepFunctionsBackend;
  /** More state machines, each with its own backend (a stack may have several). @default - none */
  readonly moreStateMachines?: readonly StepFunctionsBackend[];
  /** EventBridge rules starting executions on `stepFunctions`. @default - none */
  readonly rules?: readonly EventRule[];
  /**
   * Event buses that exist besides `default` and the buses the rules are on. PutEvents to any other bus
   * succeeds and drops the event, as EventBridge does (see {@link RecordedEvent.dropped}).
   * @default - none
   */
  readonly eventBuses?: readonly string[];
  /**
   * Resource policies of event buses, by bus name: their Deny statements refuse PutEvents entries per entry,
   * as EventBridge does for a caller of the bus's own account (see `busPolicy.ts` for the subset modelled).
   * @default - none: every caller may put events on every bus
   */
  readonly eventBusPolicies?: Readonly<Record<string, readonly BusPolicyStatement[]>>;
  /**
   * Who signs with which access key id (the `Credential` of SigV4's Authorization header): the
   * `aws:PrincipalArn` a bus policy sees (a role's ARN for its sessions).
   * @default - none: every caller is unknown, and has no aws:PrincipalArn
   */
  readonly principals?: Readonly<Record<string, string>>;
  /**
   * Called with every event PutEvents accepts, once its rules' targets have answered (`npm run dev` reports
   * what each started). @default - none
   */
  readonly onEvent?: (event: RecordedEvent) => void;
  /** Larger request bodies are refused with 413 before they are read to the end. @default 1 MiB */
  readonly maxBodyBytes?: number;
}

/** One request the emulator answered, for counting and asserting (the offline runner reports these). */
export interface AwsRequestRecord {
  /** `unknown` when the request named no service the emulator speaks. */
  readonly service: AwsService | 'unknown';
  /** The API action, or `''` when the request named none. */
  readonly action: string;
  /** The HTTP status sent; 0 when a `reset` fault destroyed the connection. */
  readonly status: number;
  /** The AWS error code sent, if any. */
  readonly errorCode?: string;
  /** Which scripted fault shaped the answer, if one did. */
  readonly fault?: 'error' | 'reset' | 'malformed' | 'delay';
  /** When it arrived, by the emulator's clock (ms since the epoch). */
  readonly at: number;
}
