import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const TSX = join(process.cwd(), 'node_modules', '.bin', 'tsx');

async function mutation(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(TSX, ['mutation/run.ts', ...args], { timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('npm run mutation', () => {
  it('--help names every target configured in mutation/ and exits 0', async () => {
    // Prepare
    const configured = readdirSync('mutation')
      .filter((file) => file.endsWith('.config.mjs'))
      .map((file) => file.replace('.config.mjs', ''));

    // Act
    const { code, stdout } = await mutation(['--help']);

    // Assess
    expect(code).toBe(0);
    expect(configured.length).toBeGreaterThan(0);
    const targetsLine = stdout.split('\n').find((line) => line.startsWith('Targets: ')) ?? '';
    expect(targetsLine.slice('Targets: '.length).split(', ').sort()).toEqual(configured.sort());
  });

  it('fails with exit 2 on an unknown target, naming it and the known ones, running nothing', async () => {
    // Act
    const { code, stdout, stderr } = await mutation(['digestAuth', 'digst']);

    // Assess
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('unknown target "digst"; expected one of ');
    expect(stderr).toContain('digestAuth');
    expect(stderr).not.toContain('    at ');
  });

  it.each([['0'], ['two'], ['1.5']])(
    'fails with exit 2 when --concurrency is %s, naming it',
    async (value) => {
      // Act
      const { code, stdout, stderr } = await mutation(['retryPolicy', '--concurrency', value]);

      // Assess
      expect(code).toBe(2);
      expect(stdout).toBe('');
      expect(stderr).toContain(
        `--concurrency must be a whole number of processes, 1 or more, got "${value}"`,
      );
    },
  );

  it('fails with exit 2 on an unknown option, in words', async () => {
    // Act
    const { code, stderr } = await mutation(['--fast']);

    // Assess
    expect(code).toBe(2);
    expect(stderr).toContain("Unknown option '--fast'");
    expect(stderr).not.toContain('    at ');
  });
});
