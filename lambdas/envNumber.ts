/**
 * A number from the environment variable `name`, or undefined when it is unset, empty, not a finite
 * number, or out of `range`: the caller then uses its default. The one way the functions read a number
 * from their environment.
 *
 * @example
 * const timeoutMs = envNumber(RuntimeEnv.atlasTimeoutMs, 'positive') ?? 15_000;
 */
export function envNumber(name: string, range: 'positive' | 'nonNegative'): number | undefined {
  const text = process.env[name]?.trim();
  if (!text) return undefined;
  const value = Number(text);
  if (!Number.isFinite(value)) return undefined;
  return value > 0 || (range === 'nonNegative' && value === 0) ? value : undefined;
}
