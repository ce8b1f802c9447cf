import { app } from '@azure/functions';
import { hasRole } from '../shared/domain/caller';
import { monthOf } from '../shared/domain/usage';
import { httpHandler, json } from '../shared/http/http-handler';
import { readQuery } from '../shared/http/read-request';
import { UsageQuerySchema } from '../shared/http/request-schemas';
import { reportUsage } from '../shared/use-cases/usage-report';
import { productionRoot } from '../shared/composition-root';
import type { AppRoot } from '../shared/app-services';

/** Hours and cost per user, project or size: every server's for an admin, a person's own for their token. */
export const usage = (root: AppRoot) => httpHandler(root, 'admin-or-person', async ({ request, deps, caller }) => {
  const query = readQuery(request, UsageQuerySchema);
  const now = deps.clock.now();
  const from = query.from ? new Date(query.from) : monthOf(now).from;
  const to = query.to ? new Date(query.to) : now;
  const own = hasRole(caller, 'Admin') ? {} : { userObjectId: caller.objectId ?? '' };
  return json(200, await reportUsage(deps, { from, to, groupBy: query.groupBy, ...own }));
});

app.http('usage', { route: 'usage', methods: ['GET', 'HEAD'], authLevel: 'anonymous', handler: usage(productionRoot) });
