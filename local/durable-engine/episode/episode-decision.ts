/**
 * What an episode decides, as data: history events to append, work to schedule, the instance's new
 * state, a notification for a parent orchestration, and whether a new execution follows
 * (continue-as-new). Pure: the runner does the I/O.
 */
import { randomUUID } from 'node:crypto';
import { historyEvents, type HistoryEvent } from '../protocol/history-events';
import type { FailureInfo } from '../protocol/failure-info';
import type { EpisodeOutcome } from '../protocol/orchestrator-state';
import { planNewActions } from '../scheduler/action-planner';
import { noWork, type PlannedWork } from '../scheduler/planned-work';
import { planRetry } from '../scheduler/retry-planner';
import { emptyLedger } from '../scheduler/task-ledger';
import type { InstanceRecord } from '../store/instance-record';
import type { ControlMessage, MessageBatch } from './message-batch';

export interface ParentNotification {
  instanceId: string;
  executionId: string;
  event: HistoryEvent;
}

export interface EpisodeDecision {
  /** Appended to the current execution's history (after the delivered events). */
  events: HistoryEvent[];
  work: PlannedWork;
  next: InstanceRecord;
  notifyParent?: ParentNotification;
  /** The execution replaced by continue-as-new, whose history can be deleted after the commit. */
  replacedExecutionId?: string;
}

/** History of the episode's start: OrchestratorStarted, ExecutionStarted for a new execution, then the delivered events. */
export function episodeStartEvents(record: InstanceRecord, batch: MessageBatch, now: Date): HistoryEvent[] {
  const events = [historyEvents.orchestratorStarted(now)];
  if (batch.starts) {
    events.push(historyEvents.executionStarted(now, {
      name: record.name,
      version: record.version,
      input: record.inputJson,
      instanceId: record.instanceId,
      executionId: record.executionId,
      parent: record.parent,
    }));
  }
  return [...events, ...batch.events];
}

export function decideControl(record: InstanceRecord, control: ControlMessage, now: Date): EpisodeDecision {
  const next: InstanceRecord = { ...record, lastUpdatedTime: now.toISOString() };
  const events: HistoryEvent[] = [];
  let notifyParent: ParentNotification | undefined;
  if (control.kind === 'terminate') {
    events.push(historyEvents.executionTerminated(now, control.reason));
    next.runtimeStatus = 'Terminated';
    next.outputJson = JSON.stringify(control.reason ?? null);
    const failure: FailureInfo = { errorType: 'OrchestrationTerminated', errorMessage: `Terminated: ${control.reason ?? ''}`.trim() };
    notifyParent = parentNotification(record, failure, undefined, now);
  } else if (control.kind === 'suspend' && record.runtimeStatus !== 'Suspended') {
    events.push(historyEvents.executionSuspended(now, control.reason));
    next.runtimeStatus = 'Suspended';
  } else if (control.kind === 'resume' && record.runtimeStatus === 'Suspended') {
    events.push(historyEvents.executionResumed(now, control.reason));
    next.runtimeStatus = record.historyCount === 0 ? 'Pending' : 'Running';
  }
  return { events, work: noWork(), next, notifyParent };
}

/** `record.ledger` already has the batch's completions closed (see selectBatch). */
export function decideEpisode(record: InstanceRecord, batch: MessageBatch, outcome: EpisodeOutcome, now: Date): EpisodeDecision {
  const work = noWork();
  const next: InstanceRecord = { ...record, runtimeStatus: 'Running', lastUpdatedTime: now.toISOString() };
  const events: HistoryEvent[] = [];
  let failure = outcome.kind === 'failed' ? outcome.failure : undefined;
  const state = outcome.state;
  next.customStatusJson = state?.customStatus === undefined || state.customStatus === null ? undefined : JSON.stringify(state.customStatus);

  let continueAsNew: { inputJson: string | undefined } | undefined;
  if (outcome.kind === 'returned') {
    const plan = planNewActions(next.ledger, outcome.state.actions, work, { instanceId: record.instanceId, executionId: record.executionId, now });
    if (plan.unsupported) failure = { errorType: 'NotSupportedError', errorMessage: plan.unsupported };
    else {
      events.push(...plan.events);
      if (batch.retryTrigger) events.push(...planRetry(next.ledger, batch.retryTrigger, work, record.instanceId, now));
      continueAsNew = outcome.state.isDone ? plan.continueAsNew : undefined;
    }
  }

  if (failure) {
    const message = `Orchestrator function '${record.name}' failed: ${failure.errorMessage}`;
    events.push(historyEvents.executionCompleted(now, 'Failed', JSON.stringify(message), failure));
    next.runtimeStatus = 'Failed';
    next.outputJson = JSON.stringify(message);
    next.failure = failure;
    events.push(historyEvents.orchestratorCompleted(now));
    return { events, work: noWork(), next, notifyParent: parentNotification(record, failure, undefined, now) };
  }

  if (continueAsNew) {
    // The next execution starts from an empty history; this one's work would only be discarded.
    const executionId = randomUUID();
    return {
      events: [],
      work: noWork(),
      replacedExecutionId: record.executionId,
      next: { ...next, executionId, inputJson: continueAsNew.inputJson, historyCount: 0, ledger: emptyLedger(), outputJson: undefined },
    };
  }

  if (outcome.kind === 'returned' && outcome.state.isDone) {
    const resultJson = JSON.stringify(outcome.state.output ?? null);
    events.push(historyEvents.executionCompleted(now, 'Completed', resultJson));
    next.runtimeStatus = 'Completed';
    next.outputJson = resultJson;
    events.push(historyEvents.orchestratorCompleted(now));
    return { events, work: noWork(), next, notifyParent: parentNotification(record, undefined, resultJson, now) };
  }

  events.push(historyEvents.orchestratorCompleted(now));
  return { events, work, next };
}

/**
 * The instance fails without running its orchestrator: its state could not be stored (storage
 * refused it as too large or invalid), or its version is one this worker must not run.
 */
export function decideFailure(record: InstanceRecord, failure: FailureInfo, now: Date): EpisodeDecision {
  const message = `Orchestrator function '${record.name}' failed: ${failure.errorMessage}`;
  const next: InstanceRecord = { ...record, runtimeStatus: 'Failed', lastUpdatedTime: now.toISOString(), outputJson: JSON.stringify(message), failure };
  const events = [historyEvents.executionCompleted(now, 'Failed', JSON.stringify(message), failure), historyEvents.orchestratorCompleted(now)];
  return { events, work: noWork(), next, notifyParent: parentNotification(record, failure, undefined, now) };
}

function parentNotification(record: InstanceRecord, failure: FailureInfo | undefined, resultJson: string | undefined, now: Date): ParentNotification | undefined {
  const parent = record.parent;
  if (!parent) return undefined;
  const event = failure
    ? historyEvents.subOrchestrationFailed(now, parent.taskId, `Orchestrator function '${record.name}' failed: ${failure.errorMessage}`, failure)
    : historyEvents.subOrchestrationCompleted(now, parent.taskId, resultJson ?? 'null');
  return { instanceId: parent.instanceId, executionId: parent.executionId, event };
}
