/**
 * The engine's side of sequence numbering. durable-functions numbers every task it schedules in the
 * order it meets them (leaf actions in order; retry timers and re-attempts of a RetryableTask when
 * the failure or the timer is replayed). The ledger mirrors that numbering from the cumulative
 * action list, so that each completion the engine delivers carries the id the orchestrator expects.
 * Serialisable: it is stored with the instance.
 */
import type { RetryOptionsDto } from '../protocol/actions';
import type { FailureInfo } from '../protocol/failure-info';

export type OpenTaskKind = 'activity' | 'subOrchestration' | 'timer' | 'retryTimer';

export interface OpenTask {
  kind: OpenTaskKind;
  name?: string;
  /** Id of the retry group (its first attempt's id) when this task belongs to one. */
  group?: number;
}

export interface RetryGroup {
  kind: 'activity' | 'subOrchestration';
  name: string;
  inputJson?: string;
  /** An explicit sub-orchestration instance id, reused by every attempt. */
  instanceId?: string;
  /** A sub-orchestration's requested version, reused by every attempt. */
  version?: string;
  options: RetryOptionsDto;
  failures: number;
  firstAttemptAtMs: number;
  lastFailure?: FailureInfo;
  /** retryTimeout passed: the remaining attempts fail at once without running. */
  givenUp: boolean;
}

export interface TaskLedger {
  /** Leaf actions of the cumulative list already turned into work. */
  actionCount: number;
  nextId: number;
  open: Record<string, OpenTask>;
  retries: Record<string, RetryGroup>;
}

export function emptyLedger(): TaskLedger {
  return { actionCount: 0, nextId: 0, open: {}, retries: {} };
}

/** What delivering a completion for a retry-group task means for that group. */
export type RetryTrigger =
  | { kind: 'attemptFailed'; group: number; failure: FailureInfo }
  | { kind: 'attemptSucceeded'; group: number }
  | { kind: 'retryTimerFired'; group: number };

export function isOpen(ledger: TaskLedger, taskId: number): boolean {
  return ledger.open[taskId] !== undefined;
}

/** Whether a completion for this task belongs to a retry group (and so may allocate new ids). */
export function belongsToRetryGroup(ledger: TaskLedger, taskId: number): boolean {
  return ledger.open[taskId]?.group !== undefined;
}

export function allocate(ledger: TaskLedger, task: OpenTask): number {
  const id = ledger.nextId++;
  ledger.open[id] = task;
  return id;
}

/**
 * Closes the task a completion refers to. Returns undefined for a duplicate or unknown id (which
 * the caller drops), else the retry trigger, if the task was part of a retry group.
 */
export function closeTask(ledger: TaskLedger, taskId: number, failure: FailureInfo | undefined): { retry?: RetryTrigger } | undefined {
  const task = ledger.open[taskId];
  if (!task) return undefined;
  delete ledger.open[taskId];
  if (task.group === undefined) return {};
  const group = task.group;
  if (task.kind === 'retryTimer') return { retry: { kind: 'retryTimerFired', group } };
  if (failure) return { retry: { kind: 'attemptFailed', group, failure } };
  return { retry: { kind: 'attemptSucceeded', group } };
}
