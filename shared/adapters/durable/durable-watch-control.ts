/** The workspace watcher over the durable client: starts `watch-<project>`, wakes runs with an external event. */
import * as df from 'durable-functions';
import type { RunWaker, WatchStarter, Wakeup } from '../../use-cases/watch-workspace';
import {
  EVENTS, instanceIdFor, ORCHESTRATIONS, watcherInstanceId, type ComputeChanged, type WatchInput,
} from '../../orchestrations/orchestration-names';
import { isInstanceLive, isLiveStatus } from './durable-orchestration-control';

/** How long a new watcher waits for the previous one, which went off duty, to finish ending. */
const HANDOVER_MS = 90_000;
const HANDOVER_PAUSE_MS = 250;

export class DurableWatchControl implements RunWaker, WatchStarter {
  constructor(private readonly client: df.DurableClient) {}

  /**
   * Starts watcher `generation`. Only the enrolment that put it on duty calls this, so a live
   * instance of an older generation is one that went off duty (or steps down at its next look):
   * wait for it to end, then start. The host refuses to start an id that is still live
   * (host.json overridableExistingInstanceStates), so two Function instances never run two.
   */
  async startWatcher(project: string, generation: number): Promise<void> {
    const instanceId = watcherInstanceId(project);
    const until = Date.now() + HANDOVER_MS;
    for (;;) {
      try {
        await this.client.startNew(ORCHESTRATIONS.watch, { instanceId, input: { project, generation, lastLookAt: null } satisfies WatchInput });
        return;
      } catch (error) {
        const status = await this.client.getStatus(instanceId, { showInput: true });
        const live = isLiveStatus(status?.runtimeStatus);
        if (live && ((status?.input as WatchInput | undefined)?.generation ?? 0) >= generation) return;
        if (Date.now() > until) throw error;
        if (!live) continue; // it ended between the two calls: start again at once
      }
      await new Promise((resolve) => setTimeout(resolve, HANDOVER_PAUSE_MS));
    }
  }

  async ensureWatching(project: string, generation: number): Promise<void> {
    const instanceId = watcherInstanceId(project);
    try {
      await this.client.startNew(ORCHESTRATIONS.watch, { instanceId, input: { project, generation, lastLookAt: null } satisfies WatchInput });
    } catch (error) {
      if (await this.isLive(instanceId)) return;
      throw error;
    }
  }

  /** A run that already ended (it finished, or a stop terminated it) needs no wake. */
  async wake(wakeup: Wakeup): Promise<void> {
    const instanceId = instanceIdFor(wakeup.run, wakeup.serverId);
    try {
      await this.client.raiseEvent(instanceId, EVENTS.computeChanged, { observed: wakeup.observed, compute: wakeup.compute } satisfies ComputeChanged);
    } catch (error) {
      if (await this.isLive(instanceId)) throw error;
    }
  }

  private isLive(instanceId: string): Promise<boolean> {
    return isInstanceLive(this.client, instanceId);
  }
}
