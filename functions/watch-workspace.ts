import * as df from 'durable-functions';
import { dependencies } from '../shared/composition-root';
import { ACTIVITIES, ORCHESTRATIONS, type WatchInput } from '../shared/adapters/durable/orchestration-names';
import { DurableWatchControl } from '../shared/adapters/durable/durable-watch-control';
import { watchWorkspaceOrchestrator } from '../shared/orchestrations/watch-workspace';
import { enrolForWatch, watchWorkspace } from '../shared/use-cases/watch-workspace';
import { appLog } from '../shared/logging/log-events';

df.app.orchestration(ORCHESTRATIONS.watch, watchWorkspaceOrchestrator);

df.app.activity(ACTIVITIES.watchLook, {
  extraInputs: [df.input.durableClient()],
  handler: async (input: WatchInput, context) => {
    const look = await watchWorkspace(await dependencies(), new DurableWatchControl(df.getClient(context)), input.project, input.seen ?? {});
    if (look.listed || look.nextLookSeconds === null) {
      appLog(context).info('workspace.watch.look', { project: input.project, inFlight: look.inFlight, woken: look.woken.length, nextLookSeconds: look.nextLookSeconds });
    }
    return look;
  },
});

df.app.activity(ACTIVITIES.watchServer, {
  extraInputs: [df.input.durableClient()],
  handler: async (serverId: string, context) => enrolForWatch(await dependencies(), new DurableWatchControl(df.getClient(context)), serverId),
});
