import { request } from 'node:http';
import { connect } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { InvalidRequestError } from '../../../lambdas/errors';
import { AtlasEmulatorOptionError, startAtlasEmulator } from '../../../local/atlas-emulator';
import { DigestTestClient } from '../../helpers/atlasDigest';
import { type Harness, startHarness, v1, v2 } from './fixtures';

let h: Harness;
afterEach(async () => {
  await h?.atlas.close();
});

const LIST = v2('/AWS/endpointService');
const CREATE = v2('/endpointService');

/** Sends raw bytes and returns the status line (or the error), for requests fetch refuses to make. */
function raw(url: string, payload: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname, () => socket.write(payload));
    let received = '';
    socket.on('data', (chunk) => {
      received += chunk.toString();
    });
    socket.on('close', () => resolve(received.split('\r\n')[0] ?? ''));
    socket.on('error', (error) => resolve(`error: ${error.message}`));
  });
}

describe('bad input', () => {
  it('answers malformed JSON with 400 INVALID_JSON', async () => {
    h = await startHarness();

    const response = await h.client.request(CREATE, { method: 'POST', body: '{"providerName": "AWS",' });

    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toMatchObject({
      errorCode: 'INVALID_JSON',
      detail: 'Received JSON is malformed.',
    });
  });

  it('answers a body that is not declared JSON with 415', async () => {
    h = await startHarness();

    const response = await h.client.request(CREATE, {
      method: 'POST',
      body: 'providerName=AWS',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });

    expect(response.status).toBe(415);
    expect(((await response.json()) as { errorCode: string }).errorCode).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers a JSON array or an empty body with 400', async () => {
    h = await startHarness();

    const array = await h.client.request(CREATE, { method: 'POST', body: [] });
    const empty = await h.client.request(CREATE, { method: 'POST', body: '' });

    expect(array.status).toBe(400);
    expect(empty.status).toBe(400);
  });

  it('answers a declared oversized body with 413 without waiting for it', async () => {
    h = await startHarness({ maxBodyBytes: 1024 });

    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${h.atlas.url}${CREATE}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Content-Length': String(50 * 1024 * 1024) },
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      req.on('error', reject);
      req.write('{"providerName":');
    });
    const after = await h.client.request(LIST);

    expect(status).toBe(413);
    expect(after.status).toBe(200);
  });

  it('answers a streamed (chunked) oversized body with 413', async () => {
    h = await startHarness({ maxBodyBytes: 1024 });

    const response = await h.client.request(CREATE, {
      method: 'POST',
      body: `{"pad":"${'x'.repeat(4096)}"}`,
    });
    const after = await h.client.request(LIST);

    expect(response.status).toBe(413);
    expect(((await response.json()) as { errorCode: string }).errorCode).toBe('REQUEST_TOO_LARGE');
    expect(after.status).toBe(200);
  });

  it('answers unknown paths with 404 NOT_FOUND and wrong methods with 405', async () => {
    h = await startHarness();

    const outside = await fetch(`${h.atlas.url}/nope`);
    const unknown = await h.client.request(v2('/AWS/somethingElse'));
    const wrongMethod = await h.client.request(LIST, { method: 'PATCH' });

    expect(outside.status).toBe(404);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { errorCode: string }).errorCode).toBe('NOT_FOUND');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET');
  });

  it.each([
    ['a short groupId', '/api/atlas/v2/groups/abc/privateEndpoint/AWS/endpointService', 'groupId'],
    ['an unknown cloudProvider', v2('/ORACLE/endpointService'), 'cloudProvider'],
    ['a bad endpointServiceId', v2('/AWS/endpointService/XYZ'), 'endpointServiceId'],
    ['bad percent-encoding', v2('/AWS/endpointService/%E0%A4%A'), 'endpointServiceId'],
  ])('answers %s with 400 PATH_PARAM_PARSE_ERROR', async (_name, path, parameter) => {
    h = await startHarness();

    const response = await h.client.request(path);

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      errorCode: 'PATH_PARAM_PARSE_ERROR',
      parameters: [parameter],
    });
  });

  it('answers a v2 request for an older API version with 406, and accepts later dates and application/json', async () => {
    h = await startHarness();

    const old = await h.client.request(LIST, {
      headers: { Accept: 'application/vnd.atlas.2022-01-01+json' },
    });
    const later = await h.client.request(LIST, {
      headers: { Accept: 'application/vnd.atlas.2025-03-12+json' },
    });
    const json = await h.client.request(LIST, { headers: { Accept: 'application/json' } });

    expect(old.status).toBe(406);
    expect(later.status).toBe(200);
    expect(later.headers.get('content-type')).toBe('application/vnd.atlas.2023-01-01+json');
    expect(json.status).toBe(200);
  });

  it('answers garbage that is not HTTP, and oversized headers, then keeps serving', async () => {
    h = await startHarness();

    const garbage = await raw(h.atlas.url, 'HELLO THERE\r\n\r\n');
    const overflow = await raw(
      h.atlas.url,
      `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(40_000)}\r\n\r\n`,
    );
    const after = await h.client.request(LIST);

    expect(garbage).toBe('HTTP/1.1 400 Bad Request');
    expect(overflow).toBe('HTTP/1.1 431 Request Header Fields Too Large');
    expect(after.status).toBe(200);
  });

  it('turns an internal failure into a logged 500 and keeps serving', async () => {
    let calls = 0;
    const logError = vi.fn();
    const atlas = await startAtlasEmulator({
      logError,
      clock: () => {
        calls += 1;
        if (calls === 1) throw new Error('clock exploded');
        return Date.now();
      },
    });
    h = { atlas, client: new DigestTestClient(atlas.url, { publicKey: 'demo-public-key', privateKey: 'x' }) };

    const failed = await fetch(atlas.url + LIST);
    const after = await fetch(atlas.url + LIST);

    expect(failed.status).toBe(500);
    expect(await failed.json()).toMatchObject({ errorCode: 'UNEXPECTED_ERROR' });
    expect(logError).toHaveBeenCalledWith(expect.stringContaining('unexpected error'), expect.any(Error));
    expect(after.status).toBe(401);
  });
});

