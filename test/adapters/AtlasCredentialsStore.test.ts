import { inspect } from 'node:util';
import {
  GetSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
  SecretsManagerServiceException,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AtlasCredentialsStore } from '../../lambdas/adapters/AtlasCredentialsStore';
import {
  AtlasCredentialsError,
  ErrorName,
  InvalidRequestError,
  SecretsUnavailableError,
} from '../../lambdas/errors';
import { PLACEHOLDER_PUBLIC_KEY } from '../../lambdas/secretPlaceholder';

const SECRET_ID = 'atlas/privatelink/credentials';
const secrets = mockClient(SecretsManagerClient);
let now: number;
const clock = () => now;

function store(ttlMs?: number): AtlasCredentialsStore {
  return new AtlasCredentialsStore(new SecretsManagerClient({ region: 'us-east-1' }), {
    clock,
    ...(ttlMs === undefined ? {} : { ttlMs }),
  });
}

function secretString(value: unknown): { SecretString: string } {
  return { SecretString: JSON.stringify(value) };
}

beforeEach(() => {
  secrets.reset();
  now = 1_000_000;
});

describe('AtlasCredentialsStore parsing', () => {
  it('reads an API key from the secret named by the id', async () => {
    // Prepare
    secrets
      .on(GetSecretValueCommand)
      .resolves(secretString({ publicKey: 'abcdefgh', privateKey: 'p-r-i-v' }));

    // Act
    const credentials = await store().get(SECRET_ID);

    // Assess
    expect(secrets.commandCalls(GetSecretValueCommand)[0]!.args[0].input).toStrictEqual({
      SecretId: SECRET_ID,
    });
    expect(credentials).toStrictEqual({ publicKey: 'abcdefgh', privateKey: 'p-r-i-v' });
  });

  it('reads a service account', async () => {
    // Prepare
    secrets
      .on(GetSecretValueCommand)
      .resolves(secretString({ clientId: 'mdb_sa_id_1', clientSecret: 'mdb_sa_sk_1' }));

    // Act & Assess
    await expect(store().get(SECRET_ID)).resolves.toStrictEqual({
      clientId: 'mdb_sa_id_1',
      clientSecret: 'mdb_sa_sk_1',
    });
  });

  it('ignores (and does not return) extra fields', async () => {
    // Prepare
    secrets
      .on(GetSecretValueCommand)
      .resolves(secretString({ publicKey: 'abcdefgh', privateKey: 'p-r-i-v', orgId: 'x', note: { a: 1 } }));

    // Act & Assess
    await expect(store().get(SECRET_ID)).resolves.toStrictEqual({
      publicKey: 'abcdefgh',
      privateKey: 'p-r-i-v',
    });
  });

  it.each([
    [
      'the secret does not exist',
      {
        error: new ResourceNotFoundException({
          message: "Secrets Manager can't find the specified secret.",
          $metadata: { httpStatusCode: 400 },
        }),
      },
      'does not exist',
    ],
    [
      'access is denied',
      {
        error: Object.assign(
          new SecretsManagerServiceException({
            name: 'AccessDeniedException',
            $fault: 'client',
            $metadata: { httpStatusCode: 400 },
            message: 'User is not authorized',
          }),
          {},
        ),
      },
      'access is denied',
    ],
    ['the secret is binary', { out: { SecretBinary: new Uint8Array([1, 2, 3]) } }, 'binary'],
    ['the secret has no SecretString', { out: {} }, 'no SecretString'],
    ['the SecretString is not JSON', { out: { SecretString: 'publicKey=abc' } }, 'not JSON'],
    ['the SecretString is a JSON array', { out: secretString(['a', 'b']) }, 'not a JSON object'],
    ['the SecretString is a JSON string', { out: secretString('abc') }, 'not a JSON object'],
    [
      'the object has neither shape',
      { out: secretString({ user: 'a', password: 'b' }) },
      '"publicKey" and "privateKey"',
    ],
    ['privateKey is missing', { out: secretString({ publicKey: 'abc' }) }, 'field "privateKey" is missing'],
    [
      'privateKey is empty',
      { out: secretString({ publicKey: 'abc', privateKey: ' ' }) },
      'field "privateKey" is empty',
    ],
    [
      'clientSecret is a number',
      { out: secretString({ clientId: 'abc', clientSecret: 42 }) },
      'field "clientSecret" is not a string',
    ],
    [
      'both shapes are present',
      { out: secretString({ publicKey: 'a', privateKey: 'b', clientId: 'c', clientSecret: 'd' }) },
      'both',
    ],
  ])('fails with AtlasCredentialsError naming the secret when %s', async (_what, answer, problem) => {
    // Prepare
    if ('error' in answer) secrets.on(GetSecretValueCommand).rejects(answer.error);
    else secrets.on(GetSecretValueCommand).resolves(answer.out);

    // Act
    const error = await store()
      .get(SECRET_ID)
      .catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(AtlasCredentialsError);
    expect((error as Error).name).toBe(ErrorName.AtlasCredentials);
    expect((error as Error).message).toContain(`"${SECRET_ID}"`);
    expect((error as Error).message).toContain(problem);
  });
});

