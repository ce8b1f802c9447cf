/** Wraps an HTTP function body so every failure leaves as problem+json, never as a stack trace. */
import type { HttpHandler, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { dependencies, orchestrationControl } from '../composition-root';
import type { OrchestrationControl } from '../domain/ports';
import type { Dependencies } from '../use-cases/dependencies';
import { errorResponse } from './problem-response';

export interface HandlerScope {
  request: HttpRequest;
  context: InvocationContext;
  deps: Dependencies;
  control: () => OrchestrationControl;
}

/** For routes that need the application's dependencies. */
export function httpHandler(body: (scope: HandlerScope) => Promise<HttpResponseInit>): HttpHandler {
  return withProblemResponses(async (request, context) => {
    const deps = await dependencies();
    return body({ request, context, deps, control: () => orchestrationControl(context, deps) });
  });
}

export function withProblemResponses(handler: HttpHandler): HttpHandler {
  return async (request, context) => {
    try {
      return await handler(request, context);
    } catch (error) {
      return errorResponse(error, context);
    }
  };
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): HttpResponseInit {
  return { status, headers: { 'content-type': 'application/json', ...headers }, jsonBody: body };
}
