import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listen } from '../shared/listen';
import { systemClock } from '../shared/model';
import { validateBusPolicy } from './busPolicy';
import { AwsService, Defaults, JSON_CONTENT_TYPE, JSON_TARGET_PREFIX } from './constants';
import { Ec2Service, type VpcEndpointSnapshot, type VpcEndpointState } from './ec2';
import { QueryParams } from './ec2Query';
import { ec2ErrorXml, ec2ResponseXml, truncatedEc2ResponseXml } from './ec2Xml';
import { AwsApiError, EmulatorOptionsError } from './errors';
import { EventBridgeService, type RecordedEvent, validateRules } from './eventBridge';
import { type AwsFault, FaultPlan, validateFault } from './faults';
import { uuid } from './ids';
import { isJsonObject, type JsonObject } from './jsonInput';
import type { AwsEmulatorOptions, AwsRequestRecord } from './options';
import { SecretsManagerService } from './secretsManager';
import { type ExecutionRecord, StepFunctionsService, validateStepFunctionsBackends } from './stepFunctions';

/** The running emulator. */
export interface AwsEmulator {
  /** `http://127.0.0.1:<port>`: give it to every SDK client as `endpoint` (or set `AWS_ENDPOINT_URL`). */
  readonly url: string;
  readonly region: string;
  readonly accountId: string;
  /** Every request answered so far, oldest first. */
  readonly requests: readonly AwsRequestRecord[];
  /** Every event PutEvents accepted, oldest first. */
  readonly events: readonly RecordedEvent[];
  /** Every execution started (by StartExecution or a rule), oldest first. */
  readonly executions: readonly ExecutionRecord[];
  /** Every VPC endpoint EC2 still shows, with the state its next describe would report. */
  readonly vpcEndpoints: readonly VpcEndpointSnapshot[];
  /** How many requests match (all when no filter). */
  requestCount(filter?: { readonly service?: AwsService; readonly action?: string }): number;
  /** Creates a secret or gives it a new current version; returns its ARN (the name, a dash, six random characters). */
  setSecret(name: string, value: string): string;
  /** The ARN of the secret named `name` (given in the options or set since), if there is one. */
  secretArn(name: string): string | undefined;
  /** Arms one more fault, after those already armed (validated like the options' faults). */
  addFault(fault: AwsFault): void;
  /** Disarms every fault (the options' ones included) and keeps everything else: a fault that lifts. */
  clearFaults(): void;
  /**
   * Requests a fault struck since the faults were last cleared or reset, counted as it strikes (a delayed
   * request shows in `requests` only once it is answered, which may be after its client gave up).
   */
  faultHits(): number;
  /** Pins an endpoint's state, overriding Atlas and `ec2.unlinkedStates` until it is deleted. */
  setVpcEndpointState(vpcEndpointId: string, state: VpcEndpointState): void;
  /** Resolves once every delivery of an event to a Lambda target made so far has finished. */
  eventDeliveriesSettled(): Promise<void>;
  /** Resolves once the execution stops RUNNING. @default timeoutMs 10 000 */
  waitForExecution(executionArn: string, options?: { readonly timeoutMs?: number }): Promise<ExecutionRecord>;
  /** Back to the state at start: no endpoints, executions, events or requests; secrets and faults as in the options. */
  reset(): void;
  /** Stops the server, dropping open (keep-alive) connections; calling it again waits for the same close. */
  close(): Promise<void>;
}

type JsonService = (typeof JSON_TARGET_PREFIX)[keyof typeof JSON_TARGET_PREFIX];

type Route =
  | {
      readonly protocol: 'ec2';
      readonly service: typeof AwsService.EC2;
      readonly action: string;
      readonly params: QueryParams;
    }
  | {
      readonly protocol: 'json';
      readonly service: JsonService;
      readonly action: string;
      readonly input?: JsonObject;
    };

interface Reply {
  readonly status: number;
  readonly body: string;
  readonly errorCode?: string;
}

/**
 * The modelled "internal error" of each JSON service, for the 500 that an emulator bug becomes
 * (EC2's is `InternalError`).
 */
const INTERNAL_ERROR_CODE: Record<JsonService | 'unknown', string> = {
  [AwsService.SECRETS_MANAGER]: 'InternalServiceError',
  [AwsService.STEP_FUNCTIONS]: 'InternalFailure',
  [AwsService.EVENTBRIDGE]: 'InternalException',
  unknown: 'InternalFailure',
};

const SIGV4_SCOPE = /Credential=([^/,\s]+)\/\d{8}\/([^/,\s]+)\/([^/,\s]+)\/aws4_request/;