describe('AtlasCredentialsStore never leaks the secret value', () => {
  const CANARY = 'CANARY7f3a9c1e5b';

  /** Everything an error could show: message, stack, cause chain and hidden fields, as inspect renders them. */
  function everythingIn(error: unknown): string {
    return [inspect(error, { showHidden: true, depth: 20 }), JSON.stringify(error), String(error)].join('\n');
  }

  it.each([
    ['not JSON', `${CANARY} is not json`],
    ['JSON with a syntax error right after the value', `{"publicKey":"${CANARY}","privateKey":${CANARY}}`],
    ['truncated JSON', `{"publicKey":"${CANARY}`],
    ['a JSON string', JSON.stringify(CANARY)],
    ['an object with a partial API key', JSON.stringify({ publicKey: CANARY, privateKey: '' })],
    ['an object with a non-string field', JSON.stringify({ clientId: CANARY, clientSecret: [CANARY] })],
    ['an object whose key is the value', JSON.stringify({ [CANARY]: CANARY })],
    [
      'both shapes',
      JSON.stringify({ publicKey: CANARY, privateKey: CANARY, clientId: CANARY, clientSecret: CANARY }),
    ],
  ])('keeps it out of the error when the SecretString is %s', async (_what, value) => {
    // Prepare
    secrets.on(GetSecretValueCommand).resolves({ SecretString: value });

    // Act
    const error = await store()
      .get(SECRET_ID)
      .catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(AtlasCredentialsError);
    expect((error as Error).cause).toBeUndefined();
    expect(everythingIn(error)).not.toContain(CANARY);
    expect(everythingIn(error)).not.toContain(CANARY.slice(0, 6));
  });

  it('keeps it out of the error when the SDK fails to deserialize a response that holds it', async () => {
    // Prepare: the SDK keeps the raw body on such errors
    const sdkError = Object.assign(
      new Error('Deserialization error: to see the raw response, inspect $response'),
      {
        $responseBodyText: JSON.stringify({ SecretString: JSON.stringify({ publicKey: CANARY }) }),
        $metadata: { httpStatusCode: 200 },
      },
    );
    secrets.on(GetSecretValueCommand).rejects(sdkError);

    // Act
    const error = await store()
      .get(SECRET_ID)
      .catch((e: unknown) => e);

    // Assess: a 2xx the SDK could not read is a passing failure, retried like a network error
    expect(error).toBeInstanceOf(SecretsUnavailableError);
    expect(everythingIn(error)).not.toContain(CANARY.slice(0, 6));
  });
});

describe('AtlasCredentialsStore failures the workflow retries, and those it does not', () => {
  it.each([
    ['throttled', { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }],
    ['failing', { name: 'InternalServiceError', $metadata: { httpStatusCode: 500 } }],
    ['unreachable', { name: 'TimeoutError', $metadata: {} }],
    ['answering a body it cannot read', { name: 'SyntaxError', $metadata: { httpStatusCode: 200 } }],
  ])('fails with SecretsUnavailableError when Secrets Manager is %s', async (_, shape) => {
    secrets.on(GetSecretValueCommand).rejects(Object.assign(new Error('failed'), shape));

    const error = await store()
      .get(SECRET_ID)
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(SecretsUnavailableError);
    expect((error as Error).name).toBe(ErrorName.SecretsUnavailable);
  });

  it.each([
    ['missing', { name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 400 } }],
    ['denied', { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } }],
  ])('fails with AtlasCredentialsError when the secret is %s: retrying cannot help', async (_, shape) => {
    secrets.on(GetSecretValueCommand).rejects(Object.assign(new Error('failed'), shape));

    const error = await store()
      .get(SECRET_ID)
      .catch((e: unknown) => e);

    expect((error as Error).name).toBe(ErrorName.AtlasCredentials);
  });

  it('says the Atlas key was never put when the secret still holds the stack’s placeholder', async () => {
    secrets.on(GetSecretValueCommand).resolves({
      SecretString: JSON.stringify({ publicKey: PLACEHOLDER_PUBLIC_KEY, privateKey: 'x'.repeat(32) }),
    });

    const error = await store()
      .get(SECRET_ID)
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(AtlasCredentialsError);
    expect((error as Error).message).toContain('the Atlas key was never put');
    expect((error as Error).message).toContain(
      `aws secretsmanager put-secret-value --secret-id ${SECRET_ID}`,
    );
    expect((error as Error).message).not.toContain('x'.repeat(8));
  });
});

