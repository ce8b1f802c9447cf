import { app } from '@azure/functions';
import { httpHandler, json } from '../shared/http/http-handler';
import { readQuery } from '../shared/http/read-request';
import { OptionsQuerySchema } from '../shared/http/request-schemas';
import { describeOptions } from '../shared/use-cases/describe-options';
import { productionRoot } from '../shared/composition-root';
import type { AppRoot } from '../shared/app-services';

export const options = (root: AppRoot) => httpHandler(root, 'hub', async ({ request, deps }) => {
  const query = readQuery(request, OptionsQuerySchema);
  return json(200, await describeOptions(deps, { userObjectId: query.userObjectId ?? null }));
});

app.http('options', { route: 'options', methods: ['GET', 'HEAD'], authLevel: 'anonymous', handler: options(productionRoot) });
