/** Writes an RPC `http` response (status, headers, cookies, body) to a Node response. */
import type { ServerResponse } from 'node:http';
import type { RpcHttpCookie, RpcHttpData, RpcTypedData } from '../core/core-types';

export function writeRpcHttpResponse(response: ServerResponse, http: RpcHttpData | undefined): number {
  if (!http) return writePlain(response, 204);
  const status = Number(http.statusCode ?? 200) || 200;
  for (const [name, value] of Object.entries(http.headers ?? {})) {
    if (name.toLowerCase() === 'content-length' || name.toLowerCase() === 'transfer-encoding') continue;
    response.setHeader(name, value);
  }
  const cookies = (http.cookies ?? []).map(toSetCookie);
  if (cookies.length > 0) response.setHeader('set-cookie', cookies);
  const body = bodyBytes(http.body);
  const noBody = status === 204 || status === 304 || response.req?.method === 'HEAD';
  response.statusCode = status;
  response.setHeader('content-length', noBody ? 0 : body.length);
  response.end(noBody ? undefined : body);
  return status;
}

/** A status with an empty body, as the host answers 401/404/500 on its own. */
export function writePlain(response: ServerResponse, status: number, headers: Record<string, string> = {}): number {
  response.statusCode = status;
  for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
  response.setHeader('content-length', 0);
  response.end();
  return status;
}

function bodyBytes(data: RpcTypedData | null | undefined): Buffer {
  if (!data) return Buffer.alloc(0);
  if (data.bytes) return Buffer.from(data.bytes);
  if (data.stream) return Buffer.from(data.stream);
  if (typeof data.string === 'string') return Buffer.from(data.string, 'utf8');
  if (typeof data.json === 'string') return Buffer.from(data.json, 'utf8');
  if (typeof data.int === 'number') return Buffer.from(String(data.int));
  if (typeof data.double === 'number') return Buffer.from(String(data.double));
  return Buffer.alloc(0);
}

/** 'none' means "not set"; 'explicitNone' is SameSite=None. */
const SAME_SITE: Record<string, string | undefined> = { lax: 'Lax', strict: 'Strict', explicitNone: 'None' };

function toSetCookie(cookie: RpcHttpCookie): string {
  const parts = [`${cookie.name ?? ''}=${cookie.value ?? ''}`];
  if (cookie.domain?.value) parts.push(`Domain=${cookie.domain.value}`);
  if (cookie.path?.value) parts.push(`Path=${cookie.path.value}`);
  const expires = cookie.expires?.value;
  if (expires && typeof expires.seconds === 'number') {
    parts.push(`Expires=${new Date(expires.seconds * 1000 + Math.floor((expires.nanos ?? 0) / 1e6)).toUTCString()}`);
  }
  if (typeof cookie.maxAge?.value === 'number') parts.push(`Max-Age=${cookie.maxAge.value}`);
  if (cookie.secure?.value) parts.push('Secure');
  if (cookie.httpOnly?.value) parts.push('HttpOnly');
  const sameSite = SAME_SITE[cookie.sameSite ?? 'none'];
  if (sameSite) parts.push(`SameSite=${sameSite}`);
  return parts.join('; ');
}
