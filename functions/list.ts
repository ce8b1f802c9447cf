import { app } from '@azure/functions';
import { httpHandler, json } from '../shared/http/http-handler';
import { readQuery } from '../shared/http/read-request';
import { ListQuerySchema } from '../shared/http/request-schemas';
import { toServerView } from '../shared/http/server-view';

/**
 * Listing, paged; filters by user, project and state. Every server is an admin's view; one user's
 * servers are also the hub's (the shim's recovery finds a user's servers after a restart).
 */
export const list = httpHandler('admin-or-hub-for-one-user', async ({ request, deps }) => {
  const query = readQuery(request, ListQuerySchema);
  const page = await deps.servers.list({ ...query, limit: Math.min(query.limit, deps.settings.listPageSizeMax) });
  return json(200, { servers: page.servers.map(toServerView), continuationToken: page.continuationToken });
});

app.http('list', { route: 'servers', methods: ['GET', 'HEAD'], authLevel: 'anonymous', handler: list });
