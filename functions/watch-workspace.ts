import * as df from 'durable-functions';
import type { ActivityHandler } from 'durable-functions';
import { ACTIVITIES, ORCHESTRATIONS, type WatchInput, type WatchServerInput } from '../shared/adapters/durable/orchestration-names';
import { DurableWatchControl } from '../shared/adapters/durable/durable-watch-control';
import type { AppRoot } from '../shared/app-services';
import { productionRoot } from '../shared/composition-root';
import { appLog } from '../shared/logging/log-events';
import { watchWorkspaceOrchestrator } from '../shared/orchestrations/watch-workspace';
import { enrolForWatch, watchWorkspace } from '../shared/use-cases/watch-workspace';

export const watchLook = (root: AppRoot): ActivityHandler => async (input: WatchInput, context) => {
  const look = await watchWorkspace((await root()).deps, new DurableWatchControl(df.getClient(context)), {
    project: input.project, generation: input.generation ?? 0, lastLookAt: input.lastLookAt ?? null, listPages: input.listPages ?? null,
  });
  if (look.listed || look.nextLookSeconds === null) {
    appLog(context).info('workspace.watch.look', { project: input.project, inFlight: look.inFlight, woken: look.woken.length, listPages: look.listPages, nextLookSeconds: look.nextLookSeconds });
  }
  return look;
};

export const watchServer = (root: AppRoot): ActivityHandler => async (input: WatchServerInput, context) =>
  enrolForWatch((await root()).deps, new DurableWatchControl(df.getClient(context)), input);

df.app.orchestration(ORCHESTRATIONS.watch, watchWorkspaceOrchestrator);
df.app.activity(ACTIVITIES.watchLook, { extraInputs: [df.input.durableClient()], handler: watchLook(productionRoot) });
df.app.activity(ACTIVITIES.watchServer, { extraInputs: [df.input.durableClient()], handler: watchServer(productionRoot) });
