import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ec2Client, forgetClients } from '../../lambdas/adapters/clients';
import { ClientEnv, SdkLimits } from '../../lambdas/adapters/sdkConfig';
import { VpcEndpoints } from '../../lambdas/adapters/VpcEndpoints';
import { ErrorName } from '../../lambdas/errors';

// A server that reads the request and never answers: only the client's own time limit can end the call.
let server: Server;
let requests = 0;

beforeAll(async () => {
  server = createServer((req) => {
    requests += 1;
    req.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  vi.stubEnv('AWS_REGION', 'us-east-1');
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDEXAMPLE');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY');
  vi.stubEnv('AWS_PROFILE', '');
  vi.stubEnv('AWS_ENDPOINT_URL_EC2', `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  vi.stubEnv(ClientEnv.requestTimeoutMs, '100');
  vi.stubEnv(ClientEnv.retryDelayMs, '10');
  forgetClients();
});

afterAll(async () => {
  vi.unstubAllEnvs();
  forgetClients();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('the SDK request timeout', () => {
  it('abandons each attempt EC2 never answers, ending in a typed Ec2UnavailableError instead of waiting', async () => {
    // Act
    const call = new VpcEndpoints(ec2Client()).describe('vpce-0123456789abcdef0');

    // Assess
    await expect(call).rejects.toMatchObject({
      name: ErrorName.Ec2Unavailable,
      action: 'DescribeVpcEndpoints',
    });
    // Each attempt was abandoned in turn, then the SDK gave up: none waited for an answer.
    expect(requests).toBe(SdkLimits.maxAttempts);
  });
});
