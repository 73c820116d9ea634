/**
 * The API as it runs behind API Gateway, on loopback: the same routes, answered by the same handler
 * modules, given the proxy events API Gateway would send.
 *
 * Nothing is signed here, so the caller API Gateway's AWS_IAM authorization would put in
 * `requestContext.identity` comes from the `X-Offline-Caller-Arn` header when a request sends one (to act
 * as another principal), else from the `callerArn` option.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { ApiHandlers } from '../../infra/handlers';
import { invokeLambda } from '../runner/lambdaInvoker';
import { listen } from '../shared/listen';
import { OFFLINE_CALLER_ARN, OFFLINE_CALLER_HEADER } from './offlineCaller';

export { OFFLINE_CALLER_ARN, OFFLINE_CALLER_HEADER } from './offlineCaller';

export interface LocalApi {
  readonly url: string;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 256 * 1024;

export async function startLocalApi(
  options: { port?: number; host?: string; callerArn?: string } = {},
): Promise<LocalApi> {
  const callerArn = options.callerArn ?? OFFLINE_CALLER_ARN;
  const server = createServer(async (req, res) => {
    const send = (result: APIGatewayProxyResult) => {
      res.writeHead(result.statusCode, result.headers as Record<string, string>);
      res.end(result.body);
    };
    try {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const match = /^\/endpoints(?:\/([^/]+))?\/?$/.exec(url.pathname);
      if (!match) return send(problem(404, `No route for ${req.method} ${url.pathname}.`));
      const executionId = match[1] ? decodeURIComponent(match[1]) : undefined;
      if (req.method === 'POST' && executionId === undefined) {
        const body = await readBody(req);
        if (body === undefined) return send(problem(413, 'The request body is too large.'));
        return send(await invoke(ApiHandlers.startProvisioning, proxyEvent(req, url, callerArn, body, {})));
      }
      if (req.method === 'GET' && executionId === undefined) {
        return send(await invoke(ApiHandlers.listProvisionings, proxyEvent(req, url, callerArn, null, {})));
      }
      if (req.method === 'GET' && executionId !== undefined) {
        return send(
          await invoke(ApiHandlers.getProvisioning, proxyEvent(req, url, callerArn, null, { executionId })),
        );
      }
      if (req.method === 'DELETE' && executionId !== undefined) {
        const body = await readBody(req);
        if (body === undefined) return send(problem(413, 'The request body is too large.'));
        return send(
          await invoke(
            ApiHandlers.deleteProvisioning,
            proxyEvent(req, url, callerArn, body === '' ? null : body, { executionId }),
          ),
        );
      }
      return send(problem(405, `${req.method} is not allowed on ${url.pathname}.`));
    } catch {
      // API Gateway answers a failed integration with 502 and a fixed message; so does this.
      send(problem(502, 'Internal server error'));
    }
  });
  const { url } = await listen(server, options);
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function invoke(module: string, event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  return (await invokeLambda(module, event)) as APIGatewayProxyResult;
}

function problem(statusCode: number, message: string): APIGatewayProxyResult {
  return { statusCode, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ message }) };
}

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function proxyEvent(
  req: IncomingMessage,
  url: URL,
  defaultCallerArn: string,
  body: string | null,
  pathParameters: Record<string, string>,
): APIGatewayProxyEvent {
  const headers: Record<string, string> = {};
  // API Gateway gives the query as a map (the last value of a repeated name), or null when there is none.
  const query = url.searchParams.size > 0 ? Object.fromEntries(url.searchParams) : null;
  for (const [key, value] of Object.entries(req.headers)) {
    if (typeof value === 'string' && key !== OFFLINE_CALLER_HEADER) headers[key] = value;
  }
  const named = req.headers[OFFLINE_CALLER_HEADER];
  const userArn = typeof named === 'string' && named !== '' ? named : defaultCallerArn;
  const account = /^arn:[^:]+:(?:iam|sts)::(\d{12}):/.exec(userArn)?.[1] ?? null;
  return {
    resource: pathParameters.executionId ? '/endpoints/{executionId}' : '/endpoints',
    path: url.pathname,
    httpMethod: req.method ?? 'GET',
    headers,
    multiValueHeaders: {},
    queryStringParameters: query,
    multiValueQueryStringParameters: null,
    pathParameters: Object.keys(pathParameters).length > 0 ? pathParameters : null,
    stageVariables: null,
    body,
    isBase64Encoded: false,
    requestContext: {
      requestId: randomUUID(),
      stage: '$default',
      httpMethod: req.method ?? 'GET',
      path: url.pathname,
      resourcePath: pathParameters.executionId ? '/endpoints/{executionId}' : '/endpoints',
      // What AWS_IAM authorization puts here for a signed request (an IAM user: caller is its unique id).
      identity: {
        accountId: account,
        caller: userArn,
        user: userArn,
        userArn,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: req.headers['user-agent'] ?? null,
        accessKey: null,
        apiKey: null,
        apiKeyId: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
      },
    } as APIGatewayProxyEvent['requestContext'],
  };
}
