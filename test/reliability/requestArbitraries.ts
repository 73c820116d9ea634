/**
 * fast-check arbitraries for provisioning requests, derived from the rules of `lambdas/domain/request.ts`
 * and the id forms of `lambdas/domain/ids.ts`: valid requests, and invalid ones made by applying one or
 * more mutations to a valid request, each mutation knowing the field a refusal must name.
 *
 * Every generated value is plain JSON (no `undefined`, no NaN, no lone surrogates), so the parser, the
 * HTTP API and an execution input all see the very same request.
 */
import fc from 'fast-check';
import { ManagedTag, type ProvisioningRequestInput, RequestLimits } from '../../lambdas/domain/request';
import { IdForm, type IdKind } from '../../lambdas/ids';

type Body = Record<string, unknown>;

/** The request's fields; `satisfies` keeps the list complete when the interface grows. */
const KNOWN_FIELDS = Object.keys({
  groupId: true,
  endpointServiceId: true,
  region: true,
  vpcId: true,
  subnetIds: true,
  securityGroupIds: true,
  maxAttempts: true,
  timeoutSeconds: true,
  connectionStringTimeoutSeconds: true,
  tags: true,
  crossRegion: true,
} satisfies Record<keyof ProvisioningRequestInput, true>);

/** `aws:` is AWS's own; the workflow's prefix is the one its managed tags share. */
const RESERVED_TAG_PREFIXES = ['aws:', `${ManagedTag.managedBy.split(':')[0]}:`];
const isReservedTagKey = (key: string) =>
  RESERVED_TAG_PREFIXES.some((prefix) => key.toLowerCase().startsWith(prefix));

const MAX_TAG_KEY_LENGTH = 128;
const MAX_TAG_VALUE_LENGTH = 256;

const json = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

export const idOf = (kind: IdKind): fc.Arbitrary<string> => fc.stringMatching(IdForm[kind].pattern);

/** Any JSON value that is not a string. */
const nonString = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 8 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 2 }),
);

/** A valid id, spoiled the ways people spoil ids. */
const nearMiss = (kind: IdKind): fc.Arbitrary<string> =>
  fc
    .tuple(
      idOf(kind),
      fc.nat(),
      fc.constantFrom('upper', 'drop', 'extra', 'prefix', 'pad', 'nonHex', 'empty'),
    )
    .map(([id, at, how]) => {
      const i = at % id.length;
      switch (how) {
        case 'upper':
          return id.toUpperCase();
        case 'drop':
          return id.slice(0, i) + id.slice(i + 1);
        case 'extra':
          return `${id.slice(0, i)}a${id.slice(i)}`;
        case 'prefix':
          return id.includes('-') ? `x${id.slice(id.indexOf('-'))}` : `id-${id}`;
        case 'pad':
          return ` ${id}`;
        case 'nonHex':
          return `${id.slice(0, -1)}g`;
        default:
          return '';
      }
    });

/** Anything but a valid id of `kind`. */
export const badIdOf = (kind: IdKind): fc.Arbitrary<unknown> =>
  fc
    .oneof(nonString, nearMiss(kind), fc.string({ maxLength: 30 }))
    .filter((v) => !(typeof v === 'string' && IdForm[kind].pattern.test(v)));

const tagKey = fc
  .oneof(
    fc.string({ minLength: 1, maxLength: MAX_TAG_KEY_LENGTH }),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }),
  )
  .filter((k) => k.length >= 1 && k.length <= MAX_TAG_KEY_LENGTH && !isReservedTagKey(k));
const tagValue = fc.oneof(
  fc.string({ maxLength: MAX_TAG_VALUE_LENGTH }),
  fc.string({ unit: 'grapheme', maxLength: 30 }).filter((v) => v.length <= MAX_TAG_VALUE_LENGTH),
);
const validTags = (maxKeys: number) => fc.dictionary(tagKey, tagValue, { maxKeys, noNullPrototype: true });

const withoutUndefined = (body: Body): Body =>
  Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined));

