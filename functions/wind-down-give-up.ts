import * as df from 'durable-functions';
import { dependencies } from '../shared/composition-root';
import { ACTIVITIES, type GiveUpInput } from '../shared/adapters/durable/orchestration-names';
import { giveUpWindDown } from '../shared/use-cases/advance-wind-down';
import { appLog } from '../shared/logging/log-events';

df.app.activity(ACTIVITIES.windDownGiveUp, {
  handler: async ({ serverId, code, message }: GiveUpInput, context) => {
    appLog(context).warn('server.wind-down.gave-up', { serverId, code, message });
    await giveUpWindDown(await dependencies(), serverId, { code, message });
  },
});