describe('AtlasCredentialsStore caching', () => {
  const apiKey = secretString({ publicKey: 'abcdefgh', privateKey: 'p-r-i-v' });

  it('reads the secret once while the cache is fresh', async () => {
    // Prepare
    secrets.on(GetSecretValueCommand).resolves(apiKey);
    const credentials = store(60_000);

    // Act
    await credentials.get(SECRET_ID);
    now += 59_999;
    await credentials.get(SECRET_ID);

    // Assess
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it('reads the secret again once the ttl has passed', async () => {
    // Prepare
    secrets
      .on(GetSecretValueCommand)
      .resolvesOnce(apiKey)
      .resolvesOnce(secretString({ publicKey: 'rotated1', privateKey: 'rotated2' }));
    const credentials = store(60_000);

    // Act
    await credentials.get(SECRET_ID);
    now += 60_000;
    const second = await credentials.get(SECRET_ID);

    // Assess
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(2);
    expect(second).toStrictEqual({ publicKey: 'rotated1', privateKey: 'rotated2' });
  });

  it('caches for 5 minutes by default', async () => {
    // Prepare
    secrets.on(GetSecretValueCommand).resolves(apiKey);
    const credentials = store();

    // Act
    await credentials.get(SECRET_ID);
    now += 5 * 60 * 1000 - 1;
    await credentials.get(SECRET_ID);
    now += 1;
    await credentials.get(SECRET_ID);

    // Assess
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('shares one request among concurrent callers', async () => {
    // Prepare
    let release!: (value: unknown) => void;
    secrets
      .on(GetSecretValueCommand)
      .callsFake(() => new Promise((resolve) => (release = () => resolve(apiKey))));
    const credentials = store();

    // Act
    const both = Promise.all([credentials.get(SECRET_ID), credentials.get(SECRET_ID)]);
    await new Promise((resolve) => setImmediate(resolve));
    release(undefined);
    const [first, second] = await both;

    // Assess
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(1);
    expect(first).toStrictEqual(second);
  });

  it('does not cache a failure', async () => {
    // Prepare
    secrets
      .on(GetSecretValueCommand)
      .rejectsOnce(new ResourceNotFoundException({ message: 'not yet', $metadata: { httpStatusCode: 400 } }))
      .resolvesOnce(apiKey);
    const credentials = store();

    // Act
    const first = await credentials.get(SECRET_ID).catch((e: unknown) => e);
    const second = await credentials.get(SECRET_ID);

    // Assess
    expect(first).toBeInstanceOf(AtlasCredentialsError);
    expect(second).toStrictEqual({ publicKey: 'abcdefgh', privateKey: 'p-r-i-v' });
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('reads the secret again after invalidate', async () => {
    // Prepare
    secrets.on(GetSecretValueCommand).resolves(apiKey);
    const credentials = store();

    // Act
    await credentials.get(SECRET_ID);
    credentials.invalidate(SECRET_ID);
    await credentials.get(SECRET_ID);

    // Assess
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('caches each secret id on its own', async () => {
    // Prepare
    secrets.on(GetSecretValueCommand, { SecretId: 'a' }).resolves(apiKey);
    secrets
      .on(GetSecretValueCommand, { SecretId: 'b' })
      .resolves(secretString({ clientId: 'c', clientSecret: 'd' }));
    const credentials = store();

    // Act
    const a = await credentials.get('a');
    const b = await credentials.get('b');
    await credentials.get('a');

    // Assess
    expect(a).toStrictEqual({ publicKey: 'abcdefgh', privateKey: 'p-r-i-v' });
    expect(b).toStrictEqual({ clientId: 'c', clientSecret: 'd' });
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it.each([-1, Number.NaN, Number.POSITIVE_INFINITY])('fails to construct with ttlMs %s', (ttlMs) => {
    // Act & Assess
    expect(() => store(ttlMs)).toThrow(InvalidRequestError);
    expect(() => store(ttlMs)).toThrow(/^options\.ttlMs: expected/);
  });
});
