/**
 * The tag-planting attacks (issue "Trust boundaries", §2), through the synthesized workflow and the real
 * SDK: someone allowed `ec2:CreateTags` writes the workflow's managed tags onto another team's working
 * endpoint, naming an execution they are about to make fail (names from Idempotency-Keys are predictable),
 * or one that failed. Neither clean-up nor the sweep may touch that endpoint or its Atlas registration.
 */
import { createHash } from 'node:crypto';
import { CreateTagsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyedExecution } from '../../lambdas/domain/apiRequest';
import { ManagedTag } from '../../lambdas/domain/request';
import { lambdaRuntime } from '../../lambdas/handlers/runtime';
import { KeptReason } from '../../lambdas/services/sweep';
import {
  DEMO_REQUEST,
  type OfflineEnvironment,
  startOfflineEnvironment,
} from '../../local/offline/OfflineEnvironment';
import { OFFLINE_CALLER_ARN } from '../../local/offline/offlineCaller';
import { sweepOffline } from '../../local/offline/sweepOffline';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

let env: OfflineEnvironment;
let ec2: EC2Client;
/** The other team's working connection: its VPC endpoint id. */
let victim: string;

async function provision(idempotencyKey: string, body: Record<string, unknown>) {
  const response = await fetch(`${env.api.url}/endpoints`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'Idempotency-Key': idempotencyKey },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(202);
  const { executionArn } = (await response.json()) as { executionArn: string };
  return env.aws.waitForExecution(executionArn, { timeoutMs: 60_000 });
}

async function plant(endpointId: string, executionName: string): Promise<void> {
  await ec2.send(
    new CreateTagsCommand({
      Resources: [endpointId],
      Tags: [
        { Key: ManagedTag.managedBy, Value: lambdaRuntime().managedBy() },
        { Key: ManagedTag.execution, Value: executionName },
      ],
    }),
  );
}

const victimSeen = () => env.aws.vpcEndpoints.find((e) => e.vpcEndpointId === victim);
const victimRegistration = () => env.atlas.endpoints().find((e) => e.endpointId === victim);
const atlasDeletesOfVictim = () =>
  env.atlas.requestLog.filter((r) => r.method === 'DELETE' && r.path.endsWith(`/endpoint/${victim}`));

beforeAll(async () => {
  // The first registration of the project works; every later one is rejected.
  env = await startOfflineEnvironment({
    scenario: {
      attempts: [
        { statuses: ['PENDING_ACCEPTANCE', 'PENDING', 'AVAILABLE'] },
        { statuses: ['PENDING_ACCEPTANCE', 'REJECTED'] },
      ],
    },
  });
  ec2 = new EC2Client({
    endpoint: env.aws.url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const first = await provision('team-b-orders', DEMO_REQUEST);
  expect(first.status).toBe('SUCCEEDED');
  victim = (JSON.parse(first.output ?? '{}') as { vpcEndpointId: string }).vpcEndpointId;
}, 120_000);

afterAll(async () => {
  ec2?.destroy();
  await env?.close();
});

describe('GIVEN another team’s AVAILABLE endpoint carrying planted managed tags', () => {
  it('WHEN a request whose execution name they predicted fails THEN clean-up leaves that endpoint and its registration alone', async () => {
    // Prepare
    const attackerKey = 'attacker-request-1';
    await plant(victim, keyedExecution(attackerKey, OFFLINE_CALLER_ARN, sha256).name);

    // Act
    const failed = await provision(attackerKey, { ...DEMO_REQUEST, maxAttempts: 1 });

    // Assess
    expect(failed.status).toBe('FAILED');
    expect(victimSeen()?.state).toBe('available');
    expect(victimRegistration()).toMatchObject({ connectionStatus: 'AVAILABLE', deleteRequested: false });
    expect(atlasDeletesOfVictim()).toStrictEqual([]);
    // The attacker's own attempt was created, rejected and removed: clean-up still does its job.
    expect(
      env.aws.vpcEndpoints.filter((e) => e.state !== 'deleted').map((e) => e.vpcEndpointId),
    ).toStrictEqual([victim]);
  });

  it('WHEN the sweep runs THEN it keeps the endpoint, created before the failed execution its tags name', async () => {
    // Act
    const passes = await sweepOffline(env, { maxPasses: 2 });

    // Assess
    expect(passes[0]?.kept).toContainEqual(
      expect.objectContaining({ vpcEndpointId: victim, reason: KeptReason.olderThanExecution }),
    );
    expect(passes.flatMap((p) => p.orphans).flatMap((o) => o.vpcEndpointIds)).not.toContain(victim);
    expect(victimSeen()?.state).toBe('available');
    expect(victimRegistration()).toMatchObject({ connectionStatus: 'AVAILABLE', deleteRequested: false });
    expect(atlasDeletesOfVictim()).toStrictEqual([]);
  });
});
