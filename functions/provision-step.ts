import * as df from 'durable-functions';
import type { ActivityHandler } from 'durable-functions';
import { ACTIVITIES, provisionStepInput, type ProvisionStepInput } from '../shared/adapters/durable/orchestration-names';
import type { AppRoot } from '../shared/app-services';
import { productionRoot } from '../shared/composition-root';
import type { ComputeInstance } from '../shared/domain/ports';
import { appLog } from '../shared/logging/log-events';
import { advanceProvisioning } from '../shared/use-cases/advance-provisioning';

export const provisionStep = (root: AppRoot): ActivityHandler => async (input: ProvisionStepInput<ComputeInstance>, context) => {
  const { serverId, observed } = provisionStepInput(input);
  const step = await advanceProvisioning((await root()).deps, serverId, observed);
  appLog(context).info('server.provision.step', { serverId, outcome: step.outcome, state: step.state, ...(step.retryAt ? { retryAt: step.retryAt } : {}) });
  return step;
};

df.app.activity(ACTIVITIES.provisionStep, { handler: provisionStep(productionRoot) });
