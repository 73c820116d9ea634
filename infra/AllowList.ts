import { InvalidRequestError } from '../lambdas/errors';
import { IdForm, type IdKind } from '../lambdas/ids';

/**
 * The values a deployment accepts for one request field, such as the VPCs it may create endpoints in: a list,
 * or any value, which is an explicit choice (`AllowList.any()`), never a default.
 *
 * @example
 * new AtlasPrivateEndpointWorkflow(this, 'Workflow', {
 *   atlasSecret,
 *   allowedVpcIds: AllowList.of('vpc-0d3e0a1b2c3d4e5f6'),
 *   allowedGroupIds: AllowList.any(),
 * });
 */
export class AllowList {
  /** Only these values. */
  static of(...values: string[]): AllowList {
    return new AllowList(values);
  }

  /** Any value at all: the deployment then narrows nothing for this field. */
  static any(): AllowList {
    return new AllowList('*');
  }

  /** Nothing at all: for a list where nothing is a meaningful answer (`eventPublishers`: nobody else). */
  static none(): AllowList {
    return new AllowList([]);
  }

  /**
   * From a context value: `*` for any, else values separated by commas.
   * @example AllowList.parse('vpc-0d3e0a1b2c3d4e5f6,vpc-0a1b2c3d4e5f60718')
   */
  static parse(text: string): AllowList {
    const trimmed = text.trim();
    if (trimmed === '*') return AllowList.any();
    return AllowList.of(...commaSeparated(trimmed));
  }

  /** The values, or `'*'` for any. */
  readonly values: readonly string[] | '*';

  private constructor(values: readonly string[] | '*') {
    this.values = values === '*' ? '*' : [...new Set(values)];
  }

  /** True when the list allows anything. */
  get isAny(): boolean {
    return this.values === '*';
  }

  /** The list as the functions read it from their environment: `*`, or the values separated by commas. */
  toEnvironment(): string {
    return this.values === '*' ? '*' : this.values.join(',');
  }

  /**
   * Checks every value has the form of `kind`, and that a list is not empty.
   * @throws InvalidRequestError naming `prop` and the first bad value.
   */
  check(prop: string, kind: IdKind): this {
    if (this.values === '*') return this;
    if (this.values.length === 0) {
      throw new InvalidRequestError([
        {
          field: prop,
          message: `lists nothing: give the ${IdForm[kind].expected} it allows, or AllowList.any()`,
        },
      ]);
    }
    for (const value of this.values) {
      if (!IdForm[kind].pattern.test(value)) {
        throw new InvalidRequestError([
          { field: prop, message: `expected ${IdForm[kind].expected}, got ${JSON.stringify(value)}` },
        ]);
      }
    }
    return this;
  }
}

/** The values of a context value such as `a, b,,c`: separated by commas, trimmed, blanks dropped. */
export function commaSeparated(text: string): string[] {
  return text
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '');
}
