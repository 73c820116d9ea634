import { describe, expect, it } from 'vitest';
import {
  describeError,
  ExitCode,
  parseCommandLine,
  parsePort,
  UnavailableError,
  UsageError,
} from '../../local/cli/commandLine';
import { ScenarioError } from '../../local/offline/scenario';

const OPTIONS = {
  port: { type: 'string', default: '3000' },
  json: { type: 'boolean', default: false },
} as const;

function usageMessage(act: () => unknown): string {
  try {
    act();
  } catch (error) {
    if (error instanceof UsageError) return error.message;
    throw error;
  }
  throw new Error('expected a UsageError');
}

describe('parseCommandLine', () => {
  it('reads the flags it knows', () => {
    expect(parseCommandLine(OPTIONS, ['--port', '8080', '--json'])).toEqual({ port: '8080', json: true });
    expect(parseCommandLine(OPTIONS, [])).toEqual({ port: '3000', json: false });
  });

  it('takes a value that starts with a dash as the flag’s value, so the value’s own check can name it', () => {
    expect(parseCommandLine(OPTIONS, ['--port', '-1'])).toEqual({ port: '-1', json: false });
    expect(usageMessage(() => parseCommandLine(OPTIONS, ['--port', '--json']))).toBe('--port needs a value');
  });

  it.each([
    [['--bogus'], 'unknown option --bogus'],
    [['-x'], 'unknown option -x'],
    [['--port'], '--port needs a value'],
    [['--json=yes'], '--json takes no value'],
    [
      ['3000'],
      'unexpected argument "3000": options start with --, and npm passes them on only after a lone --',
    ],
  ])('answers %j in words', (args, message) => {
    expect(usageMessage(() => parseCommandLine(OPTIONS, args))).toBe(message);
  });
});

describe('parsePort', () => {
  it('accepts 0 to 65535', () => {
    expect(parsePort('0')).toBe(0);
    expect(parsePort('65535')).toBe(65_535);
  });

  it.each(['-1', '', '65536', '3000.5', '1e3', ' 80', 'http'])('refuses %j, naming the flag', (text) => {
    expect(usageMessage(() => parsePort(text, '--port'))).toBe(
      `--port: expected a port number from 0 to 65535 (0 picks a free one), got ${JSON.stringify(text)}`,
    );
  });
});

describe('describeError', () => {
  it('gives usage errors and bad scenario files exit 2, and what is out of reach exit 3', () => {
    expect(describeError(new UsageError('--port needs a value')).code).toBe(ExitCode.usage);
    expect(describeError(new ScenarioError('x.json', ['not valid JSON'])).code).toBe(ExitCode.usage);
    expect(describeError(new UnavailableError('Atlas could not be reached')).code).toBe(ExitCode.unavailable);
  });

  it('says which port is in use', () => {
    const busy = Object.assign(new Error('listen EADDRINUSE'), {
      code: 'EADDRINUSE',
      syscall: 'listen',
      address: '127.0.0.1',
      port: 3000,
    });

    expect(describeError(busy)).toEqual({
      code: ExitCode.unavailable,
      message:
        'port 3000 is in use on 127.0.0.1: stop what holds it, or choose another with --port (0 picks a free one)',
    });
  });

  it('calls anything else a bug, in one line', () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'x')\n    at somewhere");

    expect(describeError(bug)).toEqual({
      code: ExitCode.internal,
      message:
        "unexpected error (a bug; please report it with the command you ran): TypeError: Cannot read properties of undefined (reading 'x')",
    });
  });
});
