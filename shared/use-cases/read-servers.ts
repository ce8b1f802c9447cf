/**
 * Reading servers back: one server's status (one point read from Table Storage, no ARM call) and
 * the paged listing. Neither writes anything.
 */
import type { Caller } from '../domain/caller';
import type { ServerListQuery, ServerPage, ServerRepository } from '../domain/ports';
import type { Server } from '../domain/server';
import { reachServer } from './server-access';

/** One server as `caller` may see it (see `reachServer`). */
export async function serverStatus(deps: { servers: Pick<ServerRepository, 'get'> }, caller: Caller, id: string): Promise<Server> {
  return (await reachServer(deps.servers, caller, id)).server;
}

export interface ListServersOptions {
  /** LIST_PAGE_SIZE_MAX: no page is longer, whatever the caller asks. */
  pageSizeMax: number;
}

/**
 * A page of servers filtered by user, project and state. Who may list is the route's access
 * (`admin-or-hub-for-one-user`, checked before the query is read): every server is an admin's
 * view; one user's servers are also the hub's (the shim's recovery finds them after a restart).
 */
export async function listServers(deps: { servers: Pick<ServerRepository, 'list'> }, options: ListServersOptions, query: ServerListQuery): Promise<ServerPage> {
  return deps.servers.list({ ...query, limit: Math.min(query.limit, options.pageSizeMax) });
}
