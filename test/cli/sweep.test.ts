import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const TSX = join(process.cwd(), 'node_modules', '.bin', 'tsx');

async function sweep(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(TSX, ['local/cli/sweep.ts', ...args], {
      timeout: 90_000,
      // No real AWS call may leave this machine, whatever the developer's shell holds.
      env: { ...process.env, AWS_PROFILE: '', AWS_REGION: 'us-east-1' },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('npm run sweep', () => {
  it('--offline crashes a provisioning, sweeps what it left from both sides and exits 0', async () => {
    const { code, stdout } = await sweep(['--offline']);

    expect(code).toBe(0);
    expect(stdout).toContain('Left behind: 1 VPC endpoint(s), 1 Atlas registration(s).');
    const removed = /Removed (vpce-[0-9a-f]{17}) from Atlas and EC2/.exec(stdout)?.[1];
    expect(removed).toBeDefined();
    expect(stdout).toMatch(new RegExp(`${removed}\\s+execution \\S+ ABORTED`));
    expect(stdout).toContain('After the sweep: 0 VPC endpoint(s), 0 Atlas registration(s).');
  }, 90_000);

  it('--offline --dry-run lists the orphan, removes nothing and exits 1', async () => {
    const { code, stdout } = await sweep(['--offline', '--dry-run']);

    expect(code).toBe(1);
    expect(stdout).toMatch(/vpce-[0-9a-f]{17}\s+execution \S+ ABORTED.*would remove/);
    expect(stdout).toContain('After the sweep: 1 VPC endpoint(s), 1 Atlas registration(s).');
  }, 90_000);

  it('fails with exit 2 naming --state-machine-arn when it is missing, calling nothing', async () => {
    const { code, stdout, stderr } = await sweep([
      '--secret-arn',
      'arn:aws:secretsmanager:us-east-1:1:secret:x',
    ]);

    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('--state-machine-arn is required');
  });

  it('fails with exit 2 naming --secret-arn when it is missing', async () => {
    const { code, stderr } = await sweep([
      '--state-machine-arn',
      'arn:aws:states:us-east-1:123456789012:stateMachine:AtlasPrivateLink-StateMachine',
    ]);

    expect(code).toBe(2);
    expect(stderr).toContain('--secret-arn is required');
  });

  it('fails with exit 2 naming --grace-seconds when it is not a whole number', async () => {
    const { code, stderr } = await sweep(['--offline', '--grace-seconds', 'soon']);

    expect(code).toBe(2);
    expect(stderr).toContain('--grace-seconds');
  });
});
