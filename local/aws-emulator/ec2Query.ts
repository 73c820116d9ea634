import { AwsApiError } from './errors';

/**
 * The parameters of an EC2 Query request (`Action=CreateVpcEndpoint&Version=2016-11-15&…`).
 *
 * EC2 flattens lists into numbered keys, 1-based and possibly sparse: `SubnetId.1`, `SubnetId.2`;
 * lists of structures nest the number before the member: `TagSpecification.1.Tag.2.Key`,
 * `Filter.1.Value.1`. (The other Query services wrap lists in `.member.N`; EC2 does not.)
 */
export class QueryParams {
  readonly #values: ReadonlyMap<string, string>;

  constructor(values: ReadonlyMap<string, string>) {
    this.#values = values;
  }

  /** Parses a form-encoded body, with any query-string parameters (EC2 also takes GET) underneath. */
  static parse(body: string, query?: URLSearchParams): QueryParams {
    const values = new Map<string, string>();
    for (const [key, value] of query ?? []) values.set(key, value);
    for (const [key, value] of new URLSearchParams(body)) values.set(key, value);
    return new QueryParams(values);
  }

  get(name: string): string | undefined {
    return this.#values.get(name);
  }

  /** `name` as a boolean; EC2 accepts only `true` / `false`. */
  bool(name: string): boolean | undefined {
    const raw = this.get(name);
    if (raw === undefined) return undefined;
    const lower = raw.toLowerCase();
    if (lower === 'true' || lower === 'false') return lower === 'true';
    throw new AwsApiError(
      'InvalidParameterValue',
      `Value (${raw}) for parameter ${name} is invalid. Expected: 'true' or 'false'.`,
    );
  }

  /** `name` as an integer. */
  int(name: string): number | undefined {
    const raw = this.get(name);
    if (raw === undefined) return undefined;
    if (!/^-?\d+$/.test(raw)) {
      throw new AwsApiError(
        'InvalidParameterValue',
        `Value (${raw}) for parameter ${name} is invalid. Expected an integer.`,
      );
    }
    return Number(raw);
  }

  /** The scalar list `prefix.1`, `prefix.2`, … in index order. */
  list(prefix: string): string[] {
    return this.#indexed(prefix)
      .filter(([, rest]) => rest === '')
      .map(([, , value]) => value);
  }

  /** The structure list `prefix.N.<member>`, each element as its own parameters, in index order. */
  structs(prefix: string): QueryParams[] {
    const byIndex = new Map<number, Map<string, string>>();
    for (const [index, rest, value] of this.#indexed(prefix)) {
      if (!rest.startsWith('.')) continue;
      const members = byIndex.get(index) ?? new Map<string, string>();
      members.set(rest.slice(1), value);
      byIndex.set(index, members);
    }
    return [...byIndex.entries()].sort(([a], [b]) => a - b).map(([, members]) => new QueryParams(members));
  }

  /** `[index, rest after the index, value]` for every `prefix.<index><rest>` key, sorted by index. */
  #indexed(prefix: string): [number, string, string][] {
    const found: [number, string, string][] = [];
    const head = `${prefix}.`;
    for (const [key, value] of this.#values) {
      if (!key.startsWith(head)) continue;
      const match = /^(\d+)(.*)$/.exec(key.slice(head.length));
      if (!match) continue;
      found.push([Number(match[1]), match[2] ?? '', value]);
    }
    return found.sort(([a], [b]) => a - b);
  }
}
