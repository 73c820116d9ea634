import { errors } from 'undici';
import { describe, expect, it } from 'vitest';
import {
  isConnectPhaseError,
  parseErrorBody,
  toAtlasApiError,
  toNetworkError,
} from '../../lambdas/atlas/atlasErrors';
import {
  AtlasAccessListError,
  AtlasAuthError,
  AtlasNetworkError,
  AtlasRateLimitedError,
  DigestChallengeError,
  ErrorName,
} from '../../lambdas/errors';

describe('parseErrorBody', () => {
  it('reads an Atlas ApiError', () => {
    const body = {
      error: 404,
      errorCode: 'RESOURCE_NOT_FOUND',
      detail: 'Gone.',
      reason: 'Not Found',
      parameters: ['x'],
    };

    expect(parseErrorBody(JSON.stringify(body))).toEqual({
      errorCode: 'RESOURCE_NOT_FOUND',
      detail: 'Gone.',
      reason: 'Not Found',
      parameters: ['x'],
    });
  });

  it('reads an OAuth 2.0 error', () => {
    expect(
      parseErrorBody('{"error":"invalid_client","error_description":"Client authentication failed."}'),
    ).toEqual({
      errorCode: 'invalid_client',
      detail: 'Client authentication failed.',
      reason: undefined,
      parameters: undefined,
    });
  });

  it('gives no details for bodies it cannot read', () => {
    for (const text of [
      undefined,
      '',
      '<html/>',
      '[1,2]',
      'null',
      '{"error":401,"detail":null}'.slice(0, 12),
    ]) {
      expect(parseErrorBody(text)).toEqual({});
    }
  });
});

describe('toAtlasApiError', () => {
  it('carries Retry-After as whole seconds on a 429', () => {
    const error = toAtlasApiError(429, undefined, 'GET /x', 1_500);

    expect(error).toBeInstanceOf(AtlasRateLimitedError);
    expect((error as AtlasRateLimitedError).retryAfterSeconds).toBe(2);
    expect(error.message).toBe('Atlas answered 429: no detail (GET /x)');
  });
});

describe('toNetworkError', () => {
  it('keeps the code of an undici error', () => {
    const error = toNetworkError(new errors.ConnectTimeoutError(), 'GET /x');

    expect(error).toBeInstanceOf(AtlasNetworkError);
    expect(error).toMatchObject({ code: 'UND_ERR_CONNECT_TIMEOUT' });
    expect(isConnectPhaseError(error as AtlasNetworkError)).toBe(true);
  });

  it('finds the code inside an AggregateError of a happy-eyeballs connect', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED ::1:443'), { code: 'ECONNREFUSED' });

    const error = toNetworkError(new AggregateError([refused]), 'POST /x');

    expect(error).toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('does not count a reset as a connect failure: the request may have reached Atlas', () => {
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });

    expect(isConnectPhaseError(toNetworkError(reset, 'POST /x') as AtlasNetworkError)).toBe(false);
  });

  it('lets this project’s own errors through unchanged', () => {
    const challenge = new DigestChallengeError('no qop we support');

    expect(toNetworkError(challenge, 'GET /x')).toBe(challenge);
  });
});

describe('toAtlasApiError for a caller outside the API access list', () => {
  const body = (errorCode: string, detail: string, parameters?: unknown[]) =>
    JSON.stringify({
      error: 403,
      errorCode,
      detail,
      reason: 'Forbidden',
      ...(parameters ? { parameters } : {}),
    });

  it('is an AtlasAccessListError naming the address Atlas saw and what to do', () => {
    const error = toAtlasApiError(
      403,
      body(
        'IP_ADDRESS_NOT_ON_ACCESS_LIST',
        'IP address 203.0.113.17 is not allowed to access this resource.',
        ['203.0.113.17'],
      ),
      'GET /api/atlas/v2/groups/x',
    );

    expect(error).toBeInstanceOf(AtlasAccessListError);
    expect(error).toBeInstanceOf(AtlasAuthError);
    expect(error.name).toBe(ErrorName.AtlasAccessList);
    expect((error as AtlasAccessListError).callerIp).toBe('203.0.113.17');
    expect(error.message).toContain('from 203.0.113.17');
    expect(error.message).toMatch(/NAT gateway's Elastic IP/);
  });

  it('finds the address in the detail when the parameters leave it out', () => {
    const error = toAtlasApiError(
      403,
      body('IP_ADDRESS_NOT_ON_ACCESS_LIST', 'IP address 2001:db8::7 is not allowed to access this resource.'),
      'GET /x',
    ) as AtlasAccessListError;

    expect(error.callerIp).toBe('2001:db8::7');
  });

  it('is still an AtlasAccessListError when Atlas names no address', () => {
    const error = toAtlasApiError(
      403,
      body(
        'ORG_REQUIRES_ACCESS_LIST',
        'This organization requires access through an access list of IP ranges.',
      ),
      'GET /x',
    );

    expect(error.name).toBe(ErrorName.AtlasAccessList);
    expect(error.message).toContain('from this address');
  });

  it('leaves any other 403 an AtlasAuthError', () => {
    const error = toAtlasApiError(
      403,
      body('USER_UNAUTHORIZED', 'Current user is not authorized.'),
      'GET /x',
    );

    expect(error.name).toBe(ErrorName.AtlasAuth);
  });
});
