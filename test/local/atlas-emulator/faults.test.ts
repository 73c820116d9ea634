import { afterEach, describe, expect, it } from 'vitest';
import { fakeClock, type Harness, startHarness, v2 } from './fixtures';

let h: Harness;
afterEach(async () => {
  await h?.atlas.close();
});

const LIST = v2('/AWS/endpointService');

describe('scripted faults', () => {
  it('answers a matching request with the scripted status and Retry-After, `times` times, before authentication', async () => {
    h = await startHarness();
    await h.client.request(LIST);
    h.atlas.setScript({
      faults: [{ method: 'GET', path: '/AWS/endpointService', status: 429, retryAfter: 7, times: 2 }],
    });

    const unauthenticated = await fetch(h.atlas.url + LIST);
    const second = await h.client.request(LIST);
    const third = await h.client.request(LIST);

    expect(unauthenticated.status).toBe(429);
    expect(unauthenticated.headers.get('retry-after')).toBe('7');
    expect(await unauthenticated.json()).toMatchObject({
      error: 429,
      errorCode: 'RATE_LIMITED',
      reason: 'Too Many Requests',
    });
    expect(second.status).toBe(429);
    expect(third.status).toBe(200);
    expect(h.atlas.requestLog.map((e) => [e.status, e.auth])).toEqual([
      [401, 'challenge'],
      [200, 'ok'],
      [429, 'none'],
      [429, 'none'],
      [200, 'ok'],
    ]);
  });

  it('counts only matching requests', async () => {
    h = await startHarness({ script: { faults: [{ method: 'DELETE', status: 503, times: 1 }] } });

    const get = await h.client.request(LIST);
    const del = await h.client.request(v2('/AWS/endpointService/0123456789abcdef01234567'), {
      method: 'DELETE',
    });
    const delAgain = await h.client.request(v2('/AWS/endpointService/0123456789abcdef01234567'), {
      method: 'DELETE',
    });

    expect(get.status).toBe(200);
    expect(del.status).toBe(503);
    expect(((await del.json()) as { errorCode: string }).errorCode).toBe('SERVICE_UNAVAILABLE');
    expect(delAgain.status).toBe(404);
  });

  it('resets the connection', async () => {
    h = await startHarness({ script: { faults: [{ path: '/AWS/', reset: true, times: 1 }] } });

    const failure = await fetch(h.atlas.url + LIST).then(
      () => undefined,
      (error: unknown) => error,
    );
    const after = await h.client.request(LIST);

    expect(failure).toBeInstanceOf(TypeError);
    expect(after.status).toBe(200);
    expect(h.atlas.requestLog[0]).toMatchObject({ status: 0 });
  });

  it('delays the answer, then handles the request normally', async () => {
    h = await startHarness({ script: { faults: [{ delayMs: 150, times: 1 }] } });

    const started = performance.now();
    const response = await fetch(h.atlas.url + LIST);
    const elapsed = performance.now() - started;

    expect(response.status).toBe(401);
    expect(elapsed).toBeGreaterThanOrEqual(140);
  });

  it('sends a body that is not JSON', async () => {
    h = await startHarness({ script: { faults: [{ body: 'malformed', times: 1 }] } });

    const response = await fetch(h.atlas.url + LIST);
    const text = await response.text();

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/vnd.atlas.2023-01-01+json');
    expect(() => JSON.parse(text)).toThrow();
  });

  it('applies a fault forever when times is omitted, until setScript replaces it', async () => {
    h = await startHarness({ script: { faults: [{ status: 500 }] } });

    const statuses = [(await fetch(h.atlas.url + LIST)).status, (await fetch(h.atlas.url + LIST)).status];
    h.atlas.setScript({});
    const after = await h.client.request(LIST);

    expect(statuses).toEqual([500, 500]);
    expect(after.status).toBe(200);
  });
});

describe('rate limiting', () => {
  it('answers 429 RATE_LIMITED with Retry-After once a project has spent its bucket, and refills by the clock', async () => {
    const clock = fakeClock();
    h = await startHarness({ clock, rateLimit: { capacity: 2, refillPerMinute: 6 } });

    const allowed = [await h.client.request(LIST), await h.client.request(LIST)];
    const limited = await h.client.request(LIST);
    clock.advance(10_000);
    const refilled = await h.client.request(LIST);

    expect(allowed.map((r) => r.status)).toEqual([200, 200]);
    expect(allowed[1]!.headers.get('ratelimit-remaining')).toBe('0');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('10');
    expect(await limited.json()).toMatchObject({ errorCode: 'RATE_LIMITED' });
    expect(refilled.status).toBe(200);
  });

  it('is off by default', async () => {
    h = await startHarness();

    const statuses: number[] = [];
    for (let i = 0; i < 30; i += 1) statuses.push((await h.client.request(LIST)).status);

    expect(new Set(statuses)).toEqual(new Set([200]));
  });
});
