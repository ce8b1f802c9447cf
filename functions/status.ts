import { app } from '@azure/functions';
import { httpHandler, json } from '../shared/http/http-handler';
import { readParams } from '../shared/http/read-request';
import { ServerPathSchema } from '../shared/http/request-schemas';
import { toServerView } from '../shared/http/server-view';
import { serverStatus } from '../shared/use-cases/read-servers';
import { productionRoot } from '../shared/composition-root';
import type { AppRoot } from '../shared/app-services';

export const status = (root: AppRoot) => httpHandler(root, 'hub-or-owner', async ({ request, deps, caller }) => {
  const { id } = readParams(request, ServerPathSchema);
  return json(200, toServerView(await serverStatus(deps, caller, id)));
});

app.http('status', { route: 'servers/{id}', methods: ['GET', 'HEAD'], authLevel: 'anonymous', handler: status(productionRoot) });
