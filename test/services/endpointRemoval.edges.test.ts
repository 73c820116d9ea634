/**
 * The edges of removing what one execution created: which Atlas errors let the VPC endpoint go (only "not
 * registered"), which abandon it, an id the execution recorded that EC2 no longer describes, and a pass with
 * nothing to delete. EC2 and Atlas are in memory and remember what was asked of them, in order.
 */
import { describe, expect, it } from 'vitest';
import type { VpcEndpointView } from '../../lambdas/adapters/VpcEndpoints';
import { ManagedTag } from '../../lambdas/domain/request';
import {
  AtlasAuthError,
  AtlasBadRequestError,
  AtlasNotFoundError,
  AtlasRateLimitedError,
  AtlasServerError,
} from '../../lambdas/errors';
import {
  createdByExecution,
  type RemovalTarget,
  removeExecutionEndpoints,
} from '../../lambdas/services/endpointRemoval';

const GROUP = '5f0c1a2b3c4d5e6f7a8b9c0d';
const SERVICE = '6b0a0000000000000000abcd';
const SERVICE_NAME = 'com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0';
const VPC = 'vpc-0123456789abcdef0';
const MANAGED_BY = 'AtlasPrivateLinkTest';
const EXECUTION =
  'arn:aws:states:us-east-1:123456789012:execution:AtlasPrivateLinkTest-Provisioning:req-0123456789abcdef';
const STARTED_AT = '2026-03-01T10:00:00.000Z';
const VPCE_A = 'vpce-0000000000000000a';
const VPCE_B = 'vpce-0000000000000000b';

interface Registration {
  readonly connectionStatus: string;
  readonly deleteRequested: boolean;
}

/** EC2 and Atlas in memory; `calls` lists every request in the order it was made. */
function world() {
  const endpoints = new Map<string, VpcEndpointView>();
  const registrations = new Map<string, Registration>();
  /** What Atlas throws when asked for an endpoint's registration. */
  const atlasErrors = new Map<string, unknown>();
  /** Ids EC2 refuses to delete, with its error. */
  const refusals = new Map<string, { code: string; message: string }>();
  /** Ids the tag search does not return yet (EC2's tag index is eventually consistent). */
  const unindexed = new Set<string>();
  const calls: string[] = [];

  const endpoint = (
    id: string,
    options: {
      state?: string;
      execution?: string;
      managedBy?: string;
      createdAt?: string | undefined;
      vpcId?: string;
      serviceName?: string;
      registered?: Registration | false;
    } = {},
  ) => {
    endpoints.set(id, {
      vpcEndpointId: id,
      state: options.state ?? 'available',
      serviceName: options.serviceName ?? SERVICE_NAME,
      vpcId: options.vpcId ?? VPC,
      securityGroupIds: [],
      tags: {
        [ManagedTag.managedBy]: options.managedBy ?? MANAGED_BY,
        [ManagedTag.execution]: options.execution ?? EXECUTION,
      },
      ...('createdAt' in options
        ? options.createdAt === undefined
          ? {}
          : { createdAt: options.createdAt }
        : { createdAt: '2026-03-01T10:01:00.000Z' }),
    });
    const registration = options.registered ?? { connectionStatus: 'AVAILABLE', deleteRequested: false };
    if (registration) registrations.set(id, registration);
  };

  const vpc = {
    findByTag: async (key: string, value: string | readonly string[]) => {
      calls.push(`ec2 find ${key}=${String(value)}`);
      return [...endpoints.values()].filter((e) => e.tags[key] === value && !unindexed.has(e.vpcEndpointId));
    },
    describe: async (id: string) => {
      calls.push(`ec2 describe ${id}`);
      return endpoints.get(id);
    },
    delete: async (ids: readonly string[]) => {
      calls.push(`ec2 delete ${ids.join(',')}`);
      const failed = ids.filter((id) => refusals.has(id)).map((id) => ({ id, ...refusals.get(id)! }));
      const deleted = ids.filter((id) => !refusals.has(id));
      for (const id of deleted) {
        const e = endpoints.get(id);
        if (e) endpoints.set(id, { ...e, state: 'deleting' });
      }
      return { deleted, notFound: [], failed };
    },
  };
  let atlasOpened = 0;
  const atlas = async () => {
    atlasOpened += 1;
    return {
      getEndpoint: async (groupId: string, provider: string, serviceId: string, id: string) => {
        calls.push(`atlas get ${id}`);
        expect([groupId, provider, serviceId]).toStrictEqual([GROUP, 'AWS', SERVICE]);
        if (atlasErrors.has(id)) throw atlasErrors.get(id);
        const registration = registrations.get(id);
        if (!registration) throw new AtlasNotFoundError({ status: 404, errorCode: 'ENDPOINT_NOT_FOUND' });
        return { interfaceEndpointId: id, errorMessage: null, ...registration } as never;
      },
      deleteEndpoint: async (groupId: string, provider: string, serviceId: string, id: string) => {
        calls.push(`atlas delete ${id}`);
        expect([groupId, provider, serviceId]).toStrictEqual([GROUP, 'AWS', SERVICE]);
        registrations.set(id, { connectionStatus: 'DELETING', deleteRequested: true });
        return { deleted: true };
      },
    };
  };

  return {
    endpoint,
    endpoints,
    registrations,
    atlasErrors,
    refusals,
    unindexed,
    calls,
    atlasOpened: () => atlasOpened,
    remove: (target: Partial<RemovalTarget> = {}) =>
      removeExecutionEndpoints(
        {
          executionArn: EXECUTION,
          managedBy: MANAGED_BY,
          groupId: GROUP,
          endpointServiceId: SERVICE,
          ...target,
        },
        vpc,
        atlas,
      ),
  };
}