/** A request `parseProvisioningRequest` must accept. */
export const validRequest: fc.Arbitrary<Body> = fc
  .record({
    groupId: idOf('groupId'),
    location: fc.oneof(
      idOf('awsRegion').map((region) => ({ region })),
      idOf('endpointServiceId').map((endpointServiceId) => ({ endpointServiceId })),
    ),
    crossRegion: fc.option(fc.constant(true), { nil: undefined }),
    vpcId: idOf('vpcId'),
    subnetIds: fc.uniqueArray(idOf('subnetId'), { minLength: 1, maxLength: RequestLimits.maxSubnets }),
    securityGroupIds: fc.option(
      fc.uniqueArray(idOf('securityGroupId'), { maxLength: RequestLimits.maxSecurityGroups }),
      { nil: undefined },
    ),
    maxAttempts: fc.option(fc.integer({ min: 1, max: RequestLimits.maxAttempts }), { nil: undefined }),
    timeoutSeconds: fc.option(
      fc.integer({ min: RequestLimits.minTimeoutSeconds, max: RequestLimits.maxTimeoutSeconds }),
      { nil: undefined },
    ),
    connectionStringTimeoutSeconds: fc.option(
      fc.integer({ min: 0, max: RequestLimits.maxConnectionStringTimeoutSeconds }),
      { nil: undefined },
    ),
    tags: fc.option(validTags(RequestLimits.maxTags), { nil: undefined }),
  })
  .map(({ location, ...rest }) => json(withoutUndefined({ ...rest, ...location })));

/** One change that makes a request invalid; `apply` edits the body in place and names the field to blame. */
export interface Mutation {
  /** Mutations of one target would interfere with each other; a request gets at most one per target. */
  readonly target: string;
  readonly kind: string;
  apply(body: Body): string;
}

const mutation = (target: string, kind: string, data: unknown, apply: (body: Body) => string) =>
  fc.constant<Mutation & fc.WithToStringMethod>({
    target,
    kind,
    apply,
    [fc.toStringMethod]: () => `${kind}(${fc.stringify(data)})`,
  });

const mutations = <T>(
  target: string,
  kind: string,
  data: fc.Arbitrary<T>,
  apply: (d: T, body: Body) => string,
) => data.chain((d) => mutation(target, kind, d, (body) => apply(d, body)));

/** A required id replaced by anything else, or left out. */
const badRequiredId = (field: 'groupId' | 'vpcId', kind: IdKind) =>
  fc.oneof(
    mutations(field, `bad ${field}`, badIdOf(kind), (bad, body) => {
      body[field] = bad;
      return field;
    }),
    mutation(field, `no ${field}`, null, (body) => {
      delete body[field];
      return field;
    }),
  );

const location = fc.oneof(
  mutations(
    'location',
    'both region and endpointServiceId',
    fc.tuple(idOf('awsRegion'), idOf('endpointServiceId')),
    ([region, service], body) => {
      body.region ??= region;
      body.endpointServiceId ??= service;
      return 'endpointServiceId';
    },
  ),
  mutation('location', 'neither region nor endpointServiceId', null, (body) => {
    delete body.region;
    delete body.endpointServiceId;
    return 'region';
  }),
  mutations('location', 'bad region', badIdOf('awsRegion'), (bad, body) => {
    delete body.endpointServiceId;
    body.region = bad;
    return 'region';
  }),
  mutations('location', 'bad endpointServiceId', badIdOf('endpointServiceId'), (bad, body) => {
    delete body.region;
    body.endpointServiceId = bad;
    return 'endpointServiceId';
  }),
  mutations(
    'location',
    'bad crossRegion',
    nonString.filter((v) => typeof v !== 'boolean'),
    (bad, body) => {
      body.crossRegion = bad;
      return 'crossRegion';
    },
  ),
);

