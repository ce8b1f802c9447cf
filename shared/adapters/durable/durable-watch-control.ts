/** The workspace watcher over the durable client: starts `watch-<project>` once, wakes runs with an external event. */
import * as df from 'durable-functions';
import type { RunWaker, WatchStarter, Wakeup } from '../../use-cases/watch-workspace';
import {
  EVENTS, instanceIdFor, ORCHESTRATIONS, watcherInstanceId, type ComputeChanged, type WatchInput,
} from '../../orchestrations/orchestration-names';
import { isInstanceLive } from './durable-orchestration-control';

export class DurableWatchControl implements RunWaker, WatchStarter {
  constructor(private readonly client: df.DurableClient) {}

  /**
   * Starts the watcher unless it is live: the host refuses to start an instance id that is still
   * live (host.json overridableExistingInstanceStates), so two Function instances that race start one.
   */
  async ensureWatching(project: string): Promise<void> {
    const instanceId = watcherInstanceId(project);
    try {
      await this.client.startNew(ORCHESTRATIONS.watch, { instanceId, input: { project, seen: {} } satisfies WatchInput });
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