describe('removeExecutionEndpoints and the errors Atlas answers', () => {
  it('keeps the VPC endpoint while Atlas refuses the credentials, abandoning it with the reason', async () => {
    // Prepare: deleting the VPC endpoint now would lose the only record of a registration that stays.
    const w = world();
    w.endpoint(VPCE_A);
    w.atlasErrors.set(VPCE_A, new AtlasAuthError({ status: 401, detail: 'Unauthorized' }));

    // Act
    const pass = await w.remove({ knownVpcEndpointIds: [VPCE_A] });

    // Assess
    expect(pass).toStrictEqual({
      vpcEndpointIds: [VPCE_A],
      remaining: [],
      abandoned: [{ id: VPCE_A, reason: 'Atlas answered 401: Unauthorized' }],
    });
    expect(w.calls.filter((c) => c.startsWith('ec2 delete'))).toStrictEqual([]);
    expect(w.endpoints.get(VPCE_A)?.state).toBe('available');
  });

  it('abandons on a refused request too (400), never reading it as "not registered"', async () => {
    const w = world();
    w.endpoint(VPCE_A);
    w.atlasErrors.set(VPCE_A, new AtlasBadRequestError({ status: 400, detail: 'Invalid endpoint id' }));

    const pass = await w.remove({ knownVpcEndpointIds: [VPCE_A] });

    expect(pass.abandoned).toStrictEqual([{ id: VPCE_A, reason: 'Atlas answered 400: Invalid endpoint id' }]);
    expect(w.calls).not.toContain(`ec2 delete ${VPCE_A}`);
  });

  it.each([
    ['a server error', new AtlasServerError({ status: 503 })],
    ['a rate limit', new AtlasRateLimitedError({ status: 429 })],
  ])('keeps the endpoint as remaining after %s, for the next pass to try again', async (_what, error) => {
    const w = world();
    w.endpoint(VPCE_A);
    w.atlasErrors.set(VPCE_A, error);

    const pass = await w.remove({ knownVpcEndpointIds: [VPCE_A] });

    expect(pass).toStrictEqual({ vpcEndpointIds: [VPCE_A], remaining: [VPCE_A], abandoned: [] });
    expect(w.calls).not.toContain(`ec2 delete ${VPCE_A}`);
  });

  it('abandons an endpoint when Atlas fails with something that is not an Error, saying what it was', async () => {
    const w = world();
    w.endpoint(VPCE_A);
    w.atlasErrors.set(VPCE_A, 'socket hang up');

    const pass = await w.remove({ knownVpcEndpointIds: [VPCE_A] });

    expect(pass.abandoned).toStrictEqual([{ id: VPCE_A, reason: 'socket hang up' }]);
    expect(pass.remaining).toStrictEqual([]);
    expect(w.calls).not.toContain(`ec2 delete ${VPCE_A}`);
  });

  it('deletes the VPC endpoint only once Atlas answers 404, and only that one', async () => {
    // Prepare: A is still registered, B no longer is.
    const w = world();
    w.endpoint(VPCE_A);
    w.endpoint(VPCE_B, { registered: false });

    // Act
    const pass = await w.remove({ knownVpcEndpointIds: [VPCE_A, VPCE_B] });

    // Assess
    expect(w.calls).toStrictEqual([
      `ec2 find ${ManagedTag.execution}=${EXECUTION}`,
      `atlas get ${VPCE_A}`,
      `atlas delete ${VPCE_A}`,
      `atlas get ${VPCE_B}`,
      `ec2 delete ${VPCE_B}`,
    ]);
    expect(pass).toStrictEqual({
      vpcEndpointIds: [VPCE_A, VPCE_B],
      remaining: [VPCE_A, VPCE_B],
      abandoned: [],
    });
  });

  it.each([
    ['already asked to delete it', { connectionStatus: 'AVAILABLE', deleteRequested: true }],
    ['already DELETING', { connectionStatus: 'DELETING', deleteRequested: false }],
  ])('does not ask Atlas again when it is %s, and waits for it', async (_what, registered) => {
    const w = world();
    w.endpoint(VPCE_A, { registered });

    const pass = await w.remove({ knownVpcEndpointIds: [VPCE_A] });

    expect(w.calls).toStrictEqual([`ec2 find ${ManagedTag.execution}=${EXECUTION}`, `atlas get ${VPCE_A}`]);
    expect(pass.remaining).toStrictEqual([VPCE_A]);
  });
});

