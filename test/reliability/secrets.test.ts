/**
 * The Atlas secret never leaks: every built-in scenario runs with a canary private key (an API key) and
 * again with a canary client secret (a service account), with the functions logging at DEBUG, and the
 * canary must not show in anything the system writes or answers: log lines (stdout, stderr, console),
 * state inputs and outputs, execution records, events on the bus, error causes, API responses, the
 * emulators' request logs. A self-check shows the collector finds a planted leak.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import type { AtlasApiKey, AtlasServiceAccount } from '../../lambdas/atlas/types';
import { logger } from '../../lambdas/handlers/runtime';
import { startOfflineEnvironment } from '../../local/offline/OfflineEnvironment';
import { runScenario } from '../../local/offline/runScenario';
import { builtInScenarioNames, loadBuiltInScenario } from '../../local/offline/scenario';

/** Anything the system wrote or answered, labelled with where it came from. */
interface Captured {
  readonly source: string;
  readonly text: string;
}

/** JSON that keeps what `JSON.stringify` drops from errors (name, message, cause). */
function serialize(value: unknown): string {
  if (typeof value === 'string') return value;
  return JSON.stringify(value, (_key, v: unknown) =>
    v instanceof Error ? { ...v, name: v.name, message: v.message, cause: v.cause } : v,
  );
}

const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;

/**
 * Records every write to stdout and stderr (the Powertools logger writes there through its own
 * `Console`), every `console.*` call and every body `fetch` receives, until `stop()`. Nothing is passed
 * through: DEBUG logs of sixteen provisionings would bury the test report.
 */
function startCapture(): {
  readonly records: Captured[];
  add(source: string, value: unknown): void;
  stop(): void;
} {
  const records: Captured[] = [];
  const add = (source: string, value: unknown) => records.push({ source, text: serialize(value) });
  const stdoutWrite = process.stdout.write;
  const stderrWrite = process.stderr.write;
  const consoleMethods = CONSOLE_METHODS.map((m) => [m, console[m]] as const);
  const fetch = globalThis.fetch;

  const writer = (source: string) =>
    ((chunk: unknown, ...rest: unknown[]) => {
      add(source, Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk));
      const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    }) as typeof process.stdout.write;
  process.stdout.write = writer('stdout');
  process.stderr.write = writer('stderr');
  for (const method of CONSOLE_METHODS) {
    console[method] = (...args: unknown[]) => add(`console.${method}`, args.map(serialize).join(' '));
  }
  globalThis.fetch = async (...args: Parameters<typeof fetch>) => {
    const response = await fetch(...args);
    add(`API response to ${String(args[0])}`, await response.clone().text());
    return response;
  };

  return {
    records,
    add,
    stop: () => {
      process.stdout.write = stdoutWrite;
      process.stderr.write = stderrWrite;
      for (const [method, original] of consoleMethods) console[method] = original as never;
      globalThis.fetch = fetch;
    },
  };
}

const SHORTEST_LEAK = 8;

/**
 * The texts a leak of `secret` would contain: every run of {@link SHORTEST_LEAK} characters of it (any
 * longer excerpt contains one), and its base64 at each alignment (a logged `Authorization: Basic` header).
 */
function leakNeedles(secret: string): string[] {
  const windows = Array.from({ length: secret.length - SHORTEST_LEAK + 1 }, (_, i) =>
    secret.slice(i, i + SHORTEST_LEAK),
  );
  const base64 = [0, 1, 2].map((offset) => {
    const encoded = Buffer.from(`${'x'.repeat(offset)}${secret}`).toString('base64');
    // Drop the characters that mix in the padding or the neighbours.
    return encoded.slice(Math.ceil((offset * 4) / 3) + 1, -4);
  });
  return [...windows, ...base64];
}

/** Where each needle shows up: empty when nothing leaked. */
function findLeaks(records: readonly Captured[], secret: string): string[] {
  const needles = leakNeedles(secret);
  return records.flatMap(({ source, text }) =>
    needles.filter((needle) => text.includes(needle)).map((needle) => `${source}: …${needle}…`),
  );
}

