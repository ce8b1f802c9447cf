import * as df from 'durable-functions';
import { dependencies } from '../shared/composition-root';
import { ACTIVITIES, ORCHESTRATIONS, type WatchInput, type WatchServerInput } from '../shared/adapters/durable/orchestration-names';
import { DurableWatchControl } from '../shared/adapters/durable/durable-watch-control';
import { watchWorkspaceOrchestrator } from '../shared/orchestrations/watch-workspace';
import { enrolForWatch, watchWorkspace } from '../shared/use-cases/watch-workspace';

df.app.orchestration(ORCHESTRATIONS.watch, watchWorkspaceOrchestrator);

df.app.activity(ACTIVITIES.watchLook, {
  extraInputs: [df.input.durableClient()],
  handler: async (input: WatchInput, context) => {
    const look = await watchWorkspace(await dependencies(), new DurableWatchControl(df.getClient(context)), {
      project: input.project, generation: input.generation ?? 0, lastLookAt: input.lastLookAt ?? null,
    });
    if (look.listed || look.nextLookSeconds === null) {
      context.info('workspace.watch.look', { project: input.project, inFlight: look.inFlight, woken: look.woken.length, nextLookSeconds: look.nextLookSeconds });
    }
    return look;
  },
});

df.app.activity(ACTIVITIES.watchServer, {
  extraInputs: [df.input.durableClient()],
  handler: async (input: WatchServerInput, context) => enrolForWatch(await dependencies(), new DurableWatchControl(df.getClient(context)), input),
});
