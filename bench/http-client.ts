/**
 * A lean keep-alive HTTP client for the load generator. node:http with a pooled Agent costs less CPU
 * per request than fetch, and the load generator shares its process (and the two cores) with the
 * ARM emulator, so a cheap client keeps the measurement about the server.
 */
import { Agent, request } from 'node:http';

export interface HttpAnswer {
  status: number;
  body: string;
}

export interface HttpClientOptions {
  /** Sockets kept per host, at most; one per concurrent client is enough. */
  maxSockets: number;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

export class HttpClient {
  private readonly agent: Agent;

  constructor(private readonly options: HttpClientOptions) {
    this.agent = new Agent({ keepAlive: true, maxSockets: options.maxSockets });
  }

  send(method: string, url: string, body?: unknown): Promise<HttpAnswer> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string | number> = { ...this.options.headers };
    if (payload !== undefined) Object.assign(headers, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
    return new Promise((resolve, reject) => {
      const outgoing = request(url, { method, agent: this.agent, headers, timeout: this.options.timeoutMs ?? 30_000 }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
      });
      outgoing.on('timeout', () => outgoing.destroy(new Error(`${method} ${url} timed out`)));
      outgoing.on('error', reject);
      outgoing.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
