/**
 * The host's HTTP front end. The request pipeline, in order:
 *   1. durable management webhooks under /runtime/webhooks/durabletask/ (function key required)
 *   2. /admin/host/status (function key required)
 *   3. strip the route prefix ("api"), else 404
 *   4. match the route table (ASP.NET precedence, method-aware), else 404
 *   5. enforce the function's authLevel, else 401 with an empty body
 *   6. read the raw body (capped), else 413
 *   7. invoke the function through the programming model and write its response (500 if it threw)
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FunctionInvoker } from '../core/function-invoker';
import type { RpcHttpData, RpcInvocationResponse } from '../core/core-types';
import type { RegisteredFunction } from '../core/function-registry';
import type { Logger } from '../logger';
import { presentsFunctionKey } from './function-key';
import { PayloadTooLargeError, readBody } from './read-body';
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
      const body = await readBody(request, options.maxBodyBytes);
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

    let body: Buffer;
    try {
      body = await readBody(request, options.maxBodyBytes);
    } catch (error) {
      if (error instanceof PayloadTooLargeError) return writePlain(response, 413, { connection: 'close' });
      throw error;
    }

    const rpcRequest = toRpcHttpRequest(request, url, match.params, body);
    let invocation: { response: RpcInvocationResponse };
    try {
      invocation = await options.invoker.invoke(match.route.fn, {
        triggerData: { http: rpcRequest },
        reason: `This function was programmatically called via the host APIs.`,
      });
    } catch {
      // The invoker has logged the failure; Azure answers an unhandled exception with an empty 500.
      return writePlain(response, 500);
    }
    return writeRpcHttpResponse(response, httpOutput(match.route.fn, invocation.response));
  }
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
