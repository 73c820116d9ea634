/**
 * The tag-planting attacks (issue "Trust boundaries", §2), through the synthesized workflow and the real
 * SDK: someone allowed `ec2:CreateTags` writes the workflow's managed tags onto another team's working
 * endpoint, naming (by ARN) an execution they are about to make fail (names from Idempotency-Keys, and so
 * ARNs, are predictable), or one that failed. Neither clean-up nor the sweep may touch that endpoint or its
 * Atlas registration: clean-up deletes what its execution recorded, the sweep what its execution's history
 * shows it created.
 */
import { createHash } from 'node:crypto';
import { CreateTagsCommand, CreateVpcEndpointCommand, EC2Client } from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyedExecution } from '../../lambdas/domain/apiRequest';
import { ManagedTag } from '../../lambdas/domain/request';
import { atlasFromSecret } from '../../lambdas/handlers/capabilities/atlasFromSecret';
import { lambdaRuntime } from '../../lambdas/handlers/runtime';
import { KeptReason } from '../../lambdas/services/sweep';
import { DEMO_SUBNET_IDS, DEMO_VPC_ID } from '../../local/aws-emulator';
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

/** The ARN an execution of this deployment's provisioning named `name` has (or will have). */
const executionArnOf = (name: string) =>
  `${env.synthesized.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;

async function plant(endpointId: string, executionArn: string): Promise<void> {
  await ec2.send(
    new CreateTagsCommand({
      Resources: [endpointId],
      Tags: [
        { Key: ManagedTag.managedBy, Value: lambdaRuntime().managedBy() },
        { Key: ManagedTag.execution, Value: executionArn },
      ],
    }),
  );
}

const seen = (id: string) => env.aws.vpcEndpoints.find((e) => e.vpcEndpointId === id);
const registrationOf = (id: string) => env.atlas.endpoints().find((e) => e.endpointId === id);
const atlasDeletesOf = (id: string) =>
  env.atlas.requestLog.filter((r) => r.method === 'DELETE' && r.path.endsWith(`/endpoint/${id}`));
const victimSeen = () => seen(victim);
const victimRegistration = () => registrationOf(victim);
const atlasDeletesOfVictim = () => atlasDeletesOf(victim);

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
    await plant(victim, executionArnOf(keyedExecution(attackerKey, OFFLINE_CALLER_ARN, sha256).name));

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

  it('WHEN a newer endpoint, in the same VPC to the same service, is tagged with the failed execution’s ARN THEN the sweep keeps it: that execution’s history never created it', async () => {
    // Prepare: another team's endpoint made after the attacker's execution started (so its creation time,
    // VPC and service all fit), registered with Atlas, then tagged with everything the sweep looks for.
    const failed = env.aws.executions.find((e) => e.status === 'FAILED');
    if (!failed) throw new Error('the first attack left no failed execution');
    const victimService = victimSeen();
    const registration = victimRegistration();
    const made = await ec2.send(
      new CreateVpcEndpointCommand({
        VpcEndpointType: 'Interface',
        VpcId: DEMO_VPC_ID,
        ServiceName: victimService?.serviceName ?? '',
        SubnetIds: [DEMO_SUBNET_IDS[0]],
        PrivateDnsEnabled: false,
      }),
    );
    const newer = made.VpcEndpoint?.VpcEndpointId as string;
    const groupId = String(env.request.groupId);
    const endpointServiceId = env.atlas.services(groupId)[0]?.id as string;
    await (await atlasFromSecret()).createEndpoint(groupId, 'AWS', endpointServiceId, { id: newer });
    await plant(newer, failed.executionArn);
    await ec2.send(
      new CreateTagsCommand({
        Resources: [newer],
        Tags: [
          { Key: ManagedTag.groupId, Value: groupId },
          { Key: ManagedTag.endpointServiceId, Value: endpointServiceId },
        ],
      }),
    );
    expect(registration).toBeDefined();

    // Act
    const passes = await sweepOffline(env, { maxPasses: 2 });

    // Assess
    expect(passes[0]?.kept).toContainEqual(
      expect.objectContaining({
        vpcEndpointId: newer,
        executionArn: failed.executionArn,
        reason: KeptReason.notInHistory,
      }),
    );
    expect(passes.flatMap((p) => p.orphans).flatMap((o) => o.vpcEndpointIds)).not.toContain(newer);
    expect(seen(newer)?.state).not.toBe('deleted');
    expect(registrationOf(newer)).toMatchObject({ deleteRequested: false });
    expect(atlasDeletesOf(newer)).toStrictEqual([]);
    expect(victimSeen()?.state).toBe('available');
    expect(atlasDeletesOfVictim()).toStrictEqual([]);
  });
});
