/**
 * A small loopback-only HTTP server for one webhook handler, used for the durable client's RPC
 * endpoint (`rpcBaseUrl`). Like the Durable extension's local RPC listener it takes no key: it
 * listens on 127.0.0.1 only and is for the host's own functions.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../logger';
import { DEFAULT_BODY_TIMEOUT_MS, readBody } from './read-body';
import { writeWebhookResponse, type WebhookHandler } from './webhook';
import { writePlain } from './write-http-response';

export class WebhookServer {
  readonly #server: Server;

  constructor(mountPath: string, handler: WebhookHandler, maxBodyBytes: number, logger: Logger) {
    const mount = mountPath.replace(/\/+$/, '');
    this.#server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', `http://${request.headers.host ?? '127.0.0.1'}`);
      if (url.pathname !== mount && !url.pathname.startsWith(`${mount}/`)) {
        writePlain(response, 404);
        return;
      }
      readBody(request, { maxBytes: maxBodyBytes, timeoutMs: DEFAULT_BODY_TIMEOUT_MS })
        .then((body) =>
          handler({
            method: request.method ?? 'GET',
            path: url.pathname.slice(mount.length).replace(/^\/+/, ''),
            query: url.searchParams,
            headers: request.headers,
            body,
            baseUrl: `${url.origin}${mount}`,
          }),
        )
        .then((result) => writeWebhookResponse(response, result))
        .catch((error: unknown) => {
          logger.error('http.failed', `Durable RPC ${request.method} ${url.pathname} failed: ${error instanceof Error ? error.message : String(error)}`);
          if (!response.headersSent) writePlain(response, 500);
        });
    });
  }

  listen(): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(0, '127.0.0.1', () => resolve(this.#server.address() as AddressInfo));
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }
}
