import { app } from '@azure/functions';
import * as df from 'durable-functions';
import { httpHandler, json } from '../shared/http/http-handler';
import { readParams } from '../shared/http/read-request';
import { ServerPathSchema } from '../shared/http/request-schemas';
import { toServerView } from '../shared/http/server-view';
import { deleteServer } from '../shared/use-cases/delete-server';
import { appLog } from '../shared/logging/log-events';
import { productionRoot } from '../shared/composition-root';
import type { AppRoot } from '../shared/app-services';

/** JupyterHub's delete_forever: the Hub role may delete, as Admin may. */
export const remove = (root: AppRoot) => httpHandler(root, 'hub', async ({ request, context, deps, control }) => {
  const { id } = readParams(request, ServerPathSchema);
  const { server, accepted } = await deleteServer(deps, control(), id);
  appLog(context).info('server.delete', { serverId: id, state: server.state });
  return json(accepted ? 202 : 200, toServerView(server));
});

app.http('delete', {
  route: 'servers/{id}',
  methods: ['DELETE'],
  authLevel: 'anonymous',
  extraInputs: [df.input.durableClient()],
  handler: remove(productionRoot),
});
