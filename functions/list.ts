import { app } from '@azure/functions';
import { httpHandler, json } from '../shared/http/http-handler';
import { readQuery } from '../shared/http/read-request';
import { ListQuerySchema } from '../shared/http/request-schemas';
import { toServerView } from '../shared/http/server-view';
import { listServers } from '../shared/use-cases/read-servers';
import { productionRoot } from '../shared/composition-root';
import type { AppRoot } from '../shared/app-services';

export const list = (root: AppRoot) => httpHandler(root, 'admin-or-hub-for-one-user', async ({ request, deps }) => {
  const query = readQuery(request, ListQuerySchema);
  const page = await listServers(deps, { pageSizeMax: deps.settings.listPageSizeMax }, query);
  return json(200, { servers: page.servers.map(toServerView), continuationToken: page.continuationToken });
});

app.http('list', { route: 'servers', methods: ['GET', 'HEAD'], authLevel: 'anonymous', handler: list(productionRoot) });
