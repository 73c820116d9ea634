import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const TSX = join(process.cwd(), 'node_modules', '.bin', 'tsx');

async function start(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(TSX, ['local/cli/start.ts', ...args], { timeout: 90_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('npm start', () => {
  it('provisions the demo request offline, exits 0 and prints one JSON report on stdout', async () => {
    const { code, stdout, stderr } = await start(['--json', '--fast']);

    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({
      scenario: 'happy-path',
      status: 'SUCCEEDED',
      connectionStatus: 'AVAILABLE',
      attempts: 1,
      leftovers: { vpcEndpoints: 1, atlasEndpoints: 1 },
    });
    expect(report.vpcEndpointId).toMatch(/^vpce-[0-9a-f]{17}$/);
    expect(report.atlasRequests).toBeGreaterThan(0);
    expect(report.awsRequests).toBeGreaterThan(0);
    expect(report.stateTransitions).toBeGreaterThan(0);
    expect(report).not.toHaveProperty('error');
    expect(stderr).toContain('AVAILABLE');
  }, 90_000);

  it('with --then-delete deletes it again and reports the deprovisioning with nothing left in place', async () => {
    const { code, stdout, stderr } = await start(['--json', '--fast', '--then-delete']);

    expect(code).toBe(0);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({
      status: 'SUCCEEDED',
      connectionStrings: [expect.objectContaining({ clusterName: expect.any(String) })],
      deprovisioning: { status: 'DELETED', leftovers: { vpcEndpoints: 0, atlasEndpoints: 0 } },
    });
    expect(stderr).toContain('Atlas registration: gone (404)');
  }, 90_000);

  it('exits 1 with the typed error when the provisioning fails, leaving nothing behind', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'scenario-'));
    const file = join(dir, 'rejected.json');
    writeFileSync(
      file,
      JSON.stringify({ request: { maxAttempts: 1 }, attempts: [{ statuses: ['REJECTED'] }] }),
    );

    const { code, stdout } = await start(['--json', '--fast', '--scenario-file', file]);

    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toMatchObject({
      status: 'FAILED',
      attempts: 1,
      leftovers: { vpcEndpoints: 0, atlasEndpoints: 0 },
      error: { name: 'AttemptsExhaustedError' },
    });
  }, 90_000);

  it('fails with exit 2 and names the problem for an unknown scenario, starting nothing', async () => {
    const { code, stdout, stderr } = await start(['--scenario', 'no-such-scenario']);

    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('no such built-in scenario');
    expect(stderr).toContain('happy-path');
  });
});
