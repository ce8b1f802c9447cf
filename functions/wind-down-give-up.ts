import * as df from 'durable-functions';
import type { ActivityHandler } from 'durable-functions';
import { ACTIVITIES, type GiveUpInput } from '../shared/adapters/durable/orchestration-names';
import type { AppRoot } from '../shared/app-services';
import { productionRoot } from '../shared/composition-root';
import { appLog } from '../shared/logging/log-events';
import { giveUpWindDown } from '../shared/use-cases/advance-wind-down';

export const windDownGiveUp = (root: AppRoot): ActivityHandler => async ({ serverId, code, message }: GiveUpInput, context) => {
  appLog(context).warn('server.wind-down.gave-up', { serverId, code, message });
  await giveUpWindDown((await root()).deps, serverId, { code, message });
};

df.app.activity(ACTIVITIES.windDownGiveUp, { handler: windDownGiveUp(productionRoot) });