/** Mutations of `subnetIds` (min 1) or `securityGroupIds` (min 0, optional). */
function idList(field: 'subnetIds' | 'securityGroupIds', kind: IdKind, min: number, max: number) {
  const current = (body: Body) => (Array.isArray(body[field]) ? [...(body[field] as string[])] : []);
  const notAList = fc.oneof(
    nonString.filter((v) => !Array.isArray(v)),
    fc.string({ maxLength: 30 }),
    idOf(kind),
  );
  return fc.oneof(
    mutations(field, `${field} not a list`, notAList, (bad, body) => {
      body[field] = bad;
      return field;
    }),
    ...(min > 0
      ? [
          mutation(field, `empty ${field}`, null, (body) => {
            body[field] = [];
            return field;
          }),
        ]
      : []),
    mutations(
      field,
      `too many ${field}`,
      fc.uniqueArray(idOf(kind), { minLength: max + 1, maxLength: max + 8 }),
      (ids, body) => {
        body[field] = ids;
        return field;
      },
    ),
    mutations(field, `bad id in ${field}`, fc.tuple(badIdOf(kind), fc.nat()), ([bad, at], body) => {
      const ids: unknown[] = current(body);
      const index = ids.length === 0 ? 0 : at % ids.length;
      ids[index] = bad;
      body[field] = ids;
      return `${field}[${index}]`;
    }),
    mutations(field, `duplicate id in ${field}`, fc.tuple(idOf(kind), fc.nat()), ([id, at], body) => {
      const ids = current(body);
      if (ids.length === 0) ids.push(id);
      const original = ids[at % Math.min(ids.length, max - 1)] as string;
      // Appending keeps every other id; at the limit, the copy replaces the last one instead.
      const index = ids.length < max ? ids.length : max - 1;
      ids[index] = original;
      body[field] = ids;
      return `${field}[${index}]`;
    }),
  );
}

/** `maxAttempts`, `timeoutSeconds` or `connectionStringTimeoutSeconds`: out of range, not an integer, or not a number. */
function integerField(
  field: 'maxAttempts' | 'timeoutSeconds' | 'connectionStringTimeoutSeconds',
  min: number,
  max: number,
) {
  const bad = fc.oneof(
    fc.integer({ max: min - 1 }),
    fc.integer({ min: max + 1 }),
    fc.double({ min, max, noNaN: true }).filter((n) => !Number.isInteger(n)),
    fc.integer({ min, max }).map(String),
    nonString,
  );
  return mutations(
    field,
    `bad ${field}`,
    bad.filter((v) => !(Number.isInteger(v) && (v as number) >= min && (v as number) <= max)),
    (value, body) => {
      body[field] = value;
      return field;
    },
  );
}

/** Keeps at most `n` tags, so that adding one stays within the tag limit. */
const keepTags = (body: Body, n: number): Record<string, unknown> => {
  const tags = (body.tags ?? {}) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(tags).slice(0, n));
};

const reservedTagKey = fc
  .tuple(fc.constantFrom(...RESERVED_TAG_PREFIXES), fc.string({ maxLength: 20 }))
  .chain(([prefix, rest]) => fc.mixedCase(fc.constant(prefix)).map((p) => `${p}${rest}`));

const tags = fc.oneof(
  mutations(
    'tags',
    'tags not an object',
    fc.oneof(
      nonString.filter((v) => Array.isArray(v) || v === null || typeof v !== 'object'),
      fc.string(),
    ),
    (bad, body) => {
      body.tags = bad;
      return 'tags';
    },
  ),
  mutations(
    'tags',
    'too many tags',
    fc.dictionary(tagKey, tagValue, {
      minKeys: RequestLimits.maxTags + 1,
      maxKeys: RequestLimits.maxTags + 10,
      noNullPrototype: true,
    }),
    (many, body) => {
      body.tags = many;
      return 'tags';
    },
  ),
  mutations('tags', 'reserved tag key', fc.tuple(reservedTagKey, tagValue), ([key, value], body) => {
    body.tags = { ...keepTags(body, RequestLimits.maxTags - 1), [key]: value };
    return `tags.${key}`;
  }),
  mutations(
    'tags',
    'tag key of a bad length',
    fc
      .oneof(fc.constant(''), fc.string({ minLength: MAX_TAG_KEY_LENGTH + 1, maxLength: 200 }))
      .filter((k) => k.length === 0 || k.length > MAX_TAG_KEY_LENGTH),
    (key, body) => {
      body.tags = { ...keepTags(body, RequestLimits.maxTags - 1), [key]: 'value' };
      return `tags.${key}`;
    },
  ),
  mutations(
    'tags',
    'bad tag value',
    fc.tuple(
      tagKey,
      fc.oneof(
        nonString,
        fc.string({ minLength: MAX_TAG_VALUE_LENGTH + 1, maxLength: MAX_TAG_VALUE_LENGTH + 50 }),
      ),
    ),
    ([key, value], body) => {
      const kept = keepTags(body, RequestLimits.maxTags - 1);
      const [existing] = Object.keys(kept);
      const target = existing ?? key;
      body.tags = { ...kept, [target]: value };
      return `tags.${target}`;
    },
  ),
);

