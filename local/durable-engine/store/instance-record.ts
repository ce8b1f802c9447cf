/** One orchestration instance as the engine keeps it (the current execution only). */
import type { FailureInfo } from '../protocol/failure-info';
import type { ParentLink } from '../protocol/history-events';
import type { TaskLedger } from '../scheduler/task-ledger';

export const RUNTIME_STATUSES = ['Pending', 'Running', 'Completed', 'ContinuedAsNew', 'Failed', 'Canceled', 'Terminated', 'Suspended'] as const;
export type RuntimeStatus = (typeof RUNTIME_STATUSES)[number];

/** States in which an instance still runs (and its id cannot be reused by a new start). */
export const ACTIVE_STATUSES: ReadonlySet<RuntimeStatus> = new Set(['Pending', 'Running', 'Suspended', 'ContinuedAsNew']);

export function isActive(status: RuntimeStatus): boolean {
  return ACTIVE_STATUSES.has(status);
}

export interface InstanceRecord {
  instanceId: string;
  name: string;
  /** The orchestration's version (start request, sub-orchestration action, or host.json defaultVersion). */
  version?: string;
  executionId: string;
  runtimeStatus: RuntimeStatus;
  inputJson?: string;
  outputJson?: string;
  customStatusJson?: string;
  createdTime: string;
  lastUpdatedTime: string;
  parent?: ParentLink;
  /** Number of history rows of the current execution. */
  historyCount: number;
  ledger: TaskLedger;
  /** Why the instance failed, for the parent of a sub-orchestration. */
  failure?: FailureInfo;
}
