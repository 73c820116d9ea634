/**
 * A request body the Digest interceptor can send a second time, after a 401, or one it can send only once.
 */
export type PreparedBody =
  | { readonly replayable: true; readonly body: unknown }
  | { readonly replayable: false; readonly body: AsyncIterable<Buffer> };

/**
 * Whether a body is a one-shot source (a Node `Readable`, a web `ReadableStream`, a generator or any other
 * iterable) that is consumed by sending it. Strings, buffers, typed arrays, `Blob`s and `FormData` are values
 * undici can send again as they are.
 */
export function isOneShotBody(body: unknown): body is AsyncIterable<unknown> | Iterable<unknown> {
  return (
    typeof body === 'object' &&
    body !== null &&
    !ArrayBuffer.isView(body) &&
    !isFormDataLike(body) &&
    (Symbol.asyncIterator in body || Symbol.iterator in body)
  );
}

/**
 * Reads a one-shot body into memory so it can be sent twice. Past `limit` bytes buffering stops, and the
 * result is an iterable that yields what was read and then the rest of the source: sent once, never replayed.
 *
 * @example
 * const prepared = await prepareOneShotBody(Readable.from(['{"a":', '1}']), 1024);
 * // => { replayable: true, body: <Buffer 7b 22 61 22 3a 31 7d> }
 */
export async function prepareOneShotBody(
  source: AsyncIterable<unknown> | Iterable<unknown>,
  limit: number,
): Promise<PreparedBody> {
  const iterator =
    Symbol.asyncIterator in source
      ? source[Symbol.asyncIterator]()
      : toAsyncIterator((source as Iterable<unknown>)[Symbol.iterator]());
  const chunks: Buffer[] = [];
  let size = 0;
  for (;;) {
    const next = await iterator.next();
    if (next.done) {
      return { replayable: true, body: Buffer.concat(chunks, size) };
    }
    const chunk = toBuffer(next.value);
    chunks.push(chunk);
    size += chunk.byteLength;
    if (size > limit) {
      return { replayable: false, body: readOn(chunks, iterator) };
    }
  }
}

async function* readOn(head: readonly Buffer[], rest: AsyncIterator<unknown>): AsyncIterable<Buffer> {
  yield* head;
  for (;;) {
    const next = await rest.next();
    if (next.done) {
      return;
    }
    yield toBuffer(next.value);
  }
}

function toAsyncIterator(iterator: Iterator<unknown>): AsyncIterator<unknown> {
  return { next: async () => iterator.next() };
}

function toBuffer(chunk: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) {
    return chunk;
  }
  if (typeof chunk === 'string') {
    return Buffer.from(chunk, 'utf8');
  }
  if (ArrayBuffer.isView(chunk)) {
    return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  }
  if (chunk instanceof ArrayBuffer) {
    return Buffer.from(chunk);
  }
  throw new TypeError(`request body chunks must be strings or bytes, got ${typeof chunk}`);
}

// undici's FormData and the global one are different classes, so recognise it by its tag, as undici does.
function isFormDataLike(body: object): boolean {
  return (body as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag] === 'FormData';
}