describe('removeExecutionEndpoints and EC2', () => {
  it('is done with a recorded id EC2 no longer describes once Atlas has no registration for it', async () => {
    // Prepare: nothing in EC2, nothing in Atlas.
    const w = world();

    // Act
    const pass = await w.remove({ knownVpcEndpointIds: [VPCE_A] });

    // Assess: Atlas was asked (the registration could outlive the endpoint); nothing is left to delete in EC2.
    expect(w.calls).toStrictEqual([
      `ec2 find ${ManagedTag.execution}=${EXECUTION}`,
      `ec2 describe ${VPCE_A}`,
      `atlas get ${VPCE_A}`,
    ]);
    expect(pass).toStrictEqual({ vpcEndpointIds: [VPCE_A], remaining: [], abandoned: [] });
  });

  it('still removes the registration of a recorded id EC2 no longer describes', async () => {
    const w = world();
    w.registrations.set(VPCE_A, { connectionStatus: 'AVAILABLE', deleteRequested: false });

    const pass = await w.remove({ knownVpcEndpointIds: [VPCE_A] });

    expect(w.calls).toContain(`atlas delete ${VPCE_A}`);
    expect(w.calls.some((c) => c.startsWith('ec2 delete'))).toBe(false);
    expect(pass.remaining).toStrictEqual([VPCE_A]);
  });

  it('finds a recorded endpoint the tag search has not caught up with, and removes it', async () => {
    const w = world();
    w.endpoint(VPCE_A, { registered: false });
    w.unindexed.add(VPCE_A);

    const pass = await w.remove({ knownVpcEndpointIds: [VPCE_A] });

    expect(w.calls).toContain(`ec2 delete ${VPCE_A}`);
    expect(pass).toStrictEqual({ vpcEndpointIds: [VPCE_A], remaining: [VPCE_A], abandoned: [] });
  });

  it('leaves alone a recorded id whose endpoint now carries another execution tag', async () => {
    const w = world();
    w.endpoint(VPCE_A, { execution: 'req-someone-else' });

    const pass = await w.remove({ knownVpcEndpointIds: [VPCE_A] });

    expect(pass).toStrictEqual({ vpcEndpointIds: [], remaining: [], abandoned: [] });
    expect(w.calls).toStrictEqual([
      `ec2 find ${ManagedTag.execution}=${EXECUTION}`,
      `ec2 describe ${VPCE_A}`,
    ]);
    expect(w.atlasOpened()).toBe(0);
  });

  it('does not describe a recorded id the tag search already returned, and skips empty slots', async () => {
    const w = world();
    w.endpoint(VPCE_A, { registered: false });

    await w.remove({ knownVpcEndpointIds: [undefined, VPCE_A, ''] });

    expect(w.calls.filter((c) => c.startsWith('ec2 describe'))).toStrictEqual([]);
  });

  it('makes no EC2 delete call when nothing is left to delete', async () => {
    // Prepare: the only endpoint is already deleting in EC2, its registration gone.
    const w = world();
    w.endpoint(VPCE_A, { state: 'deleting', registered: false });

    // Act
    const pass = await w.remove({ knownVpcEndpointIds: [VPCE_A] });

    // Assess
    expect(w.calls.some((c) => c.startsWith('ec2 delete'))).toBe(false);
    expect(pass).toStrictEqual({ vpcEndpointIds: [VPCE_A], remaining: [VPCE_A], abandoned: [] });
  });

  it('counts an endpoint EC2 reports deleted as gone', async () => {
    const w = world();
    w.endpoint(VPCE_A, { state: 'deleted', registered: false });

    const pass = await w.remove({ knownVpcEndpointIds: [VPCE_A] });

    expect(w.calls.some((c) => c.startsWith('ec2 delete'))).toBe(false);
    expect(pass).toStrictEqual({ vpcEndpointIds: [VPCE_A], remaining: [], abandoned: [] });
  });

  it('abandons an endpoint EC2 refuses to delete, with its code and message, and not as remaining', async () => {
    const w = world();
    w.endpoint(VPCE_A, { registered: false });
    w.endpoint(VPCE_B, { registered: false });
    w.refusals.set(VPCE_A, { code: 'UnauthorizedOperation', message: 'not allowed' });

    const pass = await w.remove({ knownVpcEndpointIds: [VPCE_A, VPCE_B] });

    expect(w.calls).toContain(`ec2 delete ${VPCE_A},${VPCE_B}`);
    expect(pass).toStrictEqual({
      vpcEndpointIds: [VPCE_A, VPCE_B],
      remaining: [VPCE_B],
      abandoned: [{ id: VPCE_A, reason: 'UnauthorizedOperation: not allowed' }],
    });
  });
});

