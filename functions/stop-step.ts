import * as df from 'durable-functions';
import { dependencies } from '../shared/composition-root';
import { ACTIVITIES } from '../shared/adapters/durable/orchestration-names';
import { advanceStop } from '../shared/use-cases/advance-wind-down';
import { appLog } from '../shared/logging/log-events';

df.app.activity(ACTIVITIES.stopStep, {
  handler: async (serverId: string, context) => {
    const outcome = await advanceStop(await dependencies(), serverId);
    appLog(context).info('server.stop.step', { serverId, outcome });
    return outcome;
  },
});
