import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { builtInScenarioNames } from '../../local/offline/scenario';
import { expectOneLine, run, runTool } from './spawnCli';

// Spawned tools: a few seconds each when the machine is idle, far more when it is not.
vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });

const START = 'local/cli/start.ts';
const dir = mkdtempSync(join(tmpdir(), 'npm-start-'));

describe('npm start, a whole provisioning', () => {
  it('npm start --silent -- --json: stdout is one JSON document a script can parse, the connection in place and nothing left over', async () => {
    // Act: as README tells a user to run it, through npm
    const { code, stdout, stderr } = await run('npm', ['start', '--silent', '--', '--json', '--fast']);

    // Assess
    expect(code, stderr).toBe(0);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({
      scenario: 'happy-path',
      status: 'SUCCEEDED',
      connectionStatus: 'AVAILABLE',
      attempts: 1,
      inPlace: { vpcEndpoints: 1, atlasEndpoints: 1 },
      leftovers: { vpcEndpoints: 0, atlasEndpoints: 0 },
    });
    expect(report.vpcEndpointId).toMatch(/^vpce-[0-9a-f]{17}$/);
    expect(report.atlasRequests).toBeGreaterThan(0);
    expect(report.awsRequests).toBeGreaterThan(0);
    expect(report.stateTransitions).toBeGreaterThan(0);
    expect(report).not.toHaveProperty('error');
    // Progress and the summary went to stderr.
    expect(stderr).toContain(`Attempt 1: created VPC endpoint ${report.vpcEndpointId}`);
    expect(stderr).toContain('In place: 1 VPC endpoint, 1 Atlas registration (the connection).');
    expect(stderr).toContain('Left over: 0 VPC endpoint(s), 0 Atlas registration(s).');
    expect(stderr).not.toContain('undefined');
  });

  it('--then-delete: the connection strings, then the deprovisioning, ending with nothing in place', async () => {
    // Act
    const { code, stdout, stderr } = await runTool(START, ['--json', '--fast', '--then-delete']);

    // Assess
    expect(code, stderr).toBe(0);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({
      status: 'SUCCEEDED',
      connectionStrings: [expect.objectContaining({ clusterName: expect.any(String) })],
      deprovisioning: { status: 'DELETED', leftovers: { vpcEndpoints: 0, atlasEndpoints: 0 } },
    });
    expect(stderr).toContain('Connection string for ');
    expect(stderr).toContain('Atlas registration: gone (404)');
    expect(stderr).toContain('VPC endpoint: deleted');
    expect(stderr).toMatch(
      /DELETED: deprovisioning del-[0-9a-f]{40}; in place now: 0 VPC endpoint\(s\), 0 Atlas registration\(s\)\./,
    );
    expect(stderr).not.toContain('undefined');
  });

  it('exits 1 for a failed provisioning, printing only true lines: the error where it happened, its cause, what clean-up did', async () => {
    // Prepare
    const reportFile = join(dir, 'report.json');

    // Act
    const { code, stdout, stderr } = await runTool(START, [
      '--fast',
      '--scenario',
      'wrong-credentials',
      '--json-file',
      reportFile,
    ]);

    // Assess
    expect(code, stderr).toBe(1);
    expect(stdout).toMatch(
      /t\+ +0s {2}Find endpoint service failed: AtlasAuthError: Atlas answered 401: .+; next: Start clean-up\n/,
    );
    expect(stdout).toContain('Cleaned up: this execution had nothing left to remove');
    expect(stdout).toMatch(/\nFAILED: AtlasAuthError: Atlas answered 401: /);
    expect(stdout).not.toMatch(/undefined|Endpoint service .*waiting|created VPC endpoint/);
    expect(JSON.parse(readFileSync(reportFile, 'utf8'))).toMatchObject({
      scenario: 'wrong-credentials',
      status: 'FAILED',
      attempts: 0,
      vpcEndpointId: null,
      inPlace: { vpcEndpoints: 0, atlasEndpoints: 0 },
      leftovers: { vpcEndpoints: 0, atlasEndpoints: 0 },
      error: { name: 'AtlasAuthError' },
    });
    expect(stdout).toContain(`Report written to ${reportFile}`);
  });
});

describe('npm start, answering its options', () => {
  it('--help names the npm script, every option, every scenario and the exit codes', async () => {
    const { code, stdout, stderr } = await runTool(START, ['--help']);

    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/^Usage: npm start -- \[options\]/);
    for (const option of [
      '--scenario NAME',
      '--scenario-file PATH',
      '--json',
      '--json-file PATH',
      '--then-delete',
      '--fast',
    ]) {
      expect(stdout).toContain(option);
    }
    for (const name of builtInScenarioNames()) expect(stdout).toContain(name);
    expect(stdout).toContain('npm start --silent -- --json');
    expect(stdout).toMatch(/Exit status:\n {2}0 .+\n {2}1 .+\n {2}2 .+\n {2}4 /);
  });

  it.each([
    [['--bogus'], 'npm start: unknown option --bogus (see npm start -- --help)'],
    [
      ['--scenario', 'no-such-scenario'],
      /^npm start: --scenario no-such-scenario is not a valid scenario: no such built-in scenario; choose one of .*happy-path/,
    ],
    [
      ['--json-file', '/nonexistent-dir/report.json'],
      'npm start: --json-file: cannot write /nonexistent-dir/report.json (no such file or directory) (see npm start -- --help)',
    ],
    [
      ['--scenario', 'happy-path', '--scenario-file', 'x.json'],
      'npm start: give --scenario or --scenario-file, not both (see npm start -- --help)',
    ],
  ])('exits 2 for %j with one line and starts nothing', async (args, message) => {
    const { code, stdout, stderr } = await runTool(START, args);

    expect(code).toBe(2);
    expect(stdout).toBe('');
    const line = expectOneLine(stderr, 'npm start');
    if (typeof message === 'string') expect(line).toBe(message);
    else expect(line).toMatch(message);
  });

  it('exits 2 for a scenario file that is not JSON, naming the line and column', async () => {
    // Prepare: a trailing comma on line 3
    const file = join(dir, 'trailing-comma.json');
    writeFileSync(
      file,
      '{\n  "request": { "maxAttempts": 1 },\n  "attempts": [{ "statuses": ["REJECTED"] }],\n}\n',
    );

    // Act
    const { code, stderr } = await runTool(START, ['--scenario-file', file]);

    // Assess
    expect(code).toBe(2);
    expect(expectOneLine(stderr, 'npm start')).toBe(
      `npm start: ${file} is not a valid scenario: not valid JSON at line 4, column 1: expected a "quoted" property name, found "}" (see npm start -- --help)`,
    );
  });
});