const canary = (label: string) => `CANARY-${label}-${randomBytes(24).toString('base64url')}`;

const CREDENTIALS: readonly {
  readonly kind: string;
  readonly credentials: AtlasApiKey | AtlasServiceAccount;
  readonly secret: string;
}[] = (() => {
  const privateKey = canary('PRIVATE');
  const clientSecret = canary('SECRET');
  return [
    { kind: 'an API key', credentials: { publicKey: 'canary-public', privateKey }, secret: privateKey },
    {
      kind: 'a service account',
      credentials: { clientId: 'mdb_sa_id_canary', clientSecret },
      secret: clientSecret,
    },
  ];
})();

/** What the runs produced and the detector searched, for the README. */
const searched = { runs: 0, records: 0, logWrites: 0, stateEvents: 0, bytes: 0 };
afterAll(() => {
  console.log(
    `secret-leak check: ${searched.runs} runs (${builtInScenarioNames().length} scenarios × ${CREDENTIALS.length} credential kinds); searched ${JSON.stringify(searched)}`,
  );
});

describe('the leak detector', () => {
  it('finds a canary logged through the functions’ logger, an excerpt of it, and its base64', () => {
    // Prepare
    const secret = canary('SELFCHECK');
    const capture = startCapture();
    const level = logger.getLevelName();

    // Act
    try {
      logger.setLogLevel('DEBUG');
      logger.debug('deliberate leak', { credentials: { privateKey: secret } });
      console.error(`partial: ${secret.slice(20, 29)}`);
      process.stderr.write(`Authorization: Basic ${Buffer.from(`id:${secret}`).toString('base64')}\n`);
    } finally {
      logger.setLogLevel(level);
      capture.stop();
    }

    // Assess
    const leaks = findLeaks(capture.records, secret);
    expect(leaks.some((l) => l.startsWith('stdout: '))).toBe(true);
    expect(leaks.some((l) => l.startsWith('console.error: '))).toBe(true);
    expect(leaks.some((l) => l.startsWith('stderr: '))).toBe(true);
    expect(findLeaks(capture.records, canary('OTHER'))).toEqual([]);
  });
});

describe.each(CREDENTIALS)('with $kind holding a canary secret', ({ credentials, secret }) => {
  it.each(builtInScenarioNames())(
    'the %s scenario never shows the secret in a log, state, event, execution, response or request log',
    async (name) => {
      // Prepare
      const scenario = loadBuiltInScenario(name);
      const capture = startCapture();
      let status: string | undefined;

      // Act
      try {
        const env = await startOfflineEnvironment({
          scenario,
          atlasCredentials: credentials,
          logLevel: 'DEBUG',
          onEvent: (execution, event) => capture.add(`state event of ${execution}`, event),
        });
        try {
          const report = await runScenario(env, { scenario: name });
          capture.add('run report', report);
          if (report.executionId) {
            await fetch(`${env.api.url}/endpoints/${encodeURIComponent(report.executionId)}`);
          }
          const execution = env.aws.executions.find((e) => e.name === report.executionId);
          status = execution?.status;
          for (const e of env.aws.executions) capture.add('execution record', e);
          for (const e of env.aws.events) capture.add('event on the bus', e);
          for (const r of env.aws.requests) capture.add('AWS request log', r);
          for (const r of env.atlas.requestLog) capture.add('Atlas request log', r);
        } finally {
          await env.close();
        }
      } finally {
        capture.stop();
      }

      // Assess
      expect(status).toBe(scenario.expect?.status);
      const sources = new Set(capture.records.map((r) => r.source.split(' of ')[0]));
      expect(sources).toContain('stdout'); // the DEBUG logs were captured, so their absence of leaks means something
      expect(sources).toContain('state event');
      expect(findLeaks(capture.records, secret)).toEqual([]);
      searched.runs += 1;
      searched.records += capture.records.length;
      searched.logWrites += capture.records.filter((r) => /^(stdout|stderr|console)/.test(r.source)).length;
      searched.stateEvents += capture.records.filter((r) => r.source.startsWith('state event')).length;
      searched.bytes += capture.records.reduce((n, r) => n + r.text.length, 0);
    },
  );
});
