/**
 * Atlas behaviour seen in the wild that the workflow must survive, as the emulator scripts it: an AWS
 * endpoint service removed together with its last endpoint, and registrations not visible right away.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { availableAwsService, fakeClock, type Harness, startHarness, VPCE, VPCE_2, v2 } from './fixtures';

let h: Harness;
afterEach(async () => {
  await h?.atlas.close();
});

const status = async (path: string) => {
  const response = await h.client.request(v2(path));
  return response.status === 200 ? ((await response.json()) as { status: string }).status : response.status;
};

/** Deletes an endpoint and reads it until Atlas answers 404 (deletingPolls reads of DELETING first). */
async function deleteUntilGone(serviceId: string, endpointId: string): Promise<void> {
  await h.client.request(v2(`/AWS/endpointService/${serviceId}/endpoint/${endpointId}`), {
    method: 'DELETE',
  });
  for (let read = 0; read < 10; read += 1) {
    const response = await h.client.request(v2(`/AWS/endpointService/${serviceId}/endpoint/${endpointId}`));
    if (response.status === 404) return;
  }
  throw new Error(`${endpointId} never went away`);
}

const register = (serviceId: string, id: string) =>
  h.client.request(v2(`/AWS/endpointService/${serviceId}/endpoint`), { method: 'POST', body: { id } });

describe('endpointService.removeWithLastEndpoint', () => {
  it('removes the service once the deletion of its last endpoint completes: DELETING, then 404', async () => {
    h = await startHarness({
      script: { endpointService: { removeWithLastEndpoint: true }, deletingPolls: 1 },
    });
    const serviceId = await availableAwsService(h.client);
    await register(serviceId, VPCE);
    await register(serviceId, VPCE_2);

    await deleteUntilGone(serviceId, VPCE);
    const withOneLeft = await status(`/AWS/endpointService/${serviceId}`);
    await deleteUntilGone(serviceId, VPCE_2);
    const afterTheLast = await status(`/AWS/endpointService/${serviceId}`);
    const then = await status(`/AWS/endpointService/${serviceId}`);

    expect(withOneLeft).toBe('AVAILABLE');
    expect(afterTheLast).toBe('DELETING');
    expect(then).toBe(404);
  });

  it('keeps the service by default', async () => {
    h = await startHarness({ script: { deletingPolls: 1 } });
    const serviceId = await availableAwsService(h.client);
    await register(serviceId, VPCE);

    await deleteUntilGone(serviceId, VPCE);

    expect(await status(`/AWS/endpointService/${serviceId}`)).toBe('AVAILABLE');
  });

  it('refuses a value that is not true or false', async () => {
    const { startAtlasEmulator } = await import('../../../local/atlas-emulator');
    await expect(
      startAtlasEmulator({ script: { endpointService: { removeWithLastEndpoint: 'yes' } } as never }),
    ).rejects.toThrow(/removeWithLastEndpoint: expected true or false/);
  });
});

describe('attempts[i].notFoundForSeconds', () => {
  it('answers 404 for the registration until that many seconds after it, then its statuses from the first', async () => {
    const clock = fakeClock();
    h = await startHarness({
      clock,
      script: { attempts: [{ statuses: ['PENDING', 'AVAILABLE'], notFoundForSeconds: 20 }] },
    });
    const serviceId = await availableAwsService(h.client);
    const created = await register(serviceId, VPCE);
    const path = `/AWS/endpointService/${serviceId}/endpoint/${VPCE}`;

    clock.advance(19_000);
    const tooSoon = (await h.client.request(v2(path))).status;
    clock.advance(1_000);
    const first = await h.client.request(v2(path));

    expect(created.status).toBe(200);
    expect(tooSoon).toBe(404);
    expect(((await first.json()) as { connectionStatus: string }).connectionStatus).toBe('PENDING');
  });
});
