import * as df from 'durable-functions';
import { dependencies } from '../shared/composition-root';
import { ACTIVITIES, type GiveUpInput } from '../shared/adapters/durable/orchestration-names';
import { giveUpProvisioning } from '../shared/use-cases/advance-provisioning';

df.app.activity(ACTIVITIES.provisionGiveUp, {
  handler: async ({ serverId, code, message }: GiveUpInput, context) => {
    context.warn('server.provision.gave-up', { serverId, code, message });
    return giveUpProvisioning(await dependencies(), serverId, { code, message });
  },
});
