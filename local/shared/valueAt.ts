/**
 * The value at a simple dotted path (`a.b.c`, or a reference path `$.a.b.c`) in a JSON value, or
 * undefined where the path leads nowhere. Enough for the state data paths this project reads offline.
 */
export function valueAt(value: unknown, path: string): unknown {
  return path
    .replace(/^\$\.?/, '')
    .split('.')
    .filter(Boolean)
    .reduce<unknown>(
      (v, key) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined),
      value,
    );
}
