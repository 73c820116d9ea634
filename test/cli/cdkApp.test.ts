import { describe, expect, it, vi } from 'vitest';
import { MISSING_ALLOW_LISTS } from '../../infra/stackFromContext';
import { runTool } from './spawnCli';

// Spawned tools: a few seconds each when the machine is idle, far more when it is not.
vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });

// `cdk synth -c atlasSecretArn=…` runs the app (cdk.json: `npx tsx infra/main.ts`) with the context in
// CDK_CONTEXT_JSON: so does this, without the CLI's own start-up.
const LISTS = { allowedVpcIds: 'vpc-0123456789abcdef0', allowedGroupIds: '*' };
const synth = (context: Record<string, string>) =>
  runTool('infra/main.ts', [], { env: { ...process.env, CDK_CONTEXT_JSON: JSON.stringify(context) } });

describe('the CDK app, as cdk synth runs it', () => {
  it('stops with one line, and no stack trace, for a secret name instead of its ARN', async () => {
    const { code, stdout, stderr } = await synth({ ...LISTS, atlasSecretArn: 'atlas-api-key' });

    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).not.toMatch(/^\s+at /m);
    expect(stderr).toBe(
      "context atlasSecretArn: expected the secret's complete ARN, arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters> " +
        '(aws secretsmanager describe-secret --secret-id <name> --query ARN prints it), got "atlas-api-key".\n',
    );
  });

  it('stops with one line for an ARN without its 6-character suffix', async () => {
    const { code, stderr } = await synth({
      ...LISTS,
      atlasSecretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:atlas-api-key',
    });

    expect(code).toBe(1);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).toContain('It lacks the "-" and 6 characters Secrets Manager adds to the name.');
  });

  it('stops with one line naming both allow-lists when they are not given', async () => {
    const { code, stdout, stderr } = await synth({});

    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(`${MISSING_ALLOW_LISTS}\n`);
  });
});
