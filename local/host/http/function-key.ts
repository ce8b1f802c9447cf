/**
 * The local function key: `authLevel: function` and `admin` routes (and the durable management
 * webhooks) need it in the `x-functions-key` header or the `code` query parameter, as on Azure.
 * Locally one key stands for both function and master keys.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export const DEFAULT_FUNCTION_KEY = 'local-key';

export function presentsFunctionKey(headers: IncomingHttpHeaders, query: URLSearchParams, key: string): boolean {
  const header = headers['x-functions-key'];
  const candidates = [...(Array.isArray(header) ? header : header ? [header] : []), ...query.getAll('code')];
  return candidates.some((candidate) => sameSecret(candidate, key));
}

function sameSecret(candidate: string, key: string): boolean {
  const a = Buffer.from(candidate);
  const b = Buffer.from(key);
  return a.length === b.length && timingSafeEqual(a, b);
}
