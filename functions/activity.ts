import { app } from '@azure/functions';
import { httpHandler } from '../shared/http/http-handler';
import { readBody, readParams } from '../shared/http/read-request';
import { ActivityRequestSchema, ServerPathSchema } from '../shared/http/request-schemas';
import { recordActivity } from '../shared/use-cases/record-activity';
import { productionRoot } from '../shared/composition-root';
import type { AppRoot } from '../shared/app-services';

export const activity = (root: AppRoot) => httpHandler(root, 'hub', async ({ request, deps }) => {
  const { id } = readParams(request, ServerPathSchema);
  const { lastActivity } = await readBody(request, ActivityRequestSchema);
  await recordActivity(deps, id, new Date(lastActivity));
  return { status: 204 };
});

app.http('activity', { route: 'servers/{id}/activity', methods: ['POST'], authLevel: 'anonymous', handler: activity(productionRoot) });
