import * as df from 'durable-functions';
import type { ActivityHandler } from 'durable-functions';
import { ACTIVITIES } from '../shared/adapters/durable/orchestration-names';
import type { AppRoot } from '../shared/app-services';
import { productionRoot } from '../shared/composition-root';
import { appLog } from '../shared/logging/log-events';
import { advanceStop } from '../shared/use-cases/advance-wind-down';

export const stopStep = (root: AppRoot): ActivityHandler => async (serverId: string, context) => {
  const outcome = await advanceStop((await root()).deps, serverId);
  appLog(context).info('server.stop.step', { serverId, outcome });
  return outcome;
};

df.app.activity(ACTIVITIES.stopStep, { handler: stopStep(productionRoot) });
