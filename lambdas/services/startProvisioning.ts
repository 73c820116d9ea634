/**
 * How every trigger starts a provisioning, so that each is idempotent: the execution's name says which
 * request it is, and Step Functions allows one execution per name.
 *
 * - Named by the caller (an `Idempotency-Key`, an event's `idempotencyKey` or the event's own id): the same
 *   name always answers with its execution, whatever became of it. A new attempt needs a new key.
 * - Named by the request's content (no key): a repeat while the execution runs or after it succeeded gets
 *   that execution; after it failed, was stopped or timed out, the repeat starts a new one, named after the
 *   same content with a generation suffix (`req-…-2`, `req-…-3`, …).
 */
import type { Executions, StartResult } from '../adapters/Executions';

/** Statuses of an execution a repeat of its request joins rather than starting anew. */
const STILL_GOOD: ReadonlySet<string> = new Set(['RUNNING', 'PENDING_REDRIVE', 'SUCCEEDED']);

/** How many times one request's content may start over after failing before the API asks for a key. */
export const MAX_GENERATIONS = 20;

export type Started = (StartResult | { readonly kind: 'exhausted' }) & { readonly name: string };

/** The name of generation `n` (1-based) of an execution named `base`. */
export function generationName(base: string, n: number): string {
  return n === 1 ? base : `${base}-${n}`;
}

/**
 * Starts (or finds) the execution for `input` named `base`. With `restartAfterFailure`, an ended,
 * unsuccessful execution of the name makes way for the next generation.
 */
export async function startProvisioning(
  executions: Pick<Executions, 'start'>,
  base: string,
  input: unknown,
  options: { readonly restartAfterFailure: boolean },
): Promise<Started> {
  for (let n = 1; n <= (options.restartAfterFailure ? MAX_GENERATIONS : 1); n += 1) {
    const name = generationName(base, n);
    const result = await executions.start(name, input);
    if (!options.restartAfterFailure || result.kind !== 'existing' || STILL_GOOD.has(result.status)) {
      return { ...result, name };
    }
  }
  return { kind: 'exhausted', name: base };
}
