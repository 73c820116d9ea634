import { CreateVpcEndpointCommand, DescribeVpcEndpointsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { afterEach, describe, expect, it } from 'vitest';
import { InvalidRequestError } from '../../../lambdas/errors';
import {
  type AwsEmulator,
  type AwsEmulatorOptions,
  DEMO_VPC_ID,
  EmulatorOptionsError,
  startAwsEmulator,
} from '../../../local/aws-emulator';
import { ec2Client, FakeAtlas, rejectionOf, SERVICE_NAME, secretsClient } from './clients';

const AUTH =
  'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260301/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=00';
const FORM = 'application/x-www-form-urlencoded; charset=utf-8';

describe('the AWS emulator server', () => {
  let aws: AwsEmulator;

  async function start(options: AwsEmulatorOptions = {}): Promise<AwsEmulator> {
    aws = await startAwsEmulator(options);
    return aws;
  }

  function post(body: string, headers: Record<string, string>): Promise<Response> {
    return fetch(aws.url, { method: 'POST', body, headers });
  }

  const json = (target: string, body: string, extra: Record<string, string> = {}) =>
    post(body, {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': target,
      authorization: AUTH.replace('/ec2/', '/secretsmanager/'),
      ...extra,
    });

  /** Proves the server still answers: a real SDK call succeeds. */
  async function stillServes(): Promise<void> {
    const client = ec2Client(aws.url);
    await expect(client.send(new DescribeVpcEndpointsCommand({}))).resolves.toBeDefined();
    client.destroy();
  }

  afterEach(async () => {
    await aws?.close();
  });

  describe('EC2 Query protocol', () => {
    it('answers an unknown action with InvalidAction in EC2 error XML', async () => {
      await start();

      const res = await post('Action=RunInstances&Version=2016-11-15', {
        'content-type': FORM,
        authorization: AUTH,
      });
      const text = await res.text();

      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('text/xml');
      expect(text).toMatch(
        /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<Response><Errors><Error><Code>InvalidAction<\/Code><Message>[^<]+<\/Message><\/Error><\/Errors><RequestID>[0-9a-f-]{36}<\/RequestID><\/Response>$/,
      );
    });

    it('answers a form body without Action with MissingAction', async () => {
      await start();

      const res = await post('Version=2016-11-15&%%%=garbage', { 'content-type': FORM, authorization: AUTH });

      expect(res.status).toBe(400);
      expect(await res.text()).toContain('<Code>MissingAction</Code>');
      await stillServes();
    });

    it('puts the request id and the 2016-11-15 namespace in a success document', async () => {
      await start();

      const res = await post('Action=DescribeVpcEndpoints&Version=2016-11-15', {
        'content-type': FORM,
        authorization: AUTH,
      });

      expect(await res.text()).toMatch(
        /<DescribeVpcEndpointsResponse xmlns="http:\/\/ec2\.amazonaws\.com\/doc\/2016-11-15\/"><requestId>[0-9a-f-]{36}<\/requestId><vpcEndpointSet\/><\/DescribeVpcEndpointsResponse>$/,
      );
    });

    it('refuses an unsigned request with MissingAuthenticationToken', async () => {
      await start();

      const res = await post('Action=DescribeVpcEndpoints&Version=2016-11-15', { 'content-type': FORM });

      expect(res.status).toBe(401);
      expect(await res.text()).toContain('<Code>MissingAuthenticationToken</Code>');
    });
  });

  describe('JSON protocols', () => {
    it('answers a malformed JSON body with 400 SerializationException and keeps serving', async () => {
      await start({ secrets: { s: 'v' } });

      const res = await json('secretsmanager.GetSecretValue', '{"SecretId": ');
      const body = await res.json();

      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toBe('application/x-amz-json-1.1');
      expect(body).toEqual({ __type: 'SerializationException', message: expect.any(String) });
      const client = secretsClient(aws.url);
      await expect(client.send(new GetSecretValueCommand({ SecretId: 's' }))).resolves.toMatchObject({
        SecretString: 'v',
      });
      client.destroy();
    });

    it('answers a member of the wrong type with SerializationException', async () => {
      await start();

      const res = await json('secretsmanager.GetSecretValue', '{"SecretId": 42}');

      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ __type: 'SerializationException' });
    });

    it('answers an unknown operation with UnknownOperationException', async () => {
      await start();

      const unknownOperation = await json('secretsmanager.DeleteSecret', '{}');
      const unknownService = await json('DynamoDB_20120810.ListTables', '{}');

      expect(unknownOperation.status).toBe(400);
      expect(await unknownOperation.json()).toMatchObject({ __type: 'UnknownOperationException' });
      expect(await unknownService.json()).toMatchObject({ __type: 'UnknownOperationException' });
    });

    it('refuses an unsigned request with MissingAuthenticationTokenException', async () => {
      await start();

      const res = await json('secretsmanager.GetSecretValue', '{"SecretId":"s"}', { authorization: '' });

      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ __type: 'MissingAuthenticationTokenException' });
    });
  });

  describe('robustness', () => {
    it('refuses a body over maxBodyBytes with 413 and keeps serving', async () => {
      await start({ maxBodyBytes: 1024 });

      const res = await post(`Action=DescribeVpcEndpoints&Pad=${'x'.repeat(4096)}`, {
        'content-type': FORM,
        authorization: AUTH,
      });

      expect(res.status).toBe(413);
      await res.text();
      await stillServes();
    });

    it('turns a bug into a 500 InternalError and keeps serving', async () => {
      const atlas = new FakeAtlas();
      atlas.peekInterfaceEndpoint = () => {
        throw new Error('boom');
      };
      await start({ atlas, secrets: { s: 'v' } });
      const ec2 = ec2Client(aws.url);
      const secrets = secretsClient(aws.url);

      const error = await rejectionOf(
        ec2.send(
          new CreateVpcEndpointCommand({
            VpcEndpointType: 'Interface',
            VpcId: DEMO_VPC_ID,
            ServiceName: SERVICE_NAME,
            PrivateDnsEnabled: false,
          }),
        ),
      );

      expect(error.name).toBe('InternalError');
      expect(error.message).toContain('boom');
      expect(error.$metadata).toMatchObject({ httpStatusCode: 500 });
      await expect(secrets.send(new GetSecretValueCommand({ SecretId: 's' }))).resolves.toBeDefined();
      ec2.destroy();
      secrets.destroy();
    });
  });

  describe('faults', () => {
    it('destroys the connection for a reset fault; the SDK retries through it', async () => {
      await start({ faults: [{ service: 'ec2', action: '*', reset: true, times: 1 }] });
      const client = ec2Client(aws.url, 3);

      const out = await client.send(new DescribeVpcEndpointsCommand({}));

      expect(out.$metadata.attempts).toBe(2);
      expect(aws.requests[0]).toMatchObject({ service: 'ec2', status: 0, fault: 'reset' });
      client.destroy();
    });

    it('sends a truncated body for a malformed fault, which the SDK cannot parse', async () => {
      await start({ faults: [{ action: 'DescribeVpcEndpoints', body: 'malformed', times: 1 }] });
      const client = ec2Client(aws.url);

      const error = await rejectionOf(client.send(new DescribeVpcEndpointsCommand({})));

      expect(error).toBeInstanceOf(Error);
      expect(aws.requests[0]).toMatchObject({ status: 200, fault: 'malformed' });
      client.destroy();
      await stillServes();
    });

    it('holds a request for delayMs, then serves it normally', async () => {
      await start({ faults: [{ action: 'DescribeVpcEndpoints', delayMs: 150, times: 1 }] });
      const client = ec2Client(aws.url);
      const started = Date.now();

      await client.send(new DescribeVpcEndpointsCommand({}));

      expect(Date.now() - started).toBeGreaterThanOrEqual(140);
      expect(aws.requests[0]).toMatchObject({ status: 200, fault: 'delay' });
      client.destroy();
    });

    it('fails at start for a fault that could never fire', async () => {
      const starting = startAwsEmulator({ faults: [{ action: 'CreateVpcEndpoint', times: 2 }] });
      await expect(starting).rejects.toThrow(EmulatorOptionsError);
      await expect(starting).rejects.toThrow(InvalidRequestError);
      await expect(
        startAwsEmulator({ ec2: { faults: [{ action: 'CreateVpcEndpoint', code: 'X', times: -2 }] } }),
      ).rejects.toThrow(/ec2\.faults\[0\]: times/);
    });
  });

  describe('request log and reset', () => {
    it('logs every call by service and action, counts them, and forgets them on reset', async () => {
      await start({ secrets: { s: 'v' } });
      const ec2 = ec2Client(aws.url);
      const secrets = secretsClient(aws.url);
      await ec2.send(new DescribeVpcEndpointsCommand({}));
      await rejectionOf(secrets.send(new GetSecretValueCommand({ SecretId: 'missing' })));

      const log = aws.requests.map(({ service, action, status, errorCode }) => ({
        service,
        action,
        status,
        errorCode,
      }));

      expect(log).toEqual([
        { service: 'ec2', action: 'DescribeVpcEndpoints', status: 200, errorCode: undefined },
        {
          service: 'secretsmanager',
          action: 'GetSecretValue',
          status: 400,
          errorCode: 'ResourceNotFoundException',
        },
      ]);
      expect(aws.requestCount({ service: 'ec2' })).toBe(1);
      aws.reset();
      expect(aws.requests).toEqual([]);
      ec2.destroy();
      secrets.destroy();
    });

    it('serves a client configured only through AWS_ENDPOINT_URL', async () => {
      await start();
      const saved = process.env.AWS_ENDPOINT_URL;
      process.env.AWS_ENDPOINT_URL = aws.url;
      try {
        const client = new EC2Client({
          region: 'us-east-1',
          credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'dummy-secret' },
          maxAttempts: 1,
        });

        await client.send(new DescribeVpcEndpointsCommand({}));

        expect(aws.requestCount({ action: 'DescribeVpcEndpoints' })).toBe(1);
        client.destroy();
      } finally {
        if (saved === undefined) delete process.env.AWS_ENDPOINT_URL;
        else process.env.AWS_ENDPOINT_URL = saved;
      }
    });
  });
});