/**
 * Starts one loopback HTTP server speaking the AWS wire protocols the workflow uses: EC2's Query
 * protocol (VPC endpoints), and the JSON protocols of Secrets Manager, Step Functions and
 * EventBridge. The real SDK v3 clients talk to it unmodified, with dummy credentials.
 *
 * Requests are routed the way AWS's front ends tell them apart: an `X-Amz-Target` header names a
 * JSON service and operation; otherwise a form body (or query string) with `Action=` is EC2. The
 * SigV4 credential scope supplies the region; signatures are not checked, but a request without an
 * `Authorization` header is refused as AWS refuses it.
 *
 * @example
 * ```ts
 * const aws = await startAwsEmulator({ secrets: { 'atlas/api-key': '{"publicKey":"…","privateKey":"…"}' } });
 * const ec2 = new EC2Client({ endpoint: aws.url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
 * await ec2.send(new DescribeVpcEndpointsCommand({}));
 * await aws.close();
 * ```
 */
export async function startAwsEmulator(options: AwsEmulatorOptions = {}): Promise<AwsEmulator> {
  const region = options.region ?? Defaults.region;
  const accountId = options.accountId ?? Defaults.accountId;
  const clock = options.clock ?? systemClock;
  const maxBodyBytes = options.maxBodyBytes ?? Defaults.maxBodyBytes;
  if (!(Number.isInteger(maxBodyBytes) && maxBodyBytes > 0)) {
    throw new EmulatorOptionsError(`maxBodyBytes must be a positive integer, got ${options.maxBodyBytes}`);
  }
  if (!/^\d{12}$/.test(accountId))
    throw new EmulatorOptionsError(`accountId must be 12 digits, got ${JSON.stringify(accountId)}`);

  const initialFaults = collectFaults(options);
  const backends = [
    ...(options.stepFunctions ? [{ where: 'stepFunctions', backend: options.stepFunctions }] : []),
    ...(options.moreStateMachines ?? []).map((backend, i) => ({ where: `moreStateMachines[${i}]`, backend })),
  ];
  validateStepFunctionsBackends(backends);
  validateRules(options.rules ?? [], options.stepFunctions?.stateMachineArn);
  for (const [bus, statements] of Object.entries(options.eventBusPolicies ?? {})) {
    validateBusPolicy(`eventBusPolicies.${bus}`, statements);
  }

  const faults = new FaultPlan(initialFaults);
  const ec2 = new Ec2Service({ region, accountId, clock, atlas: options.atlas, options: options.ec2 ?? {} });
  const secrets = new SecretsManagerService({ region, accountId, clock, secrets: options.secrets ?? {} });
  const stepFunctions = new StepFunctionsService({
    clock,
    backends: backends.map(({ backend }) => backend),
  });
  const eventBridge = new EventBridgeService({
    region,
    accountId,
    clock,
    rules: options.rules ?? [],
    ...(options.eventBuses ? { eventBuses: options.eventBuses } : {}),
    stepFunctions,
    stateMachineArn: options.stepFunctions?.stateMachineArn,
    ...(options.onEvent ? { onEvent: options.onEvent } : {}),
    ...(options.eventBusPolicies ? { eventBusPolicies: options.eventBusPolicies } : {}),
  });
  let requests: AwsRequestRecord[] = [];

  const dispatch = (route: Route, signingRegion: string, accessKeyId: string | undefined): unknown => {
    if (route.protocol === 'ec2') return ec2.handle(route.action, route.params, { region: signingRegion });
    const input = route.input ?? {};
    switch (route.service) {
      case AwsService.SECRETS_MANAGER:
        return secrets.handle(route.action, input);
      case AwsService.STEP_FUNCTIONS:
        return stepFunctions.handle(route.action, input);
      case AwsService.EVENTBRIDGE:
        return eventBridge.handle(route.action, input, {
          principalArn: accessKeyId === undefined ? undefined : options.principals?.[accessKeyId],
        });
    }
  };

  const handle = async (
    req: IncomingMessage,
    res: ServerResponse,
    log: (entry: Omit<AwsRequestRecord, 'at'>) => void,
  ) => {
    const requestId = uuid();
    const target = header(req, 'x-amz-target');
    const scope = SIGV4_SCOPE.exec(header(req, 'authorization') ?? '');
    const accessKeyId = scope?.[1];
    const signingRegion = scope?.[2] ?? region;
    const jsonService = jsonServiceOf(target, scope?.[3], header(req, 'content-type'));

    const body = await readBody(req, maxBodyBytes);
    if (body === undefined) {
      const reply = errorReply(
        jsonService ? 'json' : 'ec2',
        new AwsApiError('RequestEntityTooLarge', `Request body larger than ${maxBodyBytes} bytes`, 413),
        requestId,
      );
      res.setHeader('connection', 'close');
      send(res, reply, jsonService, requestId);
      log({
        service: jsonService ?? 'unknown',
        action: '',
        status: reply.status,
        errorCode: reply.errorCode,
      });
      return;
    }

    let route: Route;
    try {
      route = parseRoute(req, body, target, jsonService);
    } catch (error) {
      const reply = errorReply(jsonService ? 'json' : 'ec2', asApiError(error), requestId);
      send(res, reply, jsonService, requestId);
      log({
        service: jsonService ?? AwsService.EC2,
        action: '',
        status: reply.status,
        errorCode: reply.errorCode,
      });
      return;
    }
    const service = route.service;
    const contentTypeService = route.protocol === 'json' ? jsonService : undefined;
    const answer = (reply: Reply, fault?: AwsRequestRecord['fault']) => {
      send(res, reply, contentTypeService, requestId);
      log({
        service,
        action: route.action,
        status: reply.status,
        ...(reply.errorCode !== undefined ? { errorCode: reply.errorCode } : {}),
        ...(fault ? { fault } : {}),
      });
    };

    // AWS checks that a request is signed at all before it looks at the operation's input; the
    // signature itself is not verified here (the SDK signs with the dummy credentials).
    const presigned = new URL(req.url ?? '/', 'http://localhost').searchParams.has('X-Amz-Signature');
    if (!header(req, 'authorization') && !presigned) {
      const missingAuth =
        route.protocol === 'ec2'
          ? new AwsApiError(
              'MissingAuthenticationToken',
              'The request must contain either a valid (registered) AWS access key ID or X.509 certificate.',
              401,
            )
          : new AwsApiError('MissingAuthenticationTokenException', 'Missing Authentication Token', 400);
      answer(errorReply(route.protocol, missingAuth, requestId));
      return;
    }

    const fault = faults.take(service, route.action);
    if (fault?.delayMs) await sleep(fault.delayMs);
    if (fault?.reset) {
      log({ service, action: route.action, status: 0, errorCode: 'ConnectionReset', fault: 'reset' });
      req.socket.destroy();
      return;
    }
    if (fault?.body === 'malformed') {
      const truncated =
        route.protocol === 'ec2' ? truncatedEc2ResponseXml(route.action, requestId) : '{"truncated": tr';
      answer({ status: fault.status ?? 200, body: truncated }, 'malformed');
      return;
    }
    if (fault?.code !== undefined) {
      const injected = new AwsApiError(
        fault.code,
        fault.message ?? `Injected fault: ${fault.code}`,
        fault.status ?? 400,
      );
      answer(errorReply(route.protocol, injected, requestId), 'error');
      return;
    }

    try {
      const result = dispatch(route, signingRegion, accessKeyId);
      const reply: Reply =
        route.protocol === 'ec2'
          ? { status: 200, body: ec2ResponseXml(route.action, requestId, result as string) }
          : { status: 200, body: JSON.stringify(result) };
      answer(reply, fault ? 'delay' : undefined);
    } catch (error) {
      if (!(error instanceof AwsApiError)) throw error;
      answer(errorReply(route.protocol, error, requestId), fault ? 'delay' : undefined);
    }
  };

  const server = createServer((req, res) => {
    const at = clock();
    let logged = false;
    const log = (entry: Omit<AwsRequestRecord, 'at'>) => {
      logged = true;
      requests.push({ ...entry, at });
    };
    handle(req, res, log).catch((error: unknown) => {
      // An emulator bug answers 500 like an AWS internal error instead of taking the server down.
      const jsonService = jsonServiceOf(header(req, 'x-amz-target'), undefined, header(req, 'content-type'));
      const code = jsonService ? INTERNAL_ERROR_CODE[jsonService] : 'InternalError';
      const message = `Emulator internal error: ${error instanceof Error ? error.message : String(error)}`;
      if (!logged) log({ service: jsonService ?? 'unknown', action: '', status: 500, errorCode: code });
      if (res.headersSent || res.destroyed) {
        res.destroy();
        return;
      }
      const requestId = uuid();
      send(
        res,
        errorReply(jsonService ? 'json' : 'ec2', new AwsApiError(code, message, 500), requestId),
        jsonService,
        requestId,
      );
    });
  });
  const { url } = await listen(server, options);
  let closing: Promise<void> | undefined;

  return {
    url,
    region,
    accountId,
    get requests() {
      return [...requests];
    },
    get events() {
      return eventBridge.events();
    },
    get executions() {
      return stepFunctions.executions();
    },
    get vpcEndpoints() {
      return ec2.snapshot();
    },
    requestCount: (filter = {}) =>
      requests.filter(
        (r) =>
          (filter.service === undefined || r.service === filter.service) &&
          (filter.action === undefined || r.action === filter.action),
      ).length,
    setSecret: (name, value) => secrets.set(name, value),
    secretArn: (name) => secrets.arnOf(name),
    clearFaults: () => faults.replace([]),
    eventDeliveriesSettled: () => eventBridge.settled(),
    faultHits: () => faults.hits,
    addFault: (fault) => {
      validateFault(fault, 'addFault');
      faults.add(fault);
    },
    setVpcEndpointState: (id, state) => ec2.setState(id, state),
    waitForExecution: (arn, waitOptions = {}) =>
      stepFunctions.waitFor(arn, waitOptions.timeoutMs ?? Defaults.waitForExecutionTimeoutMs),
    reset: () => {
      requests = [];
      faults.replace(initialFaults);
      ec2.reset();
      secrets.reset();
      stepFunctions.reset();
      eventBridge.reset();
    },
    close: () => {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/** All faults from the options, each with its service filled in where the list implies it. */
function collectFaults(options: AwsEmulatorOptions): AwsFault[] {
  const lists: [string, readonly AwsFault[] | undefined, AwsService | undefined][] = [
    ['ec2.faults', options.ec2?.faults, AwsService.EC2],
    ['secretsFaults', options.secretsFaults, AwsService.SECRETS_MANAGER],
    ['faults', options.faults, undefined],
  ];
  const all: AwsFault[] = [];
  for (const [where, faults, service] of lists) {
    for (const [i, fault] of (faults ?? []).entries()) {
      validateFault(fault, `${where}[${i}]`);
      all.push(service ? { ...fault, service } : fault);
    }
  }
  return all;
}

/**
 * The JSON service a request is for: by its `X-Amz-Target` prefix, or, with no target, by a JSON
 * content type or the SigV4 scope (then the request lacks its operation). `undefined` means EC2.
 */
function jsonServiceOf(
  target: string | undefined,
  scopeService: string | undefined,
  contentType: string | undefined,
): JsonService | 'unknown' | undefined {
  if (target !== undefined) {
    const prefix = target.slice(0, Math.max(0, target.lastIndexOf('.')));
    return JSON_TARGET_PREFIX[prefix as keyof typeof JSON_TARGET_PREFIX] ?? 'unknown';
  }
  const byScope = Object.values(JSON_TARGET_PREFIX).find((s) => s === scopeService);
  if (byScope) return byScope;
  if (contentType?.startsWith('application/x-amz-json')) return 'unknown';
  return undefined;
}

function parseRoute(
  req: IncomingMessage,
  body: string,
  target: string | undefined,
  jsonService: JsonService | 'unknown' | undefined,
): Route {
  if (jsonService === undefined) {
    const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
    const params = QueryParams.parse(body, query);
    const action = params.get('Action');
    if (!action) {
      throw new AwsApiError('MissingAction', 'The request must contain the parameter Action');
    }
    return { protocol: 'ec2', service: AwsService.EC2, action, params };
  }
  const action = target?.slice(target.lastIndexOf('.') + 1) ?? '';
  if (jsonService === 'unknown' || action === '') {
    throw new AwsApiError(
      'UnknownOperationException',
      `Unknown operation ${target ?? '(no X-Amz-Target header)'}`,
    );
  }
  let input: unknown = {};
  if (body.trim() !== '') {
    try {
      input = JSON.parse(body);
    } catch {
      throw new AwsApiError('SerializationException', 'The request body is not valid JSON.');
    }
  }
  if (!isJsonObject(input))
    throw new AwsApiError('SerializationException', 'The request body must be a JSON object.');
  return { protocol: 'json', service: jsonService, action, input };
}

function errorReply(protocol: 'ec2' | 'json', error: AwsApiError, requestId: string): Reply {
  // The JSON protocols name the error in `__type`; the SDK takes it (after any `#` namespace) as the
  // error's `name`. These three services are not `awsQueryCompatible` in SDK v3 (their clients'
  // protocolSettings say so), so AWS sends them no `x-amzn-query-error` header and neither do we.
  const body =
    protocol === 'ec2'
      ? ec2ErrorXml(error.code, error.message, requestId)
      : JSON.stringify({ __type: error.code, message: error.message });
  return { status: error.statusCode, body, errorCode: error.code };
}

function send(
  res: ServerResponse,
  reply: Reply,
  jsonService: JsonService | 'unknown' | undefined,
  requestId: string,
): void {
  if (res.destroyed) return;
  const contentType =
    jsonService === undefined
      ? 'text/xml;charset=UTF-8'
      : jsonService === 'unknown'
        ? 'application/x-amz-json-1.1'
        : JSON_CONTENT_TYPE[jsonService];
  res.writeHead(reply.status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(reply.body),
    'x-amzn-requestid': requestId,
  });
  res.end(reply.body);
}

/** An {@link AwsApiError} passes; anything else is a bug and goes on to become a 500. */
function asApiError(error: unknown): AwsApiError {
  if (error instanceof AwsApiError) return error;
  throw error;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The body as UTF-8, or `undefined` once it passes `limit` bytes (the rest is not read). */
function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.pause();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
