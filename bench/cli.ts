/**
 * The command line of `npm run bench`: what it accepts, the help text, and the exit codes. Parsing is
 * pure (no I/O), so every refusal is tested without running a section.
 */
import { parseArgs } from 'node:util';
import { SECTION_SUMMARIES, SECTIONS, type Section } from './sections';

export const ExitCode = {
  /** Every section asked for ran and its figures were printed (targets met or not: see the tables). */
  ok: 0,
  /** A section could not be measured; the message names it. */
  sectionFailed: 1,
  /** The command line was wrong; nothing ran. */
  usage: 2,
} as const;

export type BenchCommand =
  | { readonly kind: 'help' }
  | {
      readonly kind: 'run';
      readonly json: boolean;
      readonly smoke: boolean;
      readonly sections: readonly Section[];
      readonly seed: number;
    };

/** A command line the bench refuses: the message is one line, naming the flag and what it expects. */
export class BenchUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BenchUsageError';
  }
}

const width = Math.max(...SECTIONS.map((s) => s.length));

export const USAGE = `Usage: npm run bench -- [--json] [--only SECTIONS] [--seed N] [--smoke] [--help]

Measures what a provisioning costs, offline (about three minutes on two cores), and prints tables.

Options:
  --json            print the figures as one JSON document on stdout (progress goes to stderr);
                    its keys are the sections that ran, plus sections, seed, machine, sizes, benchSeconds
  --only SECTIONS   run only these sections, comma-separated (default: all, in the order below)
  --seed N          seed of the jitter in the polling, scale and serviceAccounts sections, a whole
                    number from 0 to 4294967295 (default 1); the same seed repeats their counts exactly
  --smoke           every section at tiny sizes, to check the harness (about a minute, most of it
                    synthesizing the stack)
  -h, --help        print this help and exit

Sections:
${SECTIONS.map((s) => `  ${s.padEnd(width)}  ${SECTION_SUMMARIES[s]}`).join('\n')}

Exit codes:
  ${ExitCode.ok}  the figures were printed (the tables say whether each target was met)
  ${ExitCode.sectionFailed}  a section could not be measured (the message names it)
  ${ExitCode.usage}  the command line was wrong (the message names the option); nothing ran

Examples:
  npm run bench
  npm run bench -- --json --only scale
  npm run bench -- --only scale,serviceAccounts --seed 7`;

/**
 * Reads `npm run bench`'s arguments.
 * @throws BenchUsageError naming the option and what it expects.
 */
export function parseBenchArgs(argv: readonly string[]): BenchCommand {
  let values: { json?: boolean; smoke?: boolean; help?: boolean; only?: string; seed?: string };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        json: { type: 'boolean' },
        smoke: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        only: { type: 'string' },
        seed: { type: 'string' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new BenchUsageError(describeParseError(error));
  }
  if (values.help) return { kind: 'help' };
  return {
    kind: 'run',
    json: values.json ?? false,
    smoke: values.smoke ?? false,
    sections: values.only === undefined ? SECTIONS : sectionsOf(values.only),
    seed: values.seed === undefined ? 1 : seedOf(values.seed),
  };
}

function sectionsOf(text: string): Section[] {
  const names = text
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  if (names.length === 0) {
    throw new BenchUsageError(`--only expects section names, comma-separated: ${SECTIONS.join(', ')}`);
  }
  const unknown = names.filter((name) => !(SECTIONS as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw new BenchUsageError(
      `--only: no section ${unknown.map((n) => JSON.stringify(n)).join(', ')}; the sections are ${SECTIONS.join(', ')}`,
    );
  }
  return SECTIONS.filter((section) => names.includes(section));
}

function seedOf(text: string): number {
  const seed = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(seed) || seed > 0xffff_ffff) {
    throw new BenchUsageError(
      `--seed expects a whole number from 0 to 4294967295, got ${JSON.stringify(text)}`,
    );
  }
  return seed;
}

/** node:util's parseArgs messages are long and suggest `--` tricks; say what was wrong in a few words. */
function describeParseError(error: unknown): string {
  const code = (error as { code?: string }).code;
  const message = error instanceof Error ? error.message : String(error);
  const quoted = /'([^']+)'/.exec(message)?.[1];
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${quoted ?? message}`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${JSON.stringify(quoted ?? message)}: every option starts with --`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      const option = /--[a-z-]+/.exec(message)?.[0] ?? 'an option';
      return /argument missing/.test(message) ? `${option} expects a value` : `${option} takes no value`;
    }
    default:
      return message.split('\n')[0] ?? 'the command line could not be read';
  }
}
