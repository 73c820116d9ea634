export type { BusPolicyStatement } from './busPolicy';
export { AwsService } from './constants';
export {
  DEMO_SECURITY_GROUP_ID,
  DEMO_SECURITY_GROUP_INGRESS,
  DEMO_SUBNET_IDS,
  DEMO_VPC_ID,
  demoTopology,
  type Ec2IngressRule,
  type Ec2SecurityGroup,
  type Ec2Subnet,
  type Ec2Topology,
  type Ec2Vpc,
} from './demoTopology';
export { type Ec2Options, stateFromAtlas, type VpcEndpointSnapshot, VpcEndpointState } from './ec2';
export { AwsApiError, EmulatorOptionsError } from './errors';
export type { EventPatternFields, EventRule, PatternValue, RecordedEvent } from './eventBridge';
export type { AwsFault } from './faults';
export type { AwsEmulatorOptions, AwsRequestRecord } from './options';
export { type AwsEmulator, startAwsEmulator } from './server';
export {
  type ExecutionRecord,
  ExecutionStatus,
  ExecutionStoppedError,
  type StepFunctionsBackend,
} from './stepFunctions';
