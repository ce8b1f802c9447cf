/**
 * Runs one leased activity: skip it if its orchestration no longer waits for it, else invoke it
 * (renewing the lease while it runs), queue TaskCompleted/TaskFailed for the orchestration, and
 * only then delete the work item. A crash before the delete re-runs the activity later: activities
 * run at least once, and the duplicate completion is dropped on delivery.
 */
import type { DurableFunctionsPort, EngineLogger } from '../durable-functions-port';
import { failureFromThrown } from '../protocol/failure-info';
import { historyEvents } from '../protocol/history-events';
import { isActive } from '../store/instance-record';
import type { InstanceStore } from '../store/instance-store';
import type { ActivityItem, WorkItemStore } from '../store/work-item-store';

export interface ActivityRunnerDependencies {
  instances: InstanceStore;
  workItems: WorkItemStore;
  port: DurableFunctionsPort;
  logger: EngineLogger;
  owner: string;
  leaseMs: number;
  notify(instanceId: string): void;
}

export class ActivityRunner {
  constructor(private readonly deps: ActivityRunnerDependencies) {}

  /** `item` must already be leased by us (its etag is the lease's). */
  async run(item: ActivityItem): Promise<void> {
    const { workItems, logger } = this.deps;
    const instance = await this.deps.instances.getStatus(item.instanceId);
    if (!instance || instance.executionId !== item.executionId || !isActive(instance.runtimeStatus)) {
      logger.debug('durable.activity-skipped', `Activity '${item.name}' skipped: its orchestration ${item.instanceId} no longer waits for it`);
      await workItems.deleteActivity(item.id);
      return;
    }

    let current = item;
    const renewEvery = Math.max(250, Math.floor(this.deps.leaseMs / 3));
    const renewal = setInterval(() => {
      workItems.lease(current, this.deps.owner, Date.now() + this.deps.leaseMs).then(
        (etag) => {
          if (etag) current = { ...current, etag };
          else logger.warn('durable.lease-lost', `Lost the lease of activity '${item.name}' (${item.instanceId}#${item.taskId}); it may run twice`);
        },
        (error: unknown) => logger.warn('durable.lease-renewal-failed', String(error)),
      );
    }, renewEvery);

    let event;
    try {
      const result = this.deps.port.hasActivity(item.name)
        ? await this.deps.port.runActivity({ name: item.name, inputJson: item.inputJson, instanceId: item.instanceId, taskId: item.taskId })
        : { thrown: new Error(`The function '${item.name}' doesn't exist, is disabled, or is not an activity function.`) };
      const now = new Date();
      if ('returned' in result) {
        event = historyEvents.taskCompleted(now, item.taskId, JSON.stringify(result.returned ?? null));
      } else {
        const failure = failureFromThrown(result.thrown);
        event = historyEvents.taskFailed(now, item.taskId, `Activity function '${item.name}' failed: ${failure.errorMessage}`, failure);
      }
    } catch (error) {
      // The result could not be serialised: report it as the activity's failure.
      const failure = failureFromThrown(error);
      event = historyEvents.taskFailed(new Date(), item.taskId, `Activity function '${item.name}' failed: ${failure.errorMessage}`, failure);
    } finally {
      clearInterval(renewal);
    }
    await workItems.enqueueMessage(item.instanceId, { kind: 'event', executionId: item.executionId, event });
    await workItems.deleteActivity(item.id);
    this.deps.notify(item.instanceId);
  }
}
