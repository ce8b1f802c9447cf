/**
 * A transport-neutral request/response pair for handlers the host mounts beside the functions
 * (the durable management API). Bodies of responses are JSON values unless a string or Buffer.
 */
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';

export interface WebhookRequest {
  method: string;
  /** Path below the mount point, without leading slash or query, still URL-encoded. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Absolute URL of the mount point as the caller reached it, without trailing slash. */
  baseUrl: string;
}

export interface WebhookResponse {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export type WebhookHandler = (request: WebhookRequest) => Promise<WebhookResponse>;

export function writeWebhookResponse(response: ServerResponse, result: WebhookResponse): number {
  const headers = { ...result.headers };
  let body: Buffer;
  if (result.body === undefined) body = Buffer.alloc(0);
  else if (Buffer.isBuffer(result.body)) body = result.body;
  else if (typeof result.body === 'string') body = Buffer.from(result.body, 'utf8');
  else {
    body = Buffer.from(JSON.stringify(result.body), 'utf8');
    headers['content-type'] ??= 'application/json; charset=utf-8';
  }
  response.statusCode = result.status;
  for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
  response.setHeader('content-length', body.length);
  response.end(body);
  return result.status;
}
