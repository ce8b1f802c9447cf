/**
 * The one wrapper of every HTTP function: authenticates and authorises the caller before any input
 * is read or any use case runs, and turns every failure into problem+json, never a stack trace.
 */
import type { HttpHandler, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import type { AppRoot } from '../app-services';
import { rolesAllow, type Access, type Caller } from '../domain/caller';
import { AppError } from '../domain/errors';
import type { OrchestrationControl } from '../domain/ports';
import type { Dependencies } from '../use-cases/dependencies';
import { reachServer } from '../use-cases/server-access';
import { errorResponse } from './problem-response';
import { readParams } from './read-request';
import { ServerPathSchema } from './request-schemas';

export interface HandlerScope {
  request: HttpRequest;
  context: InvocationContext;
  deps: Dependencies;
  caller: Caller;
  control: () => OrchestrationControl;
}

/**
 * For every route but health and the catch-all 404: `access` says who may call it; `root` gives
 * the app's services (built once at start-up; a test passes its own).
 */
export function httpHandler(root: AppRoot, access: Access, body: (scope: HandlerScope) => Promise<HttpResponseInit>): HttpHandler {
  return withProblemResponses(async (request, context) => {
    const { deps, authenticator, control } = await root();
    const caller = await authenticator.authenticate(request.headers);
    await authorize(caller, access, request, deps);
    return body({ request, context, deps, caller, control: () => control(context) });
  });
}

/** Roles first; a person's own token reaches only the servers spawned with their object id. */
async function authorize(caller: Caller, access: Access, request: HttpRequest, deps: Dependencies): Promise<void> {
  // A blank `user` is no filter (the listing's schema refuses it anyway, after this check).
  if (rolesAllow(caller, access, { forOneUser: (request.query.get('user') ?? '') !== '' })) return;
  // A person is a token with no app role (the hub's own token carries its principal's oid too).
  if (access === 'admin-or-person' && caller.roles.length === 0 && caller.objectId !== null) return;
  if (access === 'hub-or-owner' && caller.objectId !== null) {
    const { id } = readParams(request, ServerPathSchema);
    await reachServer(deps.servers, caller, id);
    return;
  }
  throw new AppError('forbidden', forbiddenDetail(access));
}

function forbiddenDetail(access: Access): string {
  switch (access) {
    case 'admin':
      return 'This route needs the Admin role.';
    case 'admin-or-person':
      return "This route needs the Admin role, or a person's own token (which sees that person's usage).";
    case 'admin-or-hub-for-one-user':
      return 'Listing every server needs the Admin role; the Hub role may list one user\'s servers (?user=<name>).';
    default:
      return 'This route needs the Hub or Admin role.';
  }
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
