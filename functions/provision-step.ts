import * as df from 'durable-functions';
import { dependencies } from '../shared/composition-root';
import { ACTIVITIES } from '../shared/adapters/durable/orchestration-names';
import { advanceProvisioning } from '../shared/use-cases/advance-provisioning';

df.app.activity(ACTIVITIES.provisionStep, {
  handler: async (serverId: string, context) => {
    const step = await advanceProvisioning(await dependencies(), serverId);
    context.info('server.provision.step', { serverId, ...step });
    return step;
  },
});
