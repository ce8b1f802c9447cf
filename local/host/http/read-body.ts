/**
 * Reads a request body whole, streaming it against a byte limit and a deadline, so a large or slow
 * body costs neither memory nor a connection for long: a declared Content-Length over the limit is
 * refused before a byte is read, a body that grows past it is cut at the limit (413), and one not
 * complete by the deadline is cut too (408). Azure's front end caps bodies at 100 MB, or at the app
 * setting FUNCTIONS_REQUEST_BODY_SIZE_LIMIT.
 */
import type { IncomingMessage } from 'node:http';

export const DEFAULT_MAX_BODY_BYTES = 100 * 1024 * 1024;
/** A body not received within this long after its headers is cut with a 408. */
export const DEFAULT_BODY_TIMEOUT_MS = 30_000;

export class PayloadTooLargeError extends Error {
  constructor(limit: number) {
    super(`Request body exceeds ${limit} bytes`);
    this.name = 'PayloadTooLargeError';
  }
}

export class BodyTimeoutError extends Error {
  constructor(timeoutMs: number) {
    super(`Request body not received within ${timeoutMs} ms`);
    this.name = 'BodyTimeoutError';
  }
}

export interface ReadBodyLimits {
  maxBytes: number;
  timeoutMs: number;
}

export function readBody(request: IncomingMessage, limits: ReadBodyLimits): Promise<Buffer> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limits.maxBytes) return Promise.reject(new PayloadTooLargeError(limits.maxBytes));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (error?: Error) => {
      clearTimeout(timer);
      request.removeListener('data', onData);
      request.removeListener('end', onEnd);
      request.removeListener('error', onError);
      if (!error) {
        resolve(Buffer.concat(chunks));
        return;
      }
      // Read no more of it: the caller answers with Connection: close, which ends the connection.
      request.pause();
      chunks.length = 0;
      reject(error);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limits.maxBytes) settle(new PayloadTooLargeError(limits.maxBytes));
      else chunks.push(chunk);
    };
    const onEnd = () => settle();
    const onError = (error: Error) => settle(error);
    const timer = setTimeout(() => settle(new BodyTimeoutError(limits.timeoutMs)), limits.timeoutMs);
    request.on('data', onData);
    request.once('end', onEnd);
    request.once('error', onError);
  });
}
