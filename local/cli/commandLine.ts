/**
 * What every command-line tool of this project shares: the exit codes, reading flags into a one-line
 * usage error instead of `parseArgs`'s exceptions, checking a port, and the top level that turns any
 * error into one line on stderr and a documented exit code. No tool prints a stack trace.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { AtlasScriptError } from '../atlas-emulator/errors';
import { ScenarioError } from '../offline/scenario';

/** The exit codes; each tool's `--help` lists the ones it uses and what they mean there. */
export const ExitCode = {
  /** It did what was asked (and, where there is an outcome, the outcome is good). */
  ok: 0,
  /** It ran, and the outcome is bad: the provisioning failed, something remains to sweep. */
  failed: 1,
  /** A bad flag, flag value or input file: nothing was started. */
  usage: 2,
  /** Something outside could not be used: a port in use, AWS or Atlas unreachable or refusing. */
  unavailable: 3,
  /** An error nobody planned for: a bug. */
  internal: 4,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** A bad flag or input: exit 2, and the message says which flag and what was expected. */
export class UsageError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UsageError';
  }
}

/** Something outside the tool cannot be used (a port in use, a service out of reach): exit 3. */
export class UnavailableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UnavailableError';
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * Reads `args` against `options` (strict: unknown flags and stray arguments are usage errors, in words).
 * A string flag followed by a value that starts with a dash takes it as its value (`--port -1`), so the
 * value's own check explains what is wrong with it.
 */
export function parseCommandLine<const T extends Options>(
  options: T,
  args: readonly string[] = process.argv.slice(2),
) {
  const isOption = (text: string) => text.startsWith('--') && (text.slice(2).split('=')[0] ?? '') in options;
  const joined: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] as string;
    const next = args[i + 1];
    const takesValue = arg.startsWith('--') && options[arg.slice(2)]?.type === 'string';
    if (takesValue && next?.startsWith('-') && !isOption(next)) {
      joined.push(`${arg}=${next}`);
      i += 1;
    } else joined.push(arg);
  }
  try {
    return parseArgs({ args: joined, options, strict: true, allowPositionals: false }).values;
  } catch (error) {
    throw new UsageError(usageMessage(error), { cause: error });
  }
}

/** `parseArgs`'s messages, reworded for someone who typed the command (and may have left out npm's `--`). */
function usageMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string }).code;
  const unknown = /^Unknown option '([^']+)'/.exec(message);
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && unknown) return `unknown option ${unknown[1]}`;
  const positional = /^Unexpected argument '([^']*)'/.exec(message);
  if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL' && positional) {
    return `unexpected argument "${positional[1]}": options start with --, and npm passes them on only after a lone --`;
  }
  // "Option '--port <value>' argument missing", or "Option '--port' argument is ambiguous" when an option follows.
  const missing = /^Option '(--[^ ']+)(?: <value>)?' argument (?:missing|is ambiguous)/.exec(message);
  if (missing) return `${missing[1]} needs a value`;
  const noArgument = /^Option '(--[^']+)' does not take an argument/.exec(message);
  if (noArgument) return `${noArgument[1]} takes no value`;
  return message.split('\n')[0] ?? message;
}

/** A TCP port from a flag's text: a whole number from 0 (any free port) to 65535. */
export function parsePort(text: string | undefined, flag = '--port'): number {
  const port = Number(text);
  if (text === undefined || !/^\d+$/.test(text) || port > 65_535) {
    throw new UsageError(
      `${flag}: expected a port number from 0 to 65535 (0 picks a free one), got ${JSON.stringify(text ?? '')}`,
    );
  }
  return port;
}

/** The one line `error` becomes: the port in use, the file that is not JSON, the flag that is wrong. */
export function describeError(error: unknown): { readonly code: ExitCode; readonly message: string } {
  if (error instanceof UsageError || error instanceof ScenarioError) {
    return { code: ExitCode.usage, message: error.message };
  }
  if (error instanceof AtlasScriptError) {
    return {
      code: ExitCode.usage,
      message: error.message.replace(/:\n\s+- /, ': ').replace(/\n\s+- /g, '; '),
    };
  }
  if (error instanceof UnavailableError) return { code: ExitCode.unavailable, message: error.message };
  const listen = error as { code?: string; syscall?: string; port?: number; address?: string };
  if (listen.syscall === 'listen' && (listen.code === 'EADDRINUSE' || listen.code === 'EACCES')) {
    return {
      code: ExitCode.unavailable,
      message:
        listen.code === 'EADDRINUSE'
          ? `port ${listen.port} is in use on ${listen.address}: stop what holds it, or choose another with --port (0 picks a free one)`
          : `not allowed to listen on port ${listen.port} (ports below 1024 need privileges): choose another with --port`,
    };
  }
  if (
    (listen.syscall === 'listen' && listen.code === 'EADDRNOTAVAIL') ||
    (listen.syscall === 'getaddrinfo' && listen.code === 'ENOTFOUND')
  ) {
    return {
      code: ExitCode.usage,
      message: `--host: cannot listen on ${listen.address ?? (error as { hostname?: string }).hostname}: not an address of this machine`,
    };
  }
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return {
    code: ExitCode.internal,
    message: `unexpected error (a bug; please report it with the command you ran): ${text.split('\n')[0]}`,
  };
}

/**
 * Runs a tool's `main` and exits with the code it returns; any error becomes one line on stderr,
 * `<script>: <message>`, and its exit code ({@link describeError}, then `classify` for the tool's own).
 */
export function runCli(
  script: string,
  main: () => Promise<number>,
  classify: (error: unknown) => { code: ExitCode; message: string } | undefined = () => undefined,
): void {
  main().then(exitWhenWritten, (error: unknown) => {
    const { code, message } = classify(error) ?? describeError(error);
    const hint = code === ExitCode.usage ? ` (see ${script} -- --help)` : '';
    process.stderr.write(`${script}: ${message}${hint}\n`);
    exitWhenWritten(code);
  });
}

/** Exits once stdout and stderr have taken everything written (pipes may be asynchronous, as on macOS). */
export function exitWhenWritten(code: number): void {
  let pending = 2;
  const done = () => {
    pending -= 1;
    if (pending === 0) process.exit(code);
  };
  process.stdout.write('', done);
  process.stderr.write('', done);
}
