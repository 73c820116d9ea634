import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type AwsEmulator, startAwsEmulator } from '../../../local/aws-emulator';
import { rejectionOf, secretsClient } from './clients';

const START = Date.parse('2026-03-01T12:00:00Z');
const API_KEY = JSON.stringify({ publicKey: 'abcdefgh', privateKey: '0123-4567' });

describe('Secrets Manager GetSecretValue', () => {
  let aws: AwsEmulator;
  let client: SecretsManagerClient;

  beforeEach(async () => {
    aws = await startAwsEmulator({ clock: () => START, secrets: { 'atlas/api-key': API_KEY } });
    client = secretsClient(aws.url);
  });

  afterEach(async () => {
    client.destroy();
    await aws.close();
  });

  it('returns the secret by name with its ARN, version and AWSCURRENT stage', async () => {
    const out = await client.send(new GetSecretValueCommand({ SecretId: 'atlas/api-key' }));

    expect(out).toMatchObject({
      Name: 'atlas/api-key',
      SecretString: API_KEY,
      VersionStages: ['AWSCURRENT'],
      CreatedDate: new Date(START),
    });
    expect(out.ARN).toMatch(
      /^arn:aws:secretsmanager:us-east-1:123456789012:secret:atlas\/api-key-[A-Za-z0-9]{6}$/,
    );
    expect(out.VersionId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('finds the secret by its full ARN and by its partial ARN', async () => {
    const { ARN } = await client.send(new GetSecretValueCommand({ SecretId: 'atlas/api-key' }));

    const byArn = await client.send(new GetSecretValueCommand({ SecretId: ARN }));
    const byPartialArn = await client.send(new GetSecretValueCommand({ SecretId: ARN!.slice(0, -7) }));

    expect(byArn.SecretString).toBe(API_KEY);
    expect(byPartialArn.SecretString).toBe(API_KEY);
  });

  it('serves a new current version after setSecret and keeps the old one as AWSPREVIOUS', async () => {
    const before = await client.send(new GetSecretValueCommand({ SecretId: 'atlas/api-key' }));

    aws.setSecret('atlas/api-key', 'rotated');
    const current = await client.send(new GetSecretValueCommand({ SecretId: 'atlas/api-key' }));
    const previous = await client.send(
      new GetSecretValueCommand({ SecretId: 'atlas/api-key', VersionStage: 'AWSPREVIOUS' }),
    );

    expect(current.SecretString).toBe('rotated');
    expect(current.VersionId).not.toBe(before.VersionId);
    expect(previous).toMatchObject({ SecretString: API_KEY, VersionId: before.VersionId });
  });

  it('fails with ResourceNotFoundException for a secret it does not have', async () => {
    const error = await rejectionOf(client.send(new GetSecretValueCommand({ SecretId: 'nope' })));

    expect(error.name).toBe('ResourceNotFoundException');
    expect(error.message).toBe("Secrets Manager can't find the specified secret.");
    expect(error.$metadata).toMatchObject({ httpStatusCode: 400 });
  });

  it('answers a scripted fault from secretsFaults, then serves again', async () => {
    await aws.close();
    aws = await startAwsEmulator({
      secrets: { s: 'v' },
      secretsFaults: [{ action: 'GetSecretValue', code: 'InternalServiceError', status: 500, times: 1 }],
    });
    client = secretsClient(aws.url);

    const error = await rejectionOf(client.send(new GetSecretValueCommand({ SecretId: 's' })));
    const out = await client.send(new GetSecretValueCommand({ SecretId: 's' }));

    expect(error.name).toBe('InternalServiceError');
    expect(out.SecretString).toBe('v');
    expect(aws.requests.map((r) => [r.service, r.status, r.fault ?? null])).toEqual([
      ['secretsmanager', 500, 'error'],
      ['secretsmanager', 200, null],
    ]);
  });
});

describe('Secrets Manager PutSecretValue and DescribeSecret', () => {
  let now = START;
  let aws: AwsEmulator;
  let client: SecretsManagerClient;

  beforeEach(async () => {
    now = START;
    aws = await startAwsEmulator({ clock: () => now, secrets: { 'atlas/api-key': API_KEY } });
    client = secretsClient(aws.url);
  });

  afterEach(async () => {
    client.destroy();
    await aws.close();
  });

  it('puts a new AWSCURRENT version that GetSecretValue serves, keeping the old one as AWSPREVIOUS', async () => {
    // Prepare
    const before = await client.send(new GetSecretValueCommand({ SecretId: 'atlas/api-key' }));
    const newKey = JSON.stringify({ publicKey: 'mykey123', privateKey: 'my-private-key' });

    // Act
    const put = await client.send(new PutSecretValueCommand({ SecretId: before.ARN, SecretString: newKey }));

    // Assess
    expect(put).toMatchObject({ ARN: before.ARN, Name: 'atlas/api-key', VersionStages: ['AWSCURRENT'] });
    expect(put.VersionId).toMatch(/^[0-9a-f-]{36}$/); // the SDK generates the ClientRequestToken
    const current = await client.send(new GetSecretValueCommand({ SecretId: 'atlas/api-key' }));
    expect(current).toMatchObject({ SecretString: newKey, VersionId: put.VersionId });
    const previous = await client.send(
      new GetSecretValueCommand({ SecretId: 'atlas/api-key', VersionStage: 'AWSPREVIOUS' }),
    );
    expect(previous).toMatchObject({ SecretString: API_KEY, VersionId: before.VersionId });
  });

  it('treats a repeated ClientRequestToken with the same value as the same version, and refuses another value', async () => {
    // Prepare
    const token = 'EXAMPLE2-90ab-cdef-fedc-ba987EXAMPLE';
    const first = await client.send(
      new PutSecretValueCommand({ SecretId: 'atlas/api-key', ClientRequestToken: token, SecretString: 'a' }),
    );

    // Act
    const again = await client.send(
      new PutSecretValueCommand({ SecretId: 'atlas/api-key', ClientRequestToken: token, SecretString: 'a' }),
    );
    const other = await rejectionOf(
      client.send(
        new PutSecretValueCommand({
          SecretId: 'atlas/api-key',
          ClientRequestToken: token,
          SecretString: 'b',
        }),
      ),
    );

    // Assess
    expect(first.VersionId).toBe(token);
    expect(again).toMatchObject({ VersionId: token, VersionStages: ['AWSCURRENT'] });
    expect(other).toMatchObject({
      name: 'ResourceExistsException',
      message: "You can't modify an existing version, you can only create a new version.",
    });
    const described = await client.send(new DescribeSecretCommand({ SecretId: 'atlas/api-key' }));
    expect(Object.keys(described.VersionIdsToStages ?? {})).toHaveLength(2);
  });

  it('keeps bytes put as SecretBinary and serves them back as bytes', async () => {
    const bytes = Uint8Array.from([0, 1, 2, 250, 255]);

    await client.send(new PutSecretValueCommand({ SecretId: 'atlas/api-key', SecretBinary: bytes }));
    const out = await client.send(new GetSecretValueCommand({ SecretId: 'atlas/api-key' }));

    expect(out.SecretString).toBeUndefined();
    expect([...(out.SecretBinary ?? [])]).toEqual([...bytes]);
  });

  it('fails as Secrets Manager does without a value, for an unknown secret, and for a short token', async () => {
    const noValue = await rejectionOf(client.send(new PutSecretValueCommand({ SecretId: 'atlas/api-key' })));
    const unknown = await rejectionOf(
      client.send(new PutSecretValueCommand({ SecretId: 'nope', SecretString: 'x' })),
    );
    const shortToken = await rejectionOf(
      client.send(
        new PutSecretValueCommand({
          SecretId: 'atlas/api-key',
          SecretString: 'x',
          ClientRequestToken: 'short',
        }),
      ),
    );

    expect(noValue).toMatchObject({
      name: 'InvalidRequestException',
      message: 'You must provide either SecretString or SecretBinary.',
    });
    expect(unknown).toMatchObject({
      name: 'ResourceNotFoundException',
      message: "Secrets Manager can't find the specified secret.",
    });
    expect(shortToken.name).toBe('ValidationException');
  });

  it('describes the secret: its ARN, dates, and which version holds which staging label, never the value', async () => {
    // Prepare
    const created = await client.send(new GetSecretValueCommand({ SecretId: 'atlas/api-key' }));
    now = START + 36 * 60 * 60 * 1000;
    const put = await client.send(
      new PutSecretValueCommand({ SecretId: 'atlas/api-key', SecretString: 'v2' }),
    );

    // Act
    const described = await client.send(new DescribeSecretCommand({ SecretId: created.ARN }));

    // Assess
    expect(described).toMatchObject({
      ARN: created.ARN,
      Name: 'atlas/api-key',
      CreatedDate: new Date(START),
      LastChangedDate: new Date(now),
      // The day of the last GetSecretValue (at START), as Secrets Manager keeps it.
      LastAccessedDate: new Date('2026-03-01T00:00:00Z'),
      VersionIdsToStages: {
        [created.VersionId as string]: ['AWSPREVIOUS'],
        [put.VersionId as string]: ['AWSCURRENT'],
      },
    });
    expect(JSON.stringify(described)).not.toContain('abcdefgh');
  });

  it('keeps the ARN of a secret from the options through reset()', async () => {
    const arn = aws.secretArn('atlas/api-key');

    aws.reset();

    expect(arn).toMatch(
      /^arn:aws:secretsmanager:us-east-1:123456789012:secret:atlas\/api-key-[A-Za-z0-9]{6}$/,
    );
    expect(aws.secretArn('atlas/api-key')).toBe(arn);
  });
});
