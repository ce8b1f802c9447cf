/**
 * The host's HTTP front end. The request pipeline, in order:
 *   1. durable management webhooks under /runtime/webhooks/durabletask/ (function key required)
 *   2. /admin/host/status (function key required)
 *   3. strip the route prefix ("api"), else 404
 *   4. match the route table (ASP.NET precedence, method-aware), else 404
 *   5. enforce the function's authLevel, else 401 with an empty body
 *   6. read the raw body, streamed against the size limit (413) and a deadline (408)
 *   7. invoke the function through the programming model and write its response (500 if it threw);
 *      a function still running at the response deadline gets a 502, as Azure's front end answers
 *      after 230 s, while the function itself runs on
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FunctionInvoker } from '../core/function-invoker';
import type { RpcHttpData, RpcInvocationResponse } from '../core/core-types';
import type { RegisteredFunction } from '../core/function-registry';
import type { Logger } from '../logger';
import { presentsFunctionKey } from './function-key';
import { BodyTimeoutError, PayloadTooLargeError, readBody, type ReadBodyLimits } from './read-body';
import type { RouteTable } from './route-table';
import { toRpcHttpRequest } from './to-rpc-http-request';
import type { WebhookHandler } from './webhook';
import { writeWebhookResponse } from './webhook';
import { writePlain, writeRpcHttpResponse } from './write-http-response';

export const DURABLE_WEBHOOK_PATH = '/runtime/webhooks/durabletask';

export interface HttpHostServerOptions {
  routes: RouteTable;
  routePrefix: string;
  invoker: FunctionInvoker;
  functionKey: string;
  maxBodyBytes: number;
  /** A body not complete this long after the headers is cut with a 408. */
  bodyTimeoutMs: number;
  /** A function that has not answered this long after its request arrived gets a 502. */
  responseTimeoutMs: number;
  logger: Logger;
  durableWebhooks?: WebhookHandler;
  /** Shown by /admin/host/status. */
  hostVersion: string;
}

export class HttpHostServer {
  readonly #server: Server;
  #inFlight = 0;

  constructor(private readonly options: HttpHostServerOptions) {
    this.#server = createServer((request, response) => {
      this.#inFlight++;
      this.handle(request, response).finally(() => this.#inFlight--);
    });
    // Long orchestration polls and slow functions must not be cut by Node's defaults.
    this.#server.requestTimeout = 0;
    this.#server.headersTimeout = 60_000;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  listen(port: number, host: string): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, host, () => {
        this.#server.removeListener('error', reject);
        resolve(this.#server.address() as AddressInfo);
      });
    });
  }

  /** Stops accepting connections and waits for in-flight requests (bounded by the caller). */
  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeIdleConnections();
    });
  }

  closeAllConnections(): void {
    this.#server.closeAllConnections();
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const started = performance.now();
    const url = new URL(request.url ?? '/', `http://${request.headers.host ?? '127.0.0.1'}`);
    const method = (request.method ?? 'GET').toUpperCase();
    let fn: RegisteredFunction | undefined;
    let status = 500;
    try {
      status = await this.dispatch(request, response, url, method, (matched) => (fn = matched));
    } catch (error) {
      this.options.logger.error('http.failed', `Unhandled error serving ${method} ${url.pathname}: ${describe(error)}`);
      if (!response.headersSent) status = writePlain(response, 500);
      else response.destroy();
    } finally {
      const durationMs = Math.round(performance.now() - started);
      const level = url.pathname.startsWith(DURABLE_WEBHOOK_PATH) ? 'debug' : 'info';
      this.options.logger[level]('http.request', `${method} ${url.pathname} ${status}`, {
        function: fn?.name,
        status,
        durationMs,
      });
    }
  }

  private async dispatch(
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
    method: string,
    onMatched: (fn: RegisteredFunction) => void,
  ): Promise<number> {
    const { options } = this;
    const path = url.pathname;

    if (path === DURABLE_WEBHOOK_PATH || path.startsWith(`${DURABLE_WEBHOOK_PATH}/`)) {
      if (!options.durableWebhooks) return writePlain(response, 404);
      if (!presentsFunctionKey(request.headers, url.searchParams, options.functionKey)) return writePlain(response, 401);
      const body = await this.readBodyOrRefuse(request, response, method, path);
      if (typeof body === 'number') return body;
      const result = await options.durableWebhooks({
        method,
        path: path.slice(DURABLE_WEBHOOK_PATH.length).replace(/^\/+/, ''),
        query: url.searchParams,
        headers: request.headers,
        body,
        baseUrl: `${url.origin}${DURABLE_WEBHOOK_PATH}`,
      });
      return writeWebhookResponse(response, result);
    }

    if (path === '/admin/host/status') {
      if (!presentsFunctionKey(request.headers, url.searchParams, options.functionKey)) return writePlain(response, 401);
      return writeWebhookResponse(response, { status: 200, body: { state: 'Running', version: options.hostVersion } });
    }

    const relative = stripPrefix(path, options.routePrefix);
    if (relative === undefined) return writePlain(response, 404);
    const match = options.routes.match(method, relative);
    if (!match) return writePlain(response, 404);
    onMatched(match.route.fn);

    if (match.route.authLevel !== 'anonymous' && !presentsFunctionKey(request.headers, url.searchParams, options.functionKey)) {
      return writePlain(response, 401);
    }

    const body = await this.readBodyOrRefuse(request, response, method, path);
    if (typeof body === 'number') return body;

    const rpcRequest = toRpcHttpRequest(request, url, match.params, body);
    const invocation = options.invoker.invoke(match.route.fn, {
      triggerData: { http: rpcRequest },
      reason: `This function was programmatically called via the host APIs.`,
    });
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), options.responseTimeoutMs)));
    let outcome: { response: RpcInvocationResponse } | 'timeout';
    try {
      outcome = await Promise.race([invocation, deadline]);
    } catch {
      // The invoker has logged the failure; Azure answers an unhandled exception with an empty 500.
      return writePlain(response, 500);
    } finally {
      clearTimeout(timer);
    }
    if (outcome === 'timeout') {
      invocation.catch(() => undefined); // it runs on and is logged by the invoker
      this.options.logger.warn('http.timeout', `${method} ${path}: '${match.route.fn.name}' did not answer within ${options.responseTimeoutMs} ms; answered 502`, {
        function: match.route.fn.name,
      });
      return writePlain(response, 502);
    }
    return writeRpcHttpResponse(response, httpOutput(match.route.fn, outcome.response));
  }

  /** The body, or the status written when it is too large (413) or too slow (408); the connection then closes. */
  private async readBodyOrRefuse(request: IncomingMessage, response: ServerResponse, method: string, path: string): Promise<Buffer | number> {
    const limits: ReadBodyLimits = { maxBytes: this.options.maxBodyBytes, timeoutMs: this.options.bodyTimeoutMs };
    try {
      return await readBody(request, limits);
    } catch (error) {
      const refused = bodyRefusal(error);
      if (refused === undefined) throw error;
      this.options.logger.warn('http.body-refused', `${method} ${path}: ${describe(error)}`, { status: refused });
      const status = writePlain(response, refused);
      lingerAndClose(request, response);
      return status;
    }
  }
}

