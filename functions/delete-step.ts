import * as df from 'durable-functions';
import type { ActivityHandler } from 'durable-functions';
import { ACTIVITIES } from '../shared/adapters/durable/orchestration-names';
import type { AppRoot } from '../shared/app-services';
import { productionRoot } from '../shared/composition-root';
import { appLog } from '../shared/logging/log-events';
import { advanceDelete } from '../shared/use-cases/advance-wind-down';

export const deleteStep = (root: AppRoot): ActivityHandler => async (serverId: string, context) => {
  const outcome = await advanceDelete((await root()).deps, serverId);
  appLog(context).info('server.delete.step', { serverId, outcome });
  return outcome;
};

df.app.activity(ACTIVITIES.deleteStep, { handler: deleteStep(productionRoot) });
