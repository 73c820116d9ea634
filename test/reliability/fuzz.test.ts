/**
 * Bad input, generated: property-based tests over the request schema (through the parser, the local API
 * and as a raw execution input) and over what a hostile or broken Atlas may answer the client.
 *
 * The request arbitraries (`requestArbitraries.ts`) are derived from the rules of `lambdas/domain/request.ts`
 * and `ids.ts`; each invalid case knows exactly which fields a refusal must name. The counts of generated
 * cases are printed at the end, for the README.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AtlasClient } from '../../lambdas/atlas/AtlasClient';
import { parseProvisioningRequest, RequestLimits } from '../../lambdas/domain/request';
import {
  AtlasAuthError,
  AtlasPrivateLinkError,
  AtlasResponseError,
  AtlasServerError,
  DigestChallengeError,
  ErrorName,
  InvalidRequestError,
} from '../../lambdas/errors';
import { DEMO_GROUP_ID } from '../../local/atlas-emulator';
import { AwsService, DEMO_VPC_ID } from '../../local/aws-emulator';
import { type OfflineEnvironment, startOfflineEnvironment } from '../../local/offline/OfflineEnvironment';
import {
  type Deployment,
  type InvalidCase,
  inDeployment,
  invalidRequest,
  invalidRequestIn,
  validRequest,
  validRequestIn,
} from './requestArbitraries';

/** Generated cases per property, printed for the README. */
const generated: Record<string, number> = {};
/** How often each mutation was applied across every invalid case. */
const mutationKinds: Record<string, number> = {};

function count(property: string, invalid?: InvalidCase): void {
  generated[property] = (generated[property] ?? 0) + 1;
  for (const kind of invalid?.kinds ?? []) mutationKinds[kind] = (mutationKinds[kind] ?? 0) + 1;
}

afterAll(() => {
  console.log(`generated cases per property: ${JSON.stringify(generated, null, 2)}`);
  console.log(`mutations applied: ${JSON.stringify(mutationKinds, null, 2)}`);
});

/** The fields an `InvalidRequestError`'s message names: it is `field: message` joined by `; `. */
function namesField(message: string, field: string): boolean {
  return message.startsWith(`${field}: `) || message.includes(`; ${field}: `);
}

describe('parseProvisioningRequest, over generated requests', () => {
  it('accepts every valid request, keeping its fields and applying the defaults', () => {
    fc.assert(
      fc.property(validRequest, (input) => {
        count('parser: valid');

        const request = parseProvisioningRequest(input);

        expect(request).toEqual({
          securityGroupIds: [],
          maxAttempts: RequestLimits.defaultMaxAttempts,
          timeoutSeconds: RequestLimits.defaultTimeoutSeconds,
          connectionStringTimeoutSeconds: RequestLimits.defaultConnectionStringTimeoutSeconds,
          tags: {},
          ...input,
        });
        // What the API hands to the workflow is itself a valid request, with the same meaning.
        expect(parseProvisioningRequest(JSON.parse(JSON.stringify(request)))).toEqual(request);
      }),
      { numRuns: 3000 },
    );
  });

  it('refuses every invalid request with an InvalidRequestError naming exactly the broken fields', () => {
    fc.assert(
      fc.property(invalidRequest, (invalid) => {
        count('parser: invalid', invalid);

        const act = () => parseProvisioningRequest(invalid.body);

        expect(act).toThrow(InvalidRequestError);
        let violations: InvalidRequestError['violations'] = [];
        try {
          act();
        } catch (error) {
          violations = (error as InvalidRequestError).violations;
        }
        expect([...new Set(violations.map((v) => v.field))].sort()).toEqual(invalid.fields);
        for (const v of violations) expect(v.message.length).toBeGreaterThan(0);
      }),
      { numRuns: 3000 },
    );
  });
});

/** The offline deployment: its region and the demo VPC and project its allow-lists name. */
const OFFLINE: Deployment = { region: 'us-east-1', groupId: DEMO_GROUP_ID, vpcId: DEMO_VPC_ID };

/** One offline environment for the API and the execution-input properties (one per process at a time). */
let env: OfflineEnvironment;
const statesEntered = new Map<string, string[]>();

