/** Calls an HTTP function handler directly, as the Functions worker would, and reads its response. */
import { HttpRequest, InvocationContext, type HttpHandler, type HttpResponseInit } from '@azure/functions';
import { contractProblems, type ObservedResponse } from './openapi-contract';
import { TEST_HUB_API_KEY } from './test-dependencies';

export interface Call {
  method: string;
  path: string;
  params?: Record<string, string>;
  query?: Record<string, string>;
  body?: unknown;
  /** Raw body text (or bytes), sent as is. */
  rawBody?: string | Uint8Array;
  /** Request headers; the hub's key (TEST_HUB_API_KEY) unless `credential` says otherwise. */
  headers?: Record<string, string>;
  /** Headers that prove who calls, replacing the default key; `{}` calls with no credential. */
  credential?: Record<string, string>;
}

export interface InvokedResponse extends ObservedResponse {
  /** What the function logged, one argument list per line. */
  logged: unknown[][];
}

export async function invoke(handler: HttpHandler, call: Call): Promise<InvokedResponse> {
  const url = new URL(`http://127.0.0.1:7071${call.path}`);
  for (const [name, value] of Object.entries(call.query ?? {})) url.searchParams.set(name, value);
  const text = call.rawBody ?? (call.body === undefined ? undefined : JSON.stringify(call.body));
  const request = new HttpRequest({
    method: call.method,
    url: url.toString(),
    headers: {
      ...(text === undefined ? {} : { 'content-type': 'application/json' }),
      ...(call.credential ?? { 'x-functions-key': TEST_HUB_API_KEY }),
      ...call.headers,
    },
    params: call.params ?? {},
    ...(text === undefined ? {} : { body: typeof text === 'string' ? { string: text } : { bytes: text } }),
  });
  const logged: unknown[][] = [];
  const context = new InvocationContext({ functionName: 'test', logHandler: (_level, ...args) => logged.push(args) });
  const response: HttpResponseInit = await handler(request, context);
  const headers = Object.fromEntries(Object.entries(response.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]));
  return { status: response.status ?? 200, headers, body: response.jsonBody ?? response.body ?? null, logged };
}

/** Invokes and asserts the response conforms to openapi.yaml. */
export async function invokeConforming(operationId: string, handler: HttpHandler, call: Call): Promise<InvokedResponse> {
  const response = await invoke(handler, call);
  const problems = contractProblems(operationId, response);
  if (problems.length > 0) {
    throw new Error(`${operationId} ${call.method} ${call.path} → ${response.status} breaks openapi.yaml: ${problems.join('; ')}\n${JSON.stringify(response.body)}`);
  }
  return response;
}
