import * as df from 'durable-functions';
import { dependencies } from '../shared/composition-root';
import { ACTIVITIES, provisionStepInput, type ProvisionStepInput } from '../shared/adapters/durable/orchestration-names';
import type { ComputeInstance } from '../shared/domain/ports';
import { advanceProvisioning } from '../shared/use-cases/advance-provisioning';
import { appLog } from '../shared/logging/log-events';

df.app.activity(ACTIVITIES.provisionStep, {
  handler: async (input: ProvisionStepInput<ComputeInstance>, context) => {
    const { serverId, observed } = provisionStepInput(input);
    const step = await advanceProvisioning(await dependencies(), serverId, observed);
    appLog(context).info('server.provision.step', { serverId, ...step });
    return step;
  },
});
