import { app } from '@azure/functions';
import * as df from 'durable-functions';
import { httpHandler, json } from '../shared/http/http-handler';
import { readBody, readParams } from '../shared/http/read-request';
import { ServerPathSchema, StopRequestSchema } from '../shared/http/request-schemas';
import { stopReasonFor } from '../shared/domain/stop-reason-policy';
import { toServerView } from '../shared/http/server-view';
import { stopServer } from '../shared/use-cases/stop-server';
import { appLog } from '../shared/logging/log-events';
import { productionRoot } from '../shared/composition-root';
import type { AppRoot } from '../shared/app-services';

export const stop = (root: AppRoot) => httpHandler(root, 'hub-or-owner', async ({ request, context, deps, caller, control }) => {
  const { id } = readParams(request, ServerPathSchema);
  const requested = await readBody(request, StopRequestSchema, { optional: true });
  const reason = stopReasonFor(caller, requested.reason);
  const { server, accepted } = await stopServer(deps, control(), id, reason);
  appLog(context).info('server.stop', { serverId: id, reason, state: server.state });
  return json(accepted ? 202 : 200, toServerView(server));
});

app.http('stop', {
  route: 'servers/{id}/stop',
  methods: ['POST'],
  authLevel: 'anonymous',
  extraInputs: [df.input.durableClient()],
  handler: stop(productionRoot),
});
