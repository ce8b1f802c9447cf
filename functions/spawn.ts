import { app } from '@azure/functions';
import * as df from 'durable-functions';
import { httpHandler, json } from '../shared/http/http-handler';
import { readBody } from '../shared/http/read-request';
import { SpawnRequestSchema } from '../shared/http/request-schemas';
import { toServerView } from '../shared/http/server-view';
import { spawnServer } from '../shared/use-cases/spawn-server';
import { appLog } from '../shared/logging/log-events';
import { productionRoot } from '../shared/composition-root';
import type { AppRoot } from '../shared/app-services';

export const spawn = (root: AppRoot) => httpHandler(root, 'hub', async ({ request, context, deps, control }) => {
  const body = await readBody(request, SpawnRequestSchema);
  const { server, accepted } = await spawnServer(deps, control(), {
    ...body,
    userObjectId: body.userObjectId ?? null,
    tenantId: body.tenantId ?? null,
  });
  appLog(context).info('server.spawn', { serverId: server.id, user: server.user, project: server.project, state: server.state });
  return accepted
    ? json(202, toServerView(server), { location: `/api/servers/${server.id}` })
    : json(200, toServerView(server));
});

app.http('spawn', {
  route: 'servers',
  methods: ['POST'],
  authLevel: 'anonymous',
  extraInputs: [df.input.durableClient()],
  handler: spawn(productionRoot),
});