const unknownFieldName = fc
  .oneof(
    fc.constantFrom(
      'GroupId',
      'group_id',
      'subnetIDs',
      'tag',
      'region ',
      'maxattempts',
      'vpcEndpointId',
      '__proto__',
    ),
    fc.string({ maxLength: 20 }),
  )
  .filter((k) => !KNOWN_FIELDS.includes(k));

const unknownField = mutations(
  'unknown',
  'unknown field',
  fc.tuple(unknownFieldName, fc.jsonValue({ maxDepth: 2 })),
  ([key, value], body) => {
    // defineProperty: a plain assignment to "__proto__" would set the prototype, not a field.
    Object.defineProperty(body, key, { value, enumerable: true, writable: true, configurable: true });
    return key;
  },
);

const anyMutation = fc.oneof(
  badRequiredId('groupId', 'groupId'),
  location,
  badRequiredId('vpcId', 'vpcId'),
  idList('subnetIds', 'subnetId', 1, RequestLimits.maxSubnets),
  idList('securityGroupIds', 'securityGroupId', 0, RequestLimits.maxSecurityGroups),
  integerField('maxAttempts', 1, RequestLimits.maxAttempts),
  integerField('timeoutSeconds', RequestLimits.minTimeoutSeconds, RequestLimits.maxTimeoutSeconds),
  integerField('connectionStringTimeoutSeconds', 0, RequestLimits.maxConnectionStringTimeoutSeconds),
  tags,
  unknownField,
);

/** An invalid request and the fields a refusal of it must name (exactly these). */
export interface InvalidCase {
  readonly body: unknown;
  readonly fields: readonly string[];
  /** The mutations applied, or `non-object`: for the per-kind counts the README quotes. */
  readonly kinds: readonly string[];
}

/** A JSON value that is not an object: the whole request is refused, named `(request)`. */
const nonObjectBody: fc.Arbitrary<InvalidCase> = fc
  .oneof(
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.string({ maxLength: 40 }),
    fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 3 }),
    validRequest.map((r) => [r]),
  )
  .map((body) => ({ body, fields: ['(request)'], kinds: ['non-object'] }));

const mutatedRequest: fc.Arbitrary<InvalidCase> = fc
  .tuple(validRequest, fc.uniqueArray(anyMutation, { minLength: 1, maxLength: 4, selector: (m) => m.target }))
  .map(([valid, applied]) => {
    const body = json(valid);
    const fields = applied.map((m) => m.apply(body));
    return { body: json(body), fields: [...new Set(fields)].sort(), kinds: applied.map((m) => m.kind) };
  });

/** Mostly mutated requests, some bodies that are not objects at all. */
export const invalidRequest: fc.Arbitrary<InvalidCase> = fc.oneof(
  { weight: 9, arbitrary: mutatedRequest },
  { weight: 1, arbitrary: nonObjectBody },
);

/** Where a request is sent: the deployment's region and the VPC and project its allow-lists name. */
export interface Deployment {
  readonly region: string;
  readonly groupId: string;
  readonly vpcId: string;
}

/**
 * The same request as the deployment would see it from a caller who respects its rules: the fields a
 * case does not break name the deployment's region, VPC and project (a random one is refused by the
 * allow-lists and the region rule, which `fuzz.test.ts` proves apart).
 */
export function inDeployment(body: unknown, deployment: Deployment, broken: readonly string[] = []): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  const placed: Body = { ...(body as Body) };
  for (const field of ['region', 'groupId', 'vpcId'] as const) {
    if (field in placed && !broken.includes(field)) placed[field] = deployment[field];
  }
  return placed;
}

/** `validRequest`, placed in `deployment`. */
export const validRequestIn = (deployment: Deployment): fc.Arbitrary<Body> =>
  validRequest.map((body) => inDeployment(body, deployment) as Body);

/** `invalidRequest`, placed in `deployment`: each case still breaks exactly its fields. */
export const invalidRequestIn = (deployment: Deployment): fc.Arbitrary<InvalidCase> =>
  invalidRequest.map((invalid) => ({
    ...invalid,
    body: inDeployment(invalid.body, deployment, invalid.fields),
  }));
