/**
 * Writes an episode's decided work to storage before the episode commits: activities to run,
 * timer messages due at their fire time, sub-orchestrations to start, failures for retries past
 * their timeout, the parent's completion message, and the start of the next execution. If the
 * host dies before the commit, the episode runs again and writes this again; duplicates are
 * recognised when delivered (a completion for a task that is no longer open is dropped).
 */
import { historyEvents } from '../protocol/history-events';
import type { InstanceRecord } from '../store/instance-record';
import type { WorkItemStore } from '../store/work-item-store';
import type { EpisodeDecision } from './episode-decision';
import type { InstanceStarter } from './instance-starter';

export class WorkWriter {
  constructor(private readonly workItems: WorkItemStore, private readonly starter: InstanceStarter) {}

  async write(record: InstanceRecord, decision: EpisodeDecision, now: Date): Promise<void> {
    const { instanceId, executionId } = record;
    const { work } = decision;
    await this.workItems.enqueueActivities(
      work.activities.map((activity) => ({ instanceId, executionId, taskId: activity.taskId, name: activity.name, inputJson: activity.inputJson })),
    );
    for (const operation of work.entityOperations) {
      await this.workItems.enqueueMessage(operation.targetInstanceId, { kind: 'entityOperation', request: operation.request });
    }
    for (const timer of work.timers) {
      const event = historyEvents.timerFired(timer.fireAt, timer.timerId, timer.fireAt.toISOString());
      await this.workItems.enqueueMessage(instanceId, { kind: 'event', executionId, event }, timer.fireAt.getTime());
    }
    for (const failed of work.immediateFailures) {
      const reason = `${failed.kind === 'activity' ? 'Activity' : 'Orchestrator'} function '${failed.name}' failed: ${failed.failure.errorMessage}`;
      const event = failed.kind === 'activity'
        ? historyEvents.taskFailed(now, failed.taskId, reason, failed.failure)
        : historyEvents.subOrchestrationFailed(now, failed.taskId, reason, failed.failure);
      await this.workItems.enqueueMessage(instanceId, { kind: 'event', executionId, event });
    }
    for (const child of work.subOrchestrations) {
      const result = await this.starter.start(
        { instanceId: child.instanceId, name: child.name, version: child.version, inputJson: child.inputJson, parent: { instanceId, executionId, taskId: child.taskId, name: record.name } },
        now,
      );
      if (result.kind === 'conflict') {
        const failure = {
          errorType: 'InvalidOperationException',
          errorMessage: `An orchestration instance with the ID '${child.instanceId}' already exists (${result.runtimeStatus}).`,
        };
        const event = historyEvents.subOrchestrationFailed(now, child.taskId, failure.errorMessage, failure);
        await this.workItems.enqueueMessage(instanceId, { kind: 'event', executionId, event });
      }
    }
    if (decision.notifyParent) {
      const { instanceId: parentId, executionId: parentExecutionId, event } = decision.notifyParent;
      await this.workItems.enqueueMessage(parentId, { kind: 'event', executionId: parentExecutionId, event });
    }
    if (decision.replacedExecutionId) {
      await this.workItems.enqueueMessage(instanceId, { kind: 'start', executionId: decision.next.executionId });
    }
  }
}
