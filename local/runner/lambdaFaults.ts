/**
 * Faults of the Lambda service itself, as Step Functions reports them for a Lambda task, injected by the
 * offline runner: the handler's own code is fine, but the invocation fails.
 *
 * - `Lambda.TooManyRequestsException`: the invocation was throttled and never ran.
 * - `Lambda.ServiceException`: Lambda failed before running the function.
 * - `Sandbox.Timedout`: the function ran (its calls to AWS and Atlas happened) but did not return in time,
 *   so Step Functions never sees its result. This is the case that shows a retried step must be
 *   idempotent: EC2's ClientToken and Atlas's 409-as-success make the second run harmless.
 */

/** The Lambda-level errors the runner can inject. */
export const LambdaFaultError = {
  TooManyRequests: 'Lambda.TooManyRequestsException',
  SandboxTimedout: 'Sandbox.Timedout',
  ServiceException: 'Lambda.ServiceException',
} as const;
export type LambdaFaultError = (typeof LambdaFaultError)[keyof typeof LambdaFaultError];

/** One scripted Lambda fault: scenario files write `"lambda": { "faults": [ … ] }`. */
export interface LambdaFault {
  /** The handler's name, e.g. `checkEndpoint` (see `infra/handlers.ts`). */
  readonly function: string;
  readonly error: LambdaFaultError;
  /** How many invocations of that function it strikes; `-1` for every one. @default 1 */
  readonly times?: number;
}

/** What Step Functions puts in `Cause` for each, as it does for a real Lambda task. */
const CAUSES: Readonly<Record<LambdaFaultError, string>> = {
  'Lambda.TooManyRequestsException':
    'Rate Exceeded. (Service: AWSLambda; Status Code: 429; Error Code: TooManyRequestsException; Request ID: offline; Proxy: null)',
  'Lambda.ServiceException':
    'Internal error (Service: AWSLambda; Status Code: 500; Error Code: ServiceException; Request ID: offline; Proxy: null)',
  'Sandbox.Timedout': JSON.stringify({
    errorType: 'Sandbox.Timedout',
    errorMessage: 'RequestId: offline Error: Task timed out after 60.00 seconds',
  }),
};

/** The error a faulted invocation fails with: `name` is Step Functions' Error, `message` its Cause. */
export class LambdaInvocationError extends Error {
  constructor(error: LambdaFaultError) {
    super(CAUSES[error]);
    this.name = error;
  }
}

const ERRORS: ReadonlySet<string> = new Set(Object.values(LambdaFaultError));

/** Checks scripted faults, naming every problem (`where` is the field path, e.g. `lambda.faults`). */
export function lambdaFaultProblems(value: unknown, where: string, functions: readonly string[]): string[] {
  if (!Array.isArray(value)) return [`${where}: expected an array of { function, error, times }`];
  const problems: string[] = [];
  value.forEach((fault: unknown, i) => {
    const at = `${where}[${i}]`;
    if (typeof fault !== 'object' || fault === null || Array.isArray(fault)) {
      problems.push(`${at}: expected an object { function, error, times }`);
      return;
    }
    const f = fault as Record<string, unknown>;
    for (const key of Object.keys(f)) {
      if (!['function', 'error', 'times'].includes(key))
        problems.push(`${at}.${key}: unknown field; expected function, error, times`);
    }
    if (typeof f.function !== 'string' || !functions.includes(f.function))
      problems.push(`${at}.function: expected one of ${functions.join(', ')}`);
    if (typeof f.error !== 'string' || !ERRORS.has(f.error))
      problems.push(`${at}.error: expected one of ${[...ERRORS].join(', ')}`);
    if (f.times !== undefined && !(Number.isInteger(f.times) && (f.times as number) >= -1))
      problems.push(`${at}.times: expected an integer >= -1 (-1 = forever)`);
  });
  return problems;
}

/** The armed Lambda faults; the runner asks once per invocation. */
export class LambdaFaultPlan {
  #armed: { fault: LambdaFault; remaining: number }[] = [];
  #hits = 0;

  add(fault: LambdaFault): void {
    this.#armed.push({ fault, remaining: fault.times ?? 1 });
  }

  /** Disarms every fault and starts counting hits afresh. */
  clear(): void {
    this.#armed = [];
    this.#hits = 0;
  }

  /** Invocations a fault struck so far. */
  get hits(): number {
    return this.#hits;
  }

  /** The fault this invocation of `functionName` hits, if any, counting it down. */
  take(functionName: string): LambdaFaultError | undefined {
    const hit = this.#armed.find((a) => a.remaining !== 0 && a.fault.function === functionName);
    if (!hit) return undefined;
    if (hit.remaining > 0) hit.remaining -= 1;
    this.#hits += 1;
    return hit.fault.error;
  }
}
