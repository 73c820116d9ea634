import { createHash } from 'node:crypto';
import { SFNClient } from '@aws-sdk/client-sfn';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { Executions } from '../../../lambdas/adapters/Executions';
import type { ApiRuntime } from '../../../lambdas/handlers/api/runtime';
import { silentLogger } from '../fakeRuntime';

export const STATE_MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:AtlasPrivateLink';

/** An API runtime whose `Executions` sends through an `SFNClient` that `aws-sdk-client-mock` intercepts. */
export function apiRuntime(): ApiRuntime {
  const executions = new Executions(new SFNClient({ region: 'us-east-1' }), STATE_MACHINE);
  return {
    logger: silentLogger,
    executions: () => executions,
    hash: (text) => createHash('sha256').update(text).digest('hex'),
    requestContext: () => ({ deploymentRegion: 'us-east-1', allowedVpcIds: '*', allowedGroupIds: '*' }),
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
    requestContext: {
      domainName: 'abc123.execute-api.us-east-1.amazonaws.com',
      stage: 'v1',
    } as APIGatewayProxyEvent['requestContext'],
    ...overrides,
  };
}