/**
 * How long a refused body is still read and dropped before the connection closes. Bounded by time
 * only: a byte bound closed the socket before a busy client had read the answer (a reset instead
 * of the 413), and dropped bytes cost no memory.
 */
const LINGER_MS = 2_000;

/**
 * A lingering close, as nginx does after an early answer: read and drop what the client still sends
 * for a moment, so that it reads the answer rather than a connection reset, then close the
 * connection. Nothing is kept, so a large body costs no memory.
 */
function lingerAndClose(request: IncomingMessage, response: ServerResponse): void {
  const close = () => {
    clearTimeout(timer);
    request.socket.destroy();
  };
  const timer = setTimeout(close, LINGER_MS);
  request.on('data', () => undefined);
  request.once('end', () => (response.writableFinished ? close() : response.once('finish', close)));
  request.resume();
}

/** The status for a body the host refuses to read further, or undefined for any other error. */
function bodyRefusal(error: unknown): 408 | 413 | undefined {
  if (error instanceof PayloadTooLargeError) return 413;
  if (error instanceof BodyTimeoutError) return 408;
  return undefined;
}

/** `/api/servers/x` → `servers/x`; undefined when the path is outside the prefix. */
function stripPrefix(path: string, prefix: string): string | undefined {
  if (prefix === '') return path.replace(/^\/+/, '');
  const head = `/${prefix}`;
  if (path.toLowerCase() === head.toLowerCase()) return '';
  if (!path.toLowerCase().startsWith(`${head.toLowerCase()}/`)) return undefined;
  return path.slice(head.length + 1);
}

/** The HTTP output: the `$return` binding, or a named output binding of type http. */
function httpOutput(fn: RegisteredFunction, response: RpcInvocationResponse): RpcHttpData | undefined {
  if (response.returnValue?.http) return response.returnValue.http;
  for (const output of response.outputData ?? []) {
    const binding = output.name ? fn.metadata.bindings[output.name] : undefined;
    if (binding?.type?.toLowerCase() === 'http' && output.data?.http) return output.data.http;
  }
  return undefined;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
