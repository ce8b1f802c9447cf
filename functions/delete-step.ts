import * as df from 'durable-functions';
import { dependencies } from '../shared/composition-root';
import { ACTIVITIES } from '../shared/adapters/durable/orchestration-names';
import { advanceDelete } from '../shared/use-cases/advance-wind-down';
import { appLog } from '../shared/logging/log-events';

df.app.activity(ACTIVITIES.deleteStep, {
  handler: async (serverId: string, context) => {
    const outcome = await advanceDelete(await dependencies(), serverId);
    appLog(context).info('server.delete.step', { serverId, outcome });
    return outcome;
  },
});
