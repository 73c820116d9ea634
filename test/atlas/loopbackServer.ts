import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as the server received it. */
export interface ReceivedRequest {
  readonly method: string;
  /** The request-target exactly as sent (still percent-encoded). */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export type Route = (request: ReceivedRequest, response: ServerResponse) => void | Promise<void>;

export interface LoopbackServer {
  readonly url: string;
  readonly requests: ReceivedRequest[];
  /** Requests other than to the OAuth token endpoint. */
  apiRequests(): ReceivedRequest[];
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1, port 0, answering every request with `route`. */
export async function startLoopbackServer(route: Route): Promise<LoopbackServer> {
  const requests: ReceivedRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const received = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      requests.push(received);
      Promise.resolve(route(received, res)).catch((error: unknown) => {
        res.destroy(error instanceof Error ? error : new Error(String(error)));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    apiRequests: () => requests.filter((r) => !r.url.startsWith('/api/oauth/token')),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Answers with a JSON body. */
export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(text);
}

/** Atlas's `ApiError` body for a status. */
export function apiError(status: number, errorCode: string, detail = `detail of ${errorCode}`) {
  return { error: status, errorCode, detail, reason: 'Reason', parameters: [] };
}

export const GROUP_ID = '32b6e34b3d91647abb20e7b8';
export const SERVICE_ID = '5f4d2c1b0a9e8d7c6b5a4f3e';
export const VPCE_ID = 'vpce-0123456789abcdef0';
export const AZURE_ID =
  '/subscriptions/cba6d9c6-1d3f-3c11-03cb-c705d895e636/resourceGroups/rg-1/providers/Microsoft.Network/privateEndpoints/pe-1';

export const awsService = (status = 'AVAILABLE') => ({
  cloudProvider: 'AWS',
  id: SERVICE_ID,
  regionName: 'US_EAST_1',
  status,
  errorMessage: null,
  endpointServiceName: 'com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0',
  interfaceEndpoints: [],
});

export const awsEndpoint = (connectionStatus = 'PENDING_ACCEPTANCE') => ({
  cloudProvider: 'AWS',
  interfaceEndpointId: VPCE_ID,
  connectionStatus,
  deleteRequested: false,
  errorMessage: null,
});
