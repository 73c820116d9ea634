import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AtlasConflictError } from '../../lambdas/errors';
import {
  createRegisterEndpointHandler,
  type RegisterEndpointEvent,
} from '../../lambdas/handlers/registerEndpoint';
import { type AtlasEmulator, startAtlasEmulator } from '../../local/atlas-emulator';
import { availableService, closeAtlasClients, EXECUTION, GROUP, T0, testRuntime, VPCE } from './fakeRuntime';

let atlas: AtlasEmulator;

beforeAll(async () => {
  atlas = await startAtlasEmulator({ logError: () => {} });
});
beforeEach(() => atlas.reset());
afterEach(closeAtlasClients);
afterAll(() => atlas.close());

const event = (endpointServiceId: string): RegisterEndpointEvent => ({
  executionName: EXECUTION,
  groupId: GROUP,
  endpointServiceId,
  vpcEndpointId: VPCE,
});

const registrations = () =>
  atlas.requestLog.filter((e) => e.method === 'POST' && e.path.endsWith('/endpoint'));

describe('registerEndpoint handler', () => {
  it('registers the VPC endpoint with the Atlas endpoint service', async () => {
    // Prepare
    const { id } = await availableService(atlas);
    const runtime = testRuntime(atlas);
    runtime.setNow(T0 + 42_000);

    // Act
    const registration = await createRegisterEndpointHandler(runtime)(event(id));

    // Assess
    expect(registration).toStrictEqual({
      registeredAt: new Date(T0 + 42_000).toISOString(),
      connectionStatus: 'PENDING_ACCEPTANCE',
      errorMessage: null,
    });
    expect(atlas.endpoints(GROUP)).toMatchObject([{ endpointServiceId: id, endpointId: VPCE }]);
  });

  it('counts a 409 for the same endpoint id as registered (a retried task)', async () => {
    // Prepare
    const { id } = await availableService(atlas);
    const handler = createRegisterEndpointHandler(testRuntime(atlas));
    await handler(event(id));

    // Act
    const again = await handler(event(id));

    // Assess
    expect(again.connectionStatus).toBe('PENDING_ACCEPTANCE');
    expect(registrations().map((e) => e.status)).toContain(409);
    expect(atlas.endpoints(GROUP)).toHaveLength(1);
  });

  it('fails with AtlasConflictError when the same id is still being deleted in Atlas', async () => {
    // Prepare
    const { id, client } = await availableService(atlas);
    await client.createEndpoint(GROUP, 'AWS', id, { id: VPCE });
    await client.deleteEndpoint(GROUP, 'AWS', id, VPCE);

    // Act & Assess
    await expect(createRegisterEndpointHandler(testRuntime(atlas))(event(id))).rejects.toBeInstanceOf(
      AtlasConflictError,
    );
  });
});