describe('removeExecutionEndpoints before anything could be created', () => {
  it('makes no call at all without a project', async () => {
    const w = world();
    w.endpoint(VPCE_A);

    const pass = await w.remove({ groupId: undefined, knownVpcEndpointIds: [VPCE_A] });

    expect(pass).toStrictEqual({ vpcEndpointIds: [], remaining: [], abandoned: [] });
    expect(w.calls).toStrictEqual([]);
  });

  it('deletes in EC2 without asking Atlas when no endpoint service was found', async () => {
    const w = world();
    w.endpoint(VPCE_A);

    const pass = await w.remove({ endpointServiceId: undefined, knownVpcEndpointIds: [VPCE_A] });

    expect(w.atlasOpened()).toBe(0);
    expect(w.calls).toContain(`ec2 delete ${VPCE_A}`);
    expect(pass.remaining).toStrictEqual([VPCE_A]);
  });

  it('does not open an Atlas client when the execution has no endpoint', async () => {
    const w = world();

    const pass = await w.remove({ knownVpcEndpointIds: [] });

    expect(w.atlasOpened()).toBe(0);
    expect(w.calls).toStrictEqual([`ec2 find ${ManagedTag.execution}=${EXECUTION}`]);
    expect(pass).toStrictEqual({ vpcEndpointIds: [], remaining: [], abandoned: [] });
  });
});

describe('removeExecutionEndpoints and tagged endpoints it did not record', () => {
  const provenance = { startedAt: STARTED_AT, vpcId: VPC, serviceName: SERVICE_NAME };

  it('removes one created after the start, in the VPC, to the service', async () => {
    const w = world();
    w.endpoint(VPCE_A, { registered: false });

    const pass = await w.remove({ provenance });

    expect(pass.vpcEndpointIds).toStrictEqual([VPCE_A]);
    expect(w.calls).toContain(`ec2 delete ${VPCE_A}`);
  });

  it('leaves it alone without provenance: a tag alone proves nothing', async () => {
    const w = world();
    w.endpoint(VPCE_A, { registered: false });

    const pass = await w.remove({});

    expect(pass.vpcEndpointIds).toStrictEqual([]);
    expect(w.atlasOpened()).toBe(0);
  });

  it('leaves alone one tagged with this execution but managed by another deployment, even when recorded', async () => {
    const w = world();
    w.endpoint(VPCE_A, { managedBy: 'AnotherDeployment', registered: false });

    const pass = await w.remove({ provenance, knownVpcEndpointIds: [VPCE_A] });

    expect(pass.vpcEndpointIds).toStrictEqual([]);
  });
});

describe('createdByExecution', () => {
  const view = (overrides: Partial<VpcEndpointView>): VpcEndpointView => ({
    vpcEndpointId: VPCE_A,
    state: 'available',
    serviceName: SERVICE_NAME,
    vpcId: VPC,
    securityGroupIds: [],
    tags: {},
    createdAt: '2026-03-01T10:01:00.000Z',
    ...overrides,
  });
  const provenance = { startedAt: '2026-03-01T10:00:00.400Z', vpcId: VPC, serviceName: SERVICE_NAME };

  it('accepts an endpoint created in the second the execution started (EC2 reports whole seconds)', () => {
    expect(createdByExecution(view({ createdAt: '2026-03-01T10:00:00.000Z' }), provenance)).toBe(true);
  });

  it('refuses one created the second before', () => {
    expect(createdByExecution(view({ createdAt: '2026-03-01T09:59:59.000Z' }), provenance)).toBe(false);
  });

  it('refuses one whose creation time EC2 did not report', () => {
    expect(createdByExecution(view({ createdAt: undefined }), provenance)).toBe(false);
  });

  it('refuses one in another VPC, or to another service', () => {
    expect(createdByExecution(view({ vpcId: 'vpc-0fedcba9876543210' }), provenance)).toBe(false);
    expect(
      createdByExecution(
        view({ serviceName: 'com.amazonaws.vpce.us-east-1.vpce-svc-0fedcba9876543210' }),
        provenance,
      ),
    ).toBe(false);
  });

  it('checks only the creation time when the VPC and service are not known', () => {
    const other = view({ vpcId: 'vpc-0fedcba9876543210', serviceName: 'com.amazonaws.vpce.us-east-1.other' });

    expect(createdByExecution(other, { startedAt: provenance.startedAt })).toBe(true);
  });
});
