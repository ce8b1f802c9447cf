/**
 * The engine's half of a RetryableTask. After a failed attempt durable-functions waits for a retry
 * timer (even after the last attempt, as the Durable Task Framework does), then either expects a
 * new attempt or fails the task once attempts are exhausted. This plans exactly those steps, with
 * fresh sequence numbers allocated after the episode's new actions.
 */
import { historyEvents, type HistoryEvent } from '../protocol/history-events';
import type { PlannedWork } from './planned-work';
import { nextRetryDelayMs } from './retry-delay';
import { subOrchestrationInstanceId } from './action-planner';
import { allocate, type RetryTrigger, type TaskLedger } from './task-ledger';

/** Mutates `ledger` and `work`; returns the history events to record. */
export function planRetry(ledger: TaskLedger, trigger: RetryTrigger, work: PlannedWork, instanceId: string, now: Date): HistoryEvent[] {
  const group = ledger.retries[trigger.group];
  if (!group) return [];
  switch (trigger.kind) {
    case 'attemptSucceeded':
      delete ledger.retries[trigger.group];
      return [];
    case 'attemptFailed': {
      group.failures++;
      group.lastFailure = trigger.failure;
      const delay = group.givenUp ? 0 : nextRetryDelayMs(group.options, group.failures, group.firstAttemptAtMs, now.getTime());
      if (delay === 0) group.givenUp = true;
      const timerId = allocate(ledger, { kind: 'retryTimer', group: trigger.group });
      const fireAt = new Date(now.getTime() + delay);
      work.timers.push({ timerId, fireAt });
      return [historyEvents.timerCreated(now, timerId, fireAt)];
    }
    case 'retryTimerFired': {
      // durable-functions counts the first attempt as 1 and fails once failures reach the maximum.
      if (group.failures >= group.options.maxNumberOfAttempts) {
        delete ledger.retries[trigger.group];
        return [];
      }
      const taskId = allocate(ledger, { kind: group.kind, name: group.name, group: trigger.group });
      if (group.givenUp) {
        work.immediateFailures.push({ taskId, kind: group.kind, name: group.name, failure: group.lastFailure ?? { errorType: 'Error', errorMessage: 'Retry timeout exceeded' } });
        return [];
      }
      if (group.kind === 'activity') {
        work.activities.push({ taskId, name: group.name, inputJson: group.inputJson });
        return [historyEvents.taskScheduled(now, taskId, group.name, group.inputJson)];
      }
      const childId = group.instanceId ?? subOrchestrationInstanceId(instanceId, taskId);
      work.subOrchestrations.push({ taskId, name: group.name, instanceId: childId, inputJson: group.inputJson, version: group.version });
      return [historyEvents.subOrchestrationCreated(now, taskId, group.name, childId, group.inputJson, group.version)];
    }
  }
}
