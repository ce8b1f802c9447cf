/**
 * Creates (or replaces) an instance row for a new execution and queues its start message. Used by
 * the start API and for sub-orchestrations. An id whose instance still runs is a conflict, as with
 * host.json `overridableExistingInstanceStates: NonRunningStates`, unless AnyState is configured;
 * the replaced execution's pending work is then dropped when delivered (its execution id is stale).
 */
import { randomUUID } from 'node:crypto';
import type { ParentLink } from '../protocol/history-events';
import { emptyLedger } from '../scheduler/task-ledger';
import { isActive, type InstanceRecord, type RuntimeStatus } from '../store/instance-record';
import type { InstanceStore } from '../store/instance-store';
import type { HistoryStore } from '../store/history-store';
import type { WorkItemStore } from '../store/work-item-store';
import type { EngineLogger } from '../durable-functions-port';

export interface StartRequest {
  instanceId: string;
  name: string;
  /** Undefined takes host.json's defaultVersion. */
  version?: string;
  inputJson: string | undefined;
  parent?: ParentLink;
}

export type StartResult =
  | { kind: 'started'; record: InstanceRecord }
  | { kind: 'conflict'; runtimeStatus: RuntimeStatus }
  /** A redelivered sub-orchestration start: the child already exists for this very parent task. */
  | { kind: 'alreadyStarted' };

export interface InstanceStarterDependencies {
  instances: InstanceStore;
  history: HistoryStore;
  workItems: WorkItemStore;
  logger: EngineLogger;
  notify(instanceId: string): void;
  /** host.json overridableExistingInstanceStates: AnyState. */
  replaceRunning?: boolean;
  /** host.json defaultVersion: the version of instances started without one. */
  defaultVersion?: string;
}

export class InstanceStarter {
  constructor(private readonly deps: InstanceStarterDependencies) {}

  /**
   * A new id — the common start, as of every server's first run — costs one write: the row is
   * created without reading first, and read only when the id turns out to exist.
   */
  async start(request: StartRequest, now = new Date()): Promise<StartResult> {
    const { instances } = this.deps;
    const record = newInstanceRecord({ ...request, version: request.version || this.deps.defaultVersion || undefined }, now);
    const created = await instances.create(record);
    const existing = created === undefined ? await instances.get(request.instanceId) : undefined;
    if (existing && request.parent && sameParent(existing.record.parent, request.parent)) return { kind: 'alreadyStarted' };
    if (existing && isActive(existing.record.runtimeStatus) && !this.deps.replaceRunning) {
      return { kind: 'conflict', runtimeStatus: existing.record.runtimeStatus };
    }
    const etag = created ?? (existing ? await instances.replace(record, existing.etag) : undefined);
    if (etag === undefined) {
      // Someone else created, changed or purged it between our write and read.
      const current = await instances.get(request.instanceId);
      return { kind: 'conflict', runtimeStatus: current?.record.runtimeStatus ?? 'Pending' };
    }
    await this.deps.workItems.enqueueMessage(record.instanceId, { kind: 'start', executionId: record.executionId });
    if (existing) {
      this.deps.history.deleteAllExcept(record.instanceId, record.executionId).catch((error: unknown) => {
        this.deps.logger.warn('durable.cleanup-failed', `Could not delete old history of ${record.instanceId}: ${String(error)}`);
      });
    }
    this.deps.notify(record.instanceId);
    return { kind: 'started', record };
  }
}

export function newInstanceRecord(request: StartRequest, now: Date): InstanceRecord {
  return {
    instanceId: request.instanceId,
    name: request.name,
    version: request.version,
    executionId: randomUUID(),
    runtimeStatus: 'Pending',
    inputJson: request.inputJson,
    createdTime: now.toISOString(),
    lastUpdatedTime: now.toISOString(),
    parent: request.parent,
    historyCount: 0,
    ledger: emptyLedger(),
  };
}

function sameParent(a: ParentLink | undefined, b: ParentLink): boolean {
  return a !== undefined && a.instanceId === b.instanceId && a.executionId === b.executionId && a.taskId === b.taskId;
}
