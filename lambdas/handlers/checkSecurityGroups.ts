import { judgeSecurityGroups, type SecurityGroupCheck } from '../domain/securityGroups';
import { ec2NetworkFromEnv } from './capabilities/ec2NetworkFromEnv';
import { vpcEndpointsFromEnv } from './capabilities/vpcEndpointsFromEnv';
import { lambdaRuntime, type Runtime, withExecution } from './runtime';

export interface CheckSecurityGroupsEvent {
  readonly executionName: string;
  readonly vpcId: string;
  readonly vpcEndpointId: string;
}

/**
 * "Check security groups": once the endpoint is AVAILABLE, reads its security groups and the VPC's CIDRs and
 * says whether they admit Atlas's ports (TCP 1024–65535) from the VPC. Read-only; a warning in the result,
 * never a failure.
 */
export const createCheckSecurityGroupsHandler =
  (runtime: Runtime) =>
  (event: CheckSecurityGroupsEvent): Promise<SecurityGroupCheck> =>
    withExecution(runtime, event.executionName, async () => {
      const endpoint = await runtime.vpcEndpoints().describe(event.vpcEndpointId);
      const network = runtime.network();
      const [vpcCidrs, groups] = await Promise.all([
        network.vpcCidrs(event.vpcId),
        network.securityGroups(endpoint?.securityGroupIds ?? []),
      ]);
      const check = judgeSecurityGroups(vpcCidrs, groups);
      if (check.ok) runtime.logger.info('security groups admit Atlas', { ...check });
      else runtime.logger.warn('security groups may not admit Atlas', { ...check });
      return check;
    });

export const handler = createCheckSecurityGroupsHandler(
  lambdaRuntime({ vpcEndpoints: vpcEndpointsFromEnv, network: ec2NetworkFromEnv }),
);
