import { app } from '@azure/functions';
import { AppError } from '../shared/domain/errors';
import { httpHandler, json } from '../shared/http/http-handler';
import { readParams } from '../shared/http/read-request';
import { ServerPathSchema } from '../shared/http/request-schemas';
import { toServerView } from '../shared/http/server-view';

/** One point read from Table Storage; no ARM call. */
export const status = httpHandler('hub-or-owner', async ({ request, deps }) => {
  const { id } = readParams(request, ServerPathSchema);
  const stored = await deps.servers.get(id);
  if (!stored) throw new AppError('server-not-found', `There is no server ${id}.`);
  return json(200, toServerView(stored.server));
});

app.http('status', { route: 'servers/{id}', methods: ['GET', 'HEAD'], authLevel: 'anonymous', handler: status });
