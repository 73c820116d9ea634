import { createHash } from 'node:crypto';
import { EC2Client } from '@aws-sdk/client-ec2';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { Executions } from '../../../lambdas/adapters/Executions';
import { VpcEndpoints } from '../../../lambdas/adapters/VpcEndpoints';
import type { ApiRuntime } from '../../../lambdas/handlers/api/runtime';
import { silentLogger } from '../fakeRuntime';

export const STATE_MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:AtlasPrivateLink';
export const DEPROVISIONING_STATE_MACHINE =
  'arn:aws:states:us-east-1:123456789012:stateMachine:AtlasPrivateLink-Deprovisioning';
export const API_MANAGED_BY = 'AtlasPrivateLinkTest';

/** The principal the API's test requests are signed by, as API Gateway names it (an assumed role's session). */
export const CALLER_ARN = 'arn:aws:sts::123456789012:assumed-role/TeamA/ci-run-1';
/** What the execution's input records for {@link CALLER_ARN}: the role, its session dropped. */
export const CALLER = 'arn:aws:sts::123456789012:assumed-role/TeamA';
/** Another team's principal. */
export const OTHER_CALLER_ARN = 'arn:aws:sts::123456789012:assumed-role/TeamB/ci-run-7';

/** The request context of a request signed by `userArn`, as API Gateway's AWS_IAM authorization fills it. */
export function signedBy(userArn: string): APIGatewayProxyEvent['requestContext'] {
  return {
    domainName: 'abc123.execute-api.us-east-1.amazonaws.com',
    stage: 'v1',
    requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
    identity: { userArn, accountId: userArn.split(':')[4] ?? null },
  } as APIGatewayProxyEvent['requestContext'];
}

/**
 * An API runtime whose `Executions` (both state machines) send through an `SFNClient`, and whose VPC endpoints
 * through an `EC2Client`, that `aws-sdk-client-mock` intercepts.
 */
export function apiRuntime(readers: readonly string[] = []): ApiRuntime {
  const sfn = new SFNClient({ region: 'us-east-1' });
  const executions = new Executions(sfn, STATE_MACHINE);
  const deprovisionings = new Executions(sfn, DEPROVISIONING_STATE_MACHINE);
  const vpcEndpoints = new VpcEndpoints(new EC2Client({ region: 'us-east-1' }));
  return {
    logger: silentLogger,
    executions: () => executions,
    deprovisionings: () => deprovisionings,
    vpcEndpoints: () => vpcEndpoints,
    managedBy: () => API_MANAGED_BY,
    hash: (text) => createHash('sha256').update(text).digest('hex'),
    requestContext: () => ({ deploymentRegion: 'us-east-1', allowedVpcIds: '*', allowedGroupIds: '*' }),
    endpointReaders: () => readers,
  };
}

/** An API Gateway proxy event, as the REST API's v1 stage sends it. */
export function apiEvent(overrides: Partial<APIGatewayProxyEvent> = {}): APIGatewayProxyEvent {
  return {
    resource: '/endpoints',
    path: '/endpoints',
    httpMethod: 'POST',
    headers: { Host: 'abc123.execute-api.us-east-1.amazonaws.com' },
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    body: null,
    isBase64Encoded: false,
    requestContext: signedBy(CALLER_ARN),
    ...overrides,
  };
}
