/**
 * `aws-local-stepfunctions` 3 calls `Promise.withResolvers`, which Node 22 added and Node 20 lacks.
 * This is the one place that provides it; import it before the offline runner loads that package.
 * It is never bundled into a Lambda (Lambdas run on the newest Node runtime, which has it).
 */
type WithResolvers = <T>() => {
  promise: Promise<T>;
  resolve: (value: T | PromiseLike<T>) => void;
  reject: (reason?: unknown) => void;
};

const promiseConstructor = Promise as unknown as { withResolvers?: WithResolvers };

if (typeof promiseConstructor.withResolvers !== 'function') {
  promiseConstructor.withResolvers = <T>() => {
    let resolve!: (value: T | PromiseLike<T>) => void;
    let reject!: (reason?: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}

export {};