describe('query flags', () => {
  it('wraps answers, errors included, in {status, content} with envelope=true', async () => {
    h = await startHarness();

    const list = await h.client.request(`${LIST}?envelope=true`);
    const missing = await h.client.request(
      `${v2('/AWS/endpointService/0123456789abcdef01234567')}?envelope=true`,
    );
    const removed = await h.client.request(
      `${v1('/AWS/endpointService/0123456789abcdef01234567')}?envelope=true`,
      {
        method: 'DELETE',
      },
    );

    expect(list.status).toBe(200);
    expect(await list.json()).toEqual({ status: 200, content: [] });
    expect(missing.status).toBe(200);
    expect(await missing.json()).toMatchObject({
      status: 404,
      content: { errorCode: 'PRIVATE_ENDPOINT_SERVICE_NOT_FOUND' },
    });
    expect(await removed.json()).toMatchObject({ status: 404 });
  });

  it('keeps a 401 a 401 under envelope=true so Digest still works', async () => {
    h = await startHarness();

    const response = await fetch(`${h.atlas.url}${LIST}?envelope=true`);

    expect(response.status).toBe(401);
  });

  it('indents the body with pretty=true', async () => {
    h = await startHarness();

    const created = await h.client.request(`${CREATE}?pretty=true`, {
      method: 'POST',
      body: { providerName: 'AWS', region: 'us-east-1' },
    });
    const text = await created.text();

    expect(text).toContain('\n  "cloudProvider": "AWS"');
    expect(JSON.parse(text)).toMatchObject({ status: 'INITIATING' });
  });
});

describe('lifecycle', () => {
  it('forgets everything on reset and restores the starting script', async () => {
    h = await startHarness({ script: { faults: [{ path: '/GCP/', status: 503, times: 1 }] } });
    await h.client.request(CREATE, { method: 'POST', body: { providerName: 'AWS', region: 'us-east-1' } });
    await h.client.request(v2('/GCP/endpointService'));

    h.atlas.reset();
    const faulted = await fetch(h.atlas.url + v2('/GCP/endpointService'));

    expect(h.atlas.services()).toEqual([]);
    expect(faulted.status).toBe(503);
    expect(h.atlas.requestLog).toHaveLength(1);
  });
});

describe('options', () => {
  it('refuses one that cannot work with an InvalidRequestError naming it, as the rest of the package does', async () => {
    const starting = startAtlasEmulator({ maxBodyBytes: 0 });

    await expect(starting).rejects.toThrow(AtlasEmulatorOptionError);
    await expect(starting).rejects.toThrow(InvalidRequestError);
    await expect(starting).rejects.toThrow('Invalid maxBodyBytes 0: expected a whole number > 0.');
  });
});