interface Mark {
  readonly atlas: number;
  readonly aws: number;
}
const mark = (): Mark => ({ atlas: env.atlas.requestLog.length, aws: env.aws.requests.length });
const callsSince = (from: Mark) => {
  const aws = env.aws.requests.slice(from.aws);
  return {
    atlas: env.atlas.requestLog.length - from.atlas,
    ec2: aws.filter((r) => r.service === AwsService.EC2).length,
    secretsManager: aws.filter((r) => r.service === AwsService.SECRETS_MANAGER).length,
    stepFunctions: aws.filter((r) => r.service === AwsService.STEP_FUNCTIONS).length,
  };
};

describe('with the offline stack running', () => {
  beforeAll(async () => {
    env = await startOfflineEnvironment({
      onEvent: (name, event) => {
        if (event.type === 'StateEntered')
          statesEntered.set(name, [...(statesEntered.get(name) ?? []), event.state.name]);
      },
    });
  });
  afterAll(async () => {
    await env?.close();
  });

  async function post(body: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const response = await fetch(`${env.api.url}/endpoints`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body,
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }
  const fieldsOf = (body: Record<string, unknown>) =>
    [...new Set(((body.errors ?? []) as { field: string }[]).map((e) => e.field))].sort();

  describe('POST /endpoints', () => {
    it('answers 400 naming exactly the broken fields of every invalid request, calling neither AWS nor Atlas', async () => {
      const before = mark();

      await fc.assert(
        fc.asyncProperty(invalidRequestIn(OFFLINE), async (invalid) => {
          count('API: invalid', invalid);

          const response = await post(JSON.stringify(invalid.body));

          expect(response.status).toBe(400);
          expect(fieldsOf(response.body)).toEqual(invalid.fields);
        }),
        { numRuns: 300 },
      );
      await fc.assert(
        fc.asyncProperty(
          fc.string({ maxLength: 60 }).filter((text) => {
            try {
              JSON.parse(text);
              return false;
            } catch {
              return true;
            }
          }),
          async (text) => {
            count('API: not JSON');

            const response = await post(text);

            expect(response.status).toBe(400);
            expect(fieldsOf(response.body)).toEqual(['(body)']);
          },
        ),
        { numRuns: 50 },
      );

      expect(callsSince(before)).toEqual({ atlas: 0, ec2: 0, secretsManager: 0, stepFunctions: 0 });
      expect(env.aws.requests.length).toBe(before.aws);
    });

    it('answers 400 to a valid request for a VPC, project or region outside the deployment, calling nothing', async () => {
      const before = mark();

      await fc.assert(
        fc.asyncProperty(
          validRequest,
          fc.subarray(['region', 'groupId', 'vpcId'] as const, { minLength: 1 }),
          async (request, outside) => {
            count('API: outside the deployment');
            const body = inDeployment(request, OFFLINE, outside) as Record<string, unknown>;
            if (outside.includes('region') && 'region' in body) {
              body.region = 'eu-west-1';
              // With crossRegion: true another region is the request's to ask for (test/e2e/crossRegion.test.ts).
              delete body.crossRegion;
            }
            const expected = outside
              .filter((field) => field in body && body[field] !== OFFLINE[field])
              .sort();
            fc.pre(expected.length > 0);

            const response = await post(JSON.stringify(body));

            expect(response.status).toBe(400);
            expect(fieldsOf(response.body)).toEqual(expected);
          },
        ),
        { numRuns: 60 },
      );

      expect(callsSince(before)).toEqual({ atlas: 0, ec2: 0, secretsManager: 0, stepFunctions: 0 });
    });

    it('answers 202 to every valid request, and no execution it starts fails validation', async () => {
      const started: string[] = [];

      await fc.assert(
        fc.asyncProperty(validRequestIn(OFFLINE), async (request) => {
          count('API: valid');

          const response = await post(JSON.stringify(request));

          expect(response.status).toBe(202);
          started.push(response.body.executionArn as string);
        }),
        { numRuns: 10 },
      );

      // Random projects and networks fail later (Atlas or EC2 does not know them); never in validation.
      for (const arn of new Set(started)) {
        const execution = await env.aws.waitForExecution(arn, { timeoutMs: 20_000 });
        expect(execution.status).not.toBe('RUNNING');
        expect(execution.error).not.toBe(ErrorName.InvalidRequest);
      }
    });
  });

  describe('StartExecution with a generated invalid input (console and EventBridge starts skip the API)', () => {
    let sfn: SFNClient;
    beforeAll(() => {
      sfn = new SFNClient({
        endpoint: env.aws.url,
        region: 'us-east-1',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      });
    });
    afterAll(() => sfn?.destroy());

    it('fails every execution in "Validate request" with InvalidRequestError naming the fields, calling neither EC2 nor Atlas', async () => {
      const before = mark();
      let n = 0;

      // Falsy inputs (null, false, 0, "") are left out: offline, aws-local-stepfunctions fails them before the
      // first task (States.Runtime "Path expression '$' does not point to a value"); no handler sees them.
      const truthy = invalidRequestIn(OFFLINE).filter((invalid) => Boolean(invalid.body));
      await fc.assert(
        fc.asyncProperty(truthy, async (invalid) => {
          count('execution input: invalid', invalid);
          n += 1;
          const name = `fuzz-input-${n}`;

          const { executionArn } = await sfn.send(
            new StartExecutionCommand({
              stateMachineArn: env.synthesized.stateMachineArn,
              name,
              input: JSON.stringify(invalid.body),
            }),
          );
          const execution = await env.aws.waitForExecution(executionArn as string, { timeoutMs: 10_000 });

          expect(execution.status).toBe('FAILED');
          expect(execution.error).toBe(ErrorName.InvalidRequest);
          for (const field of invalid.fields) expect(namesField(execution.cause ?? '', field)).toBe(true);
          expect(statesEntered.get(name)?.[0]).toBe('Validate request');
          expect(statesEntered.get(name)).not.toContain('Find endpoint service');
        }),
        { numRuns: 40 },
      );

      const calls = callsSince(before);
      expect({ atlas: calls.atlas, ec2: calls.ec2, secretsManager: calls.secretsManager }).toEqual({
        atlas: 0,
        ec2: 0,
        secretsManager: 0,
      });
    });
  });
});

// ---------------------------------------------------------------------------------------------------
// The Atlas client against a server that answers badly

const GROUP_ID = '32b6e34b3d91647abb20e7b8';
const SERVICE_ID = '5f4d2c1b0a9e8d7c6b5a4f3e';
const PRIVATE_KEY = 'fuzz-private-key-never-shown';
const MAX_RESPONSE_BYTES = 1024;
/** `lambdas/atlas/exchange.ts` reads at most this much of an error body. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;
/** Longer than any honest answer of the loopback server takes; a call past it counts as a hang. */
const CALL_TIMEOUT_MS = 5_000;

type Respond = (response: ServerResponse) => void;

interface HostileServer {
  readonly url: string;
  /** Requests received since the last `answerWith`. */
  requests: number;
  answerWith(respond: Respond): void;
  close(): Promise<void>;
}

async function startHostileServer(): Promise<HostileServer> {
  let respond: Respond = (res) => res.end();
  const state = { requests: 0 };
  const server: Server = createServer((req, res) => {
    state.requests += 1;
    req.resume();
    req.on('end', () => respond(res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get requests() {
      return state.requests;
    },
    set requests(value: number) {
      state.requests = value;
    },
    answerWith: (next) => {
      respond = next;
      state.requests = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** One call of a fresh client (as a cold Lambda makes it): the error it rejects with, or a failure if it hangs. */
async function errorOfOneCall(server: HostileServer): Promise<unknown> {
  const client = new AtlasClient({
    credentials: { publicKey: 'fuzz-public', privateKey: PRIVATE_KEY },
    baseUrl: server.url,
    maxResponseBytes: MAX_RESPONSE_BYTES,
    headersTimeoutMs: 2_000,
    bodyTimeoutMs: 2_000,
    retry: { maxAttempts: 1 },
  });
  let timer: NodeJS.Timeout | undefined;
  try {
    const hang = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${CALL_TIMEOUT_MS} ms`)), CALL_TIMEOUT_MS);
    });
    const value = await Promise.race([client.getEndpointService(GROUP_ID, 'AWS', SERVICE_ID), hang]);
    return new Error(`expected a typed error, got ${JSON.stringify(value)}`);
  } catch (error) {
    return error;
  } finally {
    clearTimeout(timer);
    await client.close();
  }
}

/** Runs `body`, then reports the exceptions that escaped to the process meanwhile (or just after). */
async function uncaughtExceptionsDuring(body: () => Promise<void>): Promise<string[]> {
  const escaped: string[] = [];
  const record = (error: Error) => escaped.push(`${error.name}: ${error.message}`);
  process.on('uncaughtException', record);
  try {
    await body();
    await new Promise((resolve) => setTimeout(resolve, 50));
  } finally {
    process.off('uncaughtException', record);
  }
  return escaped;
}

/** Characters Node lets into a header value (visible ASCII, space, tab, obs-text). */
const headerChar = fc
  .oneof(
    { weight: 20, arbitrary: fc.integer({ min: 0x20, max: 0x7e }) },
    { weight: 1, arbitrary: fc.constant(0x09) },
    { weight: 1, arbitrary: fc.integer({ min: 0x80, max: 0xff }) },
  )
  .map((code) => String.fromCharCode(code));
const arbitraryHeader = fc.string({ unit: headerChar, maxLength: 300 });

/** Challenges that look like Atlas's, with the parts people and proxies get wrong. */
const quoted = (inner: fc.Arbitrary<string>) => inner.map((s) => `"${s.replace(/["\\]/g, '\\$&')}"`);
const paramValue = fc.oneof(
  quoted(fc.string({ unit: headerChar, maxLength: 20 })),
  fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{0,12}$/),
  fc.constantFrom(
    'MD5',
    'MD5-sess',
    'SHA-256',
    'sha-256-SESS',
    'SHA-512-256',
    '"auth"',
    '"auth-int"',
    '"auth,auth-int"',
    '""',
    '"unterminated',
    '"escaped \\" quote"',
    '"trailing backslash\\',
    'true',
    'FALSE',
  ),
);
const paramName = fc.constantFrom(
  'realm',
  'nonce',
  'algorithm',
  'qop',
  'opaque',
  'stale',
  'domain',
  'userhash',
  'charset',
  'Realm',
  'NONCE',
  '',
);
const param = fc
  .tuple(paramName, fc.constantFrom('=', ' = ', '==', ''), paramValue)
  .map(([name, eq, value]) => `${name}${eq}${value}`);
const challenge = fc
  .tuple(
    fc.constantFrom('Digest', 'digest', 'DIGEST', 'Basic', 'Bearer', 'Negotiate', 'Digestx', ''),
    fc.constantFrom(' ', '  ', '\t', ''),
    fc.array(param, { maxLength: 7 }),
    fc.constantFrom(', ', ',', ' ', ',,', ' ,'),
  )
  .map(([scheme, gap, params, separator]) => `${scheme}${gap}${params.join(separator)}`);
const ATLAS_CHALLENGE = [
  'realm="MMS Public API"',
  'domain=""',
  'nonce="b2c3d4e5"',
  'algorithm=MD5',
  'qop="auth"',
  'stale=false',
];
/** Atlas's own challenge with one part left out, doubled or spoiled. */
const atlasNearMiss = fc
  .tuple(fc.nat(), fc.constantFrom('drop', 'double', 'spoil'), paramValue)
  .map(([at, how, value]) => {
    const params = [...ATLAS_CHALLENGE];
    const i = at % params.length;
    const name = params[i]?.split('=')[0] ?? '';
    if (how === 'drop') params.splice(i, 1);
    else if (how === 'double') params.push(params[i] ?? '');
    else params[i] = `${name}=${value}`;
    return `Digest ${params.join(', ')}`;
  });
const structuredHeader = fc.oneof(
  fc.array(challenge, { minLength: 1, maxLength: 3 }).map((cs) => cs.join(', ')),
  atlasNearMiss,
);

describe('AtlasClient against a server answering badly', () => {
  let server: HostileServer;
  beforeAll(async () => {
    server = await startHostileServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  /** The project's errors a 401 may become: the challenge cannot be answered, or the key was refused. */
  const expectAuthFailure = (error: unknown) => {
    expect(error).toBeInstanceOf(AtlasPrivateLinkError);
    expect([DigestChallengeError, AtlasAuthError].some((type) => error instanceof type)).toBe(true);
    expect([ErrorName.DigestChallenge, ErrorName.AtlasAuth]).toContain((error as Error).name);
    // A hostile header must not flood the logs, and the key never shows.
    expect((error as Error).message.length).toBeLessThan(500);
    expect((error as Error).message).not.toContain(PRIVATE_KEY);
    // No loop: one unauthenticated request and one answer, once more when the server says stale=true.
    expect(server.requests).toBeLessThanOrEqual(4);
  };

  it.each([
    ['any header value', 'arbitrary', arbitraryHeader.map((h): string | string[] => h)],
    [
      'several header fields',
      'arbitrary, several fields',
      fc.array(arbitraryHeader, { minLength: 2, maxLength: 3 }),
    ],
    ['near-miss Digest challenges', 'structured', structuredHeader.map((h): string | string[] => h)],
  ] as const)(
    'turns a 401 with %s in WWW-Authenticate into a typed error',
    async (_title, property, header) => {
      await fc.assert(
        fc.asyncProperty(header, async (wwwAuthenticate) => {
          count(`client: WWW-Authenticate, ${property}`);
          server.answerWith((res) => {
            res.writeHead(401, { 'www-authenticate': wwwAuthenticate, 'content-type': 'application/json' });
            res.end('{"error":401,"reason":"Unauthorized","detail":"You are not authorized."}');
          });

          const error = await errorOfOneCall(server);

          expectAuthFailure(error);
        }),
        { numRuns: property === 'structured' ? 400 : 200 },
      );
    },
  );

  it('turns a body larger than its cap into a typed error (AtlasResponseError for 2xx, AtlasServerError for 5xx), never an uncaught exception', async () => {
    const escaped = await uncaughtExceptionsDuring(() =>
      fc.assert(
        fc.asyncProperty(
          fc.integer({ min: MAX_RESPONSE_BYTES + 1, max: MAX_ERROR_BODY_BYTES * 2 }),
          fc.boolean(),
          fc.constantFrom(200, 201, 203, 500, 503),
          async (size, withLength, status) => {
            count('client: oversized body');
            const body = JSON.stringify({ id: SERVICE_ID, padding: 'x'.repeat(size) });
            server.answerWith((res) => {
              res.writeHead(status, {
                'content-type': 'application/json',
                ...(withLength ? { 'content-length': String(Buffer.byteLength(body)) } : {}),
              });
              // Without a length, the body comes chunked, in pieces.
              for (let i = 0; i < body.length; i += 4096) res.write(body.slice(i, i + 4096));
              res.end();
            });

            const error = await errorOfOneCall(server);

            expect(error).toBeInstanceOf(status < 300 ? AtlasResponseError : AtlasServerError);
            expect((error as AtlasResponseError | AtlasServerError).status).toBe(status);
          },
        ),
        { numRuns: 100 },
      ),
    );

    // undici's unread body, destroyed with no 'error' listener, throws out of the event loop: a Lambda crash.
    expect(escaped).toEqual([]);
  });

  it('turns a 2xx body that is not JSON, or not an endpoint service, into an AtlasResponseError', async () => {
    const notJson = fc
      .oneof(
        fc.string({ maxLength: 200 }),
        fc.string({ unit: 'binary', maxLength: 200 }),
        fc.tuple(fc.jsonValue({ maxDepth: 3 }), fc.nat()).map(([value, cut]) => {
          const text = JSON.stringify(value);
          return text.slice(0, cut % Math.max(1, text.length));
        }),
      )
      .filter((text) => {
        try {
          JSON.parse(text);
          return false;
        } catch {
          return true;
        }
      });
    const wrongShape = fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value));
    await fc.assert(
      fc.asyncProperty(fc.oneof(notJson, wrongShape), async (text) => {
        count('client: non-JSON or wrong-shape 2xx body');
        server.answerWith((res) => {
          res.writeHead(200, { 'content-type': 'application/vnd.atlas.2023-01-01+json' });
          res.end(text);
        });

        const error = await errorOfOneCall(server);

        expect(error).toBeInstanceOf(AtlasResponseError);
      }),
      { numRuns: 300 },
    );
  });
});
