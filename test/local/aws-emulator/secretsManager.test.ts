import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
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
