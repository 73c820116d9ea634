import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { expectOneLine, occupiedPort, runTool, start } from './spawnCli';

// Spawned tools: a few seconds each when the machine is idle, far more when it is not.
vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });

const CLI = 'local/atlas-emulator/cli.ts';
const SCRIPT = 'npm run atlas-emulator';
const dir = mkdtempSync(join(tmpdir(), 'atlas-emulator-cli-'));

describe('npm run atlas-emulator', () => {
  it('serves Atlas on the port it prints, asks for Digest, and stops on Ctrl-C with exit 0', async () => {
    // Prepare
    const emulator = start(CLI, ['--port', '0']);
    const [, url] = await emulator.waitFor(
      /Atlas emulator listening on (http:\/\/\S+)\n[\s\S]*Ctrl-C to stop\.\n/,
    );

    // Act
    const response = await fetch(
      `${url}/api/atlas/v2/groups/5f0c1a2b3c4d5e6f7a8b9c0d/privateEndpoint/AWS/endpointService`,
      {
        headers: { Accept: 'application/vnd.atlas.2023-01-01+json' },
      },
    );
    const code = await emulator.stop('SIGINT');

    // Assess
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Digest realm="MMS Public API"/);
    expect(emulator.output()).toContain("curl --digest -u 'demo-public-key:");
    expect(code).toBe(0);
    expect(emulator.stderr()).toBe('');
  });
});

describe('npm run atlas-emulator, answering its options', () => {
  let busy: Awaited<ReturnType<typeof occupiedPort>>;
  let busyPort: number;

  beforeAll(async () => {
    busy = await occupiedPort();
    busyPort = busy.port;
  });

  afterAll(async () => {
    await busy.release();
  });

  it('--help names the npm script, its options and exit codes', async () => {
    const { code, stdout } = await runTool(CLI, ['--help']);

    expect(code).toBe(0);
    expect(stdout).toMatch(/^Usage: npm run atlas-emulator -- \[options\]/);
    for (const option of ['--port N', '--host HOST', '--script PATH']) expect(stdout).toContain(option);
    expect(stdout).toMatch(/Exit status:\n {2}0 .+\n {2}2 .+\n {2}3 .+\n {2}4 /);
  });

  it('exits 2 for a script that is not JSON, naming the line and column', async () => {
    const file = join(dir, 'unquoted.json');
    writeFileSync(file, '{\n  attempts: []\n}\n');

    const { code, stderr } = await runTool(CLI, ['--script', file]);

    expect(code).toBe(2);
    expect(expectOneLine(stderr, SCRIPT)).toBe(
      `${SCRIPT}: Invalid Atlas emulator script (${file}): not valid JSON at line 2, column 3: expected a "quoted" property name, found "a" (see ${SCRIPT} -- --help)`,
    );
  });

  it('exits 2 for a script with a bad status, naming the field', async () => {
    const file = join(dir, 'typo.json');
    writeFileSync(file, JSON.stringify({ attempts: [{ statuses: ['PENDNG'] }] }));

    const { code, stderr } = await runTool(CLI, ['--script', file]);

    expect(code).toBe(2);
    expect(expectOneLine(stderr, SCRIPT)).toMatch(
      /script\.attempts\[0\]\.statuses\[0\]: .*received "PENDNG"/,
    );
  });

  it.each([
    [
      ['--port', '70000'],
      `${SCRIPT}: --port: expected a port number from 0 to 65535 (0 picks a free one), got "70000" (see ${SCRIPT} -- --help)`,
    ],
    [['--script'], `${SCRIPT}: --script needs a value (see ${SCRIPT} -- --help)`],
    [['--verbose'], `${SCRIPT}: unknown option --verbose (see ${SCRIPT} -- --help)`],
  ])('exits 2 for %j with one line', async (args, message) => {
    const { code, stderr } = await runTool(CLI, args);

    expect(code).toBe(2);
    expect(expectOneLine(stderr, SCRIPT)).toBe(message);
  });

  it('exits 3 with one line when the port is in use', async () => {
    const { code, stdout, stderr } = await runTool(CLI, ['--port', String(busyPort)]);

    expect(code).toBe(3);
    expect(stdout).toBe('');
    expect(expectOneLine(stderr, SCRIPT)).toBe(
      `${SCRIPT}: port ${busyPort} is in use on 127.0.0.1: stop what holds it, or choose another with --port (0 picks a free one)`,
    );
  });
});
