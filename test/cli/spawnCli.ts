/**
 * Runs a command-line tool as a user would: a separate process, its real exit code, stdout and stderr.
 * Each spawn loads tsx and the tool (a second or two on an idle machine, much more on a busy one), so
 * the tests that use these run one after another, with generous time limits.
 */

import { execFile, spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { expect } from 'vitest';

export const TSX = join(process.cwd(), 'node_modules', '.bin', 'tsx');

export interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `command args` to its end (at most `timeoutMs`). */
export function run(
  command: string,
  args: readonly string[],
  options: { readonly env?: NodeJS.ProcessEnv; readonly timeoutMs?: number } = {},
): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { env: options.env ?? process.env, timeout: options.timeoutMs ?? 240_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? ((error as { code?: unknown }).code as number) : 0;
        resolve({ code: typeof code === 'number' ? code : -1, stdout, stderr });
      },
    );
  });
}

/** Runs one of the project's tools (`local/cli/start.ts`, …) with tsx, as its npm script does. */
export const runTool = (
  entry: string,
  args: readonly string[],
  options?: Parameters<typeof run>[2],
): Promise<Ran> => run(TSX, [entry, ...args], options);

/** The error output of a refused command: one line, naming the tool, and no stack trace. */
export function expectOneLine(stderr: string, script: string): string {
  expect(stderr).not.toMatch(/^\s+at /m);
  const lines = stderr.trimEnd().split('\n');
  expect(lines, stderr).toHaveLength(1);
  expect(lines[0]?.startsWith(`${script}: `), stderr).toBe(true);
  return lines[0] as string;
}

/** A tool that keeps running: its output so far, a wait for a line, and a stop by signal. */
export interface Running {
  readonly output: () => string;
  readonly stderr: () => string;
  /** Resolves with the output once it matches `pattern` (rejects after `timeoutMs`). */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Sends `signal` to the tool's process group, as Ctrl-C does, and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function start(entry: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Running {
  // One node process with tsx's loader, rather than the tsx launcher: the launcher relays a signal to its
  // child and kills it if the child has not acknowledged within 30 ms, which a busy machine misses. Its
  // own process group, so stop() signals it as Ctrl-C in a terminal does.
  const child = spawn(process.execPath, ['--import', 'tsx', entry, ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stdout = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
    for (const listener of listeners) listener();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    output: () => stdout,
    stderr: () => stderr,
    waitFor: (pattern, timeoutMs = 240_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const match = stdout.match(pattern);
          if (!match) return;
          listeners.delete(check);
          clearTimeout(timer);
          resolve(match);
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`no ${pattern} within ${timeoutMs} ms; stdout:\n${stdout}\nstderr:\n${stderr}`));
        }, timeoutMs);
        listeners.add(check);
        check();
      }),
    stop: (signal = 'SIGINT') => {
      if (child.exitCode === null && child.pid !== undefined) process.kill(-child.pid, signal);
      return exited;
    },
  };
}

/** A port another process holds, for the "port in use" cases: `port`, and `release()` when done. */
export async function occupiedPort(): Promise<{ readonly port: number; release(): Promise<void> }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    release: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
