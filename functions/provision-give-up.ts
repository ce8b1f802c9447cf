import * as df from 'durable-functions';
import { dependencies } from '../shared/composition-root';
import { ACTIVITIES, type GiveUpInput } from '../shared/adapters/durable/orchestration-names';
import { giveUpProvisioning } from '../shared/use-cases/advance-provisioning';
import { appLog } from '../shared/logging/log-events';

df.app.activity(ACTIVITIES.provisionGiveUp, {
  handler: async ({ serverId, code, message }: GiveUpInput, context) => {
    appLog(context).warn('server.provision.gave-up', { serverId, code, message });
    return giveUpProvisioning(await dependencies(), serverId, { code, message });
  },
});
