/**
 * An incoming request as the RPC `http` typed data the Functions host sends the worker. The
 * programming model turns it into its HttpRequest; the body goes through as raw bytes.
 */
import type { IncomingMessage } from 'node:http';
import type { RpcHttpData } from '../core/core-types';

export function toRpcHttpRequest(request: IncomingMessage, url: URL, params: Record<string, string>, body: Buffer): RpcHttpData {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  // No `query`: the programming model then parses the URL itself and keeps repeated parameters.
  return {
    method: request.method ?? 'GET',
    url: url.href,
    headers,
    params,
    body: body.length > 0 ? { bytes: body } : undefined,
  };
}
