/**
 * The functions as deployed: each handler bundled with the construct's own esbuild settings (minified,
 * ES module builds first, every dependency inside), loaded like Lambda loads it, and run against the
 * emulators over the real wire protocols. Catches what a source-level test cannot: a dependency whose
 * bundled build breaks, or a handler that only works unbundled.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowHandlers } from '../../infra/handlers';
import {
  type AtlasEmulator,
  DEMO_API_KEY,
  DEMO_GROUP_ID,
  startAtlasEmulator,
} from '../../local/atlas-emulator';
import {
  type AwsEmulator,
  DEMO_SECURITY_GROUP_ID,
  DEMO_SUBNET_IDS,
  DEMO_VPC_ID,
  startAwsEmulator,
} from '../../local/aws-emulator';
import { handlerBuildOptions } from '../../scripts/handlerBundle';

type Handler = (event: unknown, context: unknown) => Promise<Record<string, unknown>>;

const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:atlas-bundle-test-AbCdEf';
const EXECUTION = 'bundle-test-execution';
const EXECUTION_ARN = `arn:aws:states:us-east-1:123456789012:execution:BundleTest-Provisioning:${EXECUTION}`;
const STARTED_AT = new Date().toISOString();

let work: string;
let atlas: AtlasEmulator;
let aws: AwsEmulator;
const handlers: Partial<Record<keyof typeof WorkflowHandlers, Handler>> = {};
const sizes: Record<string, number> = {};

beforeAll(async () => {
  atlas = await startAtlasEmulator({
    script: { endpointService: { statuses: ['INITIATING', 'AVAILABLE'] } },
  });
  aws = await startAwsEmulator({
    atlas: atlas.atlasSide,
    secrets: { [SECRET_ARN]: JSON.stringify(DEMO_API_KEY) },
  });
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bundle-test',
    AWS_SECRET_ACCESS_KEY: 'bundle-test',
    AWS_ENDPOINT_URL: aws.url,
    ATLAS_BASE_URL: atlas.url,
    ATLAS_SECRET_ARN: SECRET_ARN,
    MANAGED_BY: 'BundleTest',
    DEPLOYMENT_ACCOUNT_ID: '123456789012',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
  });
  work = mkdtempSync(join(tmpdir(), 'atlas-privatelink-bundles-'));
  const require = createRequire(import.meta.url);
  for (const name of [
    'validateRequest',
    'findEndpointService',
    'createVpcEndpoint',
    'registerEndpoint',
    'checkEndpoint',
  ] as const) {
    const outfile = join(work, name, 'index.js');
    const result = await build({ ...handlerBuildOptions(WorkflowHandlers[name], outfile), metafile: true });
    sizes[name] =
      result.metafile.outputs[Object.keys(result.metafile.outputs).find((f) => f.endsWith('.js')) ?? '']
        ?.bytes ?? 0;
    handlers[name] = (require(outfile) as { handler: Handler }).handler;
  }
}, 120_000);

afterAll(async () => {
  await Promise.allSettled([atlas?.close(), aws?.close()]);
  if (work) rmSync(work, { recursive: true, force: true });
});

const call = (name: keyof typeof WorkflowHandlers, event: unknown) => {
  const handler = handlers[name];
  if (!handler) throw new Error(`${name} was not bundled`);
  return handler(event, { functionName: name, awsRequestId: 'bundle-test' });
};

describe('the bundled handlers', () => {
  it('hold only the SDKs their handler uses', () => {
    // validateRequest reaches no AWS service or Atlas: no SDK and no undici in its bundle.
    expect(sizes.validateRequest).toBeLessThan(100_000);
    expect(sizes.findEndpointService).toBeGreaterThan(500_000);
  });

  it('provision against the emulators: validate, find the service, create, register, check', async () => {
    // Act
    const state = await call('validateRequest', {
      executionName: EXECUTION,
      executionArn: EXECUTION_ARN,
      executionStartedAt: STARTED_AT,
      input: {
        groupId: DEMO_GROUP_ID,
        region: 'us-east-1',
        vpcId: DEMO_VPC_ID,
        subnetIds: [DEMO_SUBNET_IDS[0]],
        securityGroupIds: [DEMO_SECURITY_GROUP_ID],
      },
    });
    const findService = (service: unknown) =>
      call('findEndpointService', {
        executionName: EXECUTION,
        executionArn: EXECUTION_ARN,
        executionStartedAt: STARTED_AT,
        request: state.request,
        service,
      });
    const initiating = await findService(state.service);
    let service = initiating;
    for (let check = 0; service.next !== 'READY' && check < 5; check++) service = await findService(service);
    const attempt = await call('createVpcEndpoint', {
      executionName: EXECUTION,
      executionArn: EXECUTION_ARN,
      request: state.request,
      service,
      history: state.history,
    });
    const ref = {
      executionName: EXECUTION,
      executionArn: EXECUTION_ARN,
      groupId: DEMO_GROUP_ID,
      endpointServiceId: service.endpointServiceId,
      vpcEndpointId: attempt.vpcEndpointId,
    };
    const registration = await call('registerEndpoint', {
      ...ref,
      endpointServiceName: service.endpointServiceName,
    });
    const poll = await call('checkEndpoint', {
      ...ref,
      executionStartedAt: STARTED_AT,
      timeoutSeconds: 3600,
      poll: attempt.poll,
    });

    // Assess
    expect(initiating).toMatchObject({ status: 'INITIATING', next: 'WAIT' });
    expect(service).toMatchObject({ status: 'AVAILABLE', next: 'READY' });
    expect(attempt.vpcEndpointId).toMatch(/^vpce-[0-9a-f]{17}$/);
    expect(aws.vpcEndpoints).toMatchObject([
      {
        vpcEndpointId: attempt.vpcEndpointId,
        vpcEndpointType: 'Interface',
        privateDnsEnabled: false,
        serviceName: service.endpointServiceName,
        tags: { 'atlas-privatelink:managed-by': 'BundleTest', 'atlas-privatelink:execution': EXECUTION_ARN },
      },
    ]);
    expect(registration).toMatchObject({ connectionStatus: 'PENDING_ACCEPTANCE' });
    expect(atlas.endpoints(DEMO_GROUP_ID)).toMatchObject([{ endpointId: attempt.vpcEndpointId }]);
    expect(poll).toMatchObject({ checks: 1, verdict: 'PENDING', connectionStatus: 'PENDING_ACCEPTANCE' });
  });
});
