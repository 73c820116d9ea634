import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { BenchUsageError, ExitCode, parseBenchArgs, USAGE } from '../../bench/cli';
import { SECTIONS } from '../../bench/sections';

const refusal = (argv: string[]) => {
  try {
    parseBenchArgs(argv);
  } catch (error) {
    if (error instanceof BenchUsageError) return error.message;
    throw error;
  }
  throw new Error(`parseBenchArgs accepted ${argv.join(' ')}`);
};

describe('npm run bench: the command line', () => {
  it('runs every section with seed 1 when given nothing', () => {
    expect(parseBenchArgs([])).toStrictEqual({
      kind: 'run',
      json: false,
      smoke: false,
      sections: SECTIONS,
      seed: 1,
    });
  });

  it('runs only the sections named, in the bench order, each once', () => {
    expect(parseBenchArgs(['--json', '--only', 'scale,digest, scale', '--seed', '42'])).toMatchObject({
      json: true,
      sections: ['digest', 'scale'],
      seed: 42,
    });
    expect(parseBenchArgs(['--only=serviceAccounts'])).toMatchObject({ sections: ['serviceAccounts'] });
  });

  it.each([
    [['--bogus'], /^unknown option --bogus$/],
    [['--only'], /^--only expects a value$/],
    [['--only', ','], /^--only expects section names/],
    [['--only', 'scale,nope'], /^--only: no section "nope"; the sections are digest, polling/],
    [['--seed', '1.5'], /^--seed expects a whole number from 0 to 4294967295, got "1.5"$/],
    [['--seed', '4294967296'], /^--seed expects a whole number/],
    [['--json=yes'], /^--json takes no value$/],
    [['scale'], /^unexpected argument "scale"/],
  ])('refuses %j in one line naming the option', (argv, message) => {
    const text = refusal(argv);

    expect(text).toMatch(message);
    expect(text).not.toContain('\n');
  });

  it('documents the npm script, every option, every section and every exit code in --help', () => {
    expect(parseBenchArgs(['--help'])).toStrictEqual({ kind: 'help' });
    expect(parseBenchArgs(['-h', '--bogus-is-not-read'].slice(0, 1))).toStrictEqual({ kind: 'help' });
    expect(USAGE).toContain('npm run bench --');
    for (const option of ['--json', '--only', '--seed', '--smoke', '--help']) expect(USAGE).toContain(option);
    for (const section of SECTIONS) expect(USAGE).toContain(section);
    for (const code of Object.values(ExitCode)) expect(USAGE).toMatch(new RegExp(`^  ${code}  `, 'm'));
  });

  it('answers a bad flag with one line on stderr and exit code 2, running nothing', async () => {
    const run = promisify(execFile)(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--only', 'nope'], {
      cwd: new URL('../..', import.meta.url),
    });

    const failure = await run.then(
      () => undefined,
      (error: { code: number; stdout: string; stderr: string }) => error,
    );

    expect(failure?.code).toBe(ExitCode.usage);
    expect(failure?.stdout).toBe('');
    expect(failure?.stderr.trim().split('\n')).toHaveLength(1);
    expect(failure?.stderr).toMatch(/^bench: --only: no section "nope"/);
  }, 30_000);
});
