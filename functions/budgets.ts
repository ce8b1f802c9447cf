import { app } from '@azure/functions';
import { monthOf } from '../shared/domain/usage';
import { httpHandler, json } from '../shared/http/http-handler';
import { budgetStates } from '../shared/use-cases/usage-report';
import { productionRoot } from '../shared/composition-root';
import type { AppRoot } from '../shared/app-services';

/** Every project's budget state this month (Admin): what the admin page shows beside the servers. */
export const budgets = (root: AppRoot) => httpHandler(root, 'admin', async ({ deps }) => {
  const projects = await deps.catalog.listProjects('anyone');
  const states = await budgetStates(deps, projects.map((project) => project.name));
  return json(200, {
    month: monthOf(deps.clock.now()).label,
    currency: deps.prices.currency,
    projects: projects.map((project) => ({ name: project.name, location: project.location, budget: states.get(project.name) })),
  });
});

app.http('budgets', { route: 'budgets', methods: ['GET', 'HEAD'], authLevel: 'anonymous', handler: budgets(productionRoot) });
