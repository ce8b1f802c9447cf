import * as df from 'durable-functions';
import type { ActivityHandler } from 'durable-functions';
import { ACTIVITIES, type GiveUpInput } from '../shared/adapters/durable/orchestration-names';
import type { AppRoot } from '../shared/app-services';
import { productionRoot } from '../shared/composition-root';
import { appLog } from '../shared/logging/log-events';
import { giveUpProvisioning } from '../shared/use-cases/advance-provisioning';

export const provisionGiveUp = (root: AppRoot): ActivityHandler => async ({ serverId, code, message }: GiveUpInput, context) => {
  appLog(context).warn('server.provision.gave-up', { serverId, code, message });
  return giveUpProvisioning((await root()).deps, serverId, { code, message });
};

df.app.activity(ACTIVITIES.provisionGiveUp, { handler: provisionGiveUp(productionRoot) });
