/**
 * Invokes a handler module in-process the way Lambda and Step Functions do: the payload and the result
 * cross a JSON boundary, and an error reaches the state machine as `Error` = its `errorType` (the
 * error's `name`) and `Cause` = Lambda's JSON document `{ errorType, errorMessage, trace }`.
 */
type Handler = (event: unknown, context: unknown) => Promise<unknown>;

const modules = new Map<string, Promise<Handler>>();

function load(module: string): Promise<Handler> {
  let handler = modules.get(module);
  if (!handler) {
    // A path esbuild can follow: the package build bundles every module under lambdas/handlers/ with the
    // offline runner, so that the runner and the handlers share one copy of the runtime (its clock, its
    // clients). Vite would expand it only one folder deep (not `api/…`), so it leaves it to Node.
    handler = import(/* @vite-ignore */ `../../lambdas/handlers/${module}.ts`).then(
      (m: { handler?: Handler }) => {
        if (typeof m.handler !== 'function') throw new Error(`${module} exports no handler`);
        return m.handler;
      },
    );
    modules.set(module, handler);
  }
  return handler;
}

/** The error Step Functions sees from a failed Lambda task. */
export class LambdaTaskError extends Error {
  constructor(errorType: string, errorMessage: string) {
    // The trace is left empty: real Lambda sends a stack, which the workflow never shows anyway.
    super(JSON.stringify({ errorType, errorMessage, trace: [] }));
    this.name = errorType;
  }
}

let invocations = 0;

/** Runs `module`'s handler with `payload`. */
export async function invokeLambda(module: string, payload: unknown): Promise<unknown> {
  const handler = await load(module);
  const event = JSON.parse(JSON.stringify(payload ?? null));
  invocations += 1;
  const context = {
    functionName: module,
    awsRequestId: `offline-${invocations}`,
    getRemainingTimeInMillis: () => 60_000,
  };
  let result: unknown;
  try {
    result = await handler(event, context);
  } catch (error) {
    const name = error instanceof Error ? error.name : 'Error';
    const message = error instanceof Error ? error.message : String(error);
    throw new LambdaTaskError(name, message);
  }
  return result === undefined ? null : JSON.parse(JSON.stringify(result));
}
