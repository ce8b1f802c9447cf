/**
 * Client operations on orchestration instances (what the durable client's HTTP calls end in):
 * start, status, query, raise event, terminate, suspend, resume, purge. Every change is a queued
 * message for the instance's next episode, except start and purge, which write the instance row.
 */
import { randomUUID } from 'node:crypto';
import type { DurableFunctionsPort } from './durable-functions-port';
import { toInstanceStatus, type InstanceStatus } from './api/instance-status';
import type { InstanceStarter } from './episode/instance-starter';
import { entitySchedulerId, type EntityStateRecord } from './protocol/entity-messages';
import { historyEvents } from './protocol/history-events';
import type { InstanceMessage } from './protocol/instance-message';
import { isActive, type RuntimeStatus } from './store/instance-record';
import type { HistoryStore } from './store/history-store';
import type { InstanceQuery, InstanceStore } from './store/instance-store';
import type { WorkItemStore } from './store/work-item-store';

export type StartNewResult =
  | { kind: 'started'; instanceId: string }
  | { kind: 'conflict'; instanceId: string; runtimeStatus: RuntimeStatus }
  | { kind: 'unknownOrchestrator' };

/** accepted (202), notFound (404), gone: the instance is no longer running (410). */
export type ChangeResult = 'accepted' | 'notFound' | 'gone';

export interface StatusRequest {
  showInput?: boolean;
  showHistory?: boolean;
  showHistoryOutput?: boolean;
}

export interface OrchestrationClientDependencies {
  instances: InstanceStore;
  history: HistoryStore;
  workItems: WorkItemStore;
  starter: InstanceStarter;
  port: DurableFunctionsPort;
}

export class OrchestrationClient {
  constructor(private readonly deps: OrchestrationClientDependencies) {}

  async startNew(name: string, options: { instanceId?: string; inputJson?: string; version?: string } = {}): Promise<StartNewResult> {
    if (!this.deps.port.hasOrchestrator(name)) return { kind: 'unknownOrchestrator' };
    const instanceId = options.instanceId ?? randomUUID().replace(/-/g, '');
    const result = await this.deps.starter.start({ instanceId, name, inputJson: options.inputJson, version: options.version });
    if (result.kind === 'conflict') return { kind: 'conflict', instanceId, runtimeStatus: result.runtimeStatus };
    return { kind: 'started', instanceId };
  }

  async getStatus(instanceId: string, request: StatusRequest = {}): Promise<InstanceStatus | undefined> {
    const stored = await this.deps.instances.get(instanceId);
    if (!stored) return undefined;
    const { record } = stored;
    const history = request.showHistory ? await this.deps.history.load(instanceId, record.executionId, record.historyCount) : undefined;
    return toInstanceStatus(record, { showInput: request.showInput ?? true, showHistoryOutput: request.showHistoryOutput ?? false }, history);
  }

  async listStatuses(query: InstanceQuery, options: { pageSize: number; continuationToken?: string; showInput?: boolean }) {
    const page = await this.deps.instances.list(query, options.pageSize, options.continuationToken);
    return {
      statuses: page.instances.map((record) => toInstanceStatus(record, { showInput: options.showInput ?? true, showHistoryOutput: false })),
      continuationToken: page.continuationToken,
    };
  }

  async raiseEvent(instanceId: string, eventName: string, inputJson: string | undefined): Promise<ChangeResult> {
    return this.send(instanceId, { kind: 'event', event: historyEvents.eventRaised(new Date(), eventName, inputJson) });
  }

  terminate(instanceId: string, reason?: string): Promise<ChangeResult> {
    return this.send(instanceId, { kind: 'terminate', reason });
  }

  suspend(instanceId: string, reason?: string): Promise<ChangeResult> {
    return this.send(instanceId, { kind: 'suspend', reason });
  }

  resume(instanceId: string, reason?: string): Promise<ChangeResult> {
    return this.send(instanceId, { kind: 'resume', reason });
  }

  /**
   * Starts the instance's orchestration again with its input and version: under a new id, or under
   * the same id (which must not be running, unless host.json says AnyState).
   */
  async restart(instanceId: string, withNewInstanceId: boolean): Promise<StartNewResult | { kind: 'notFound' }> {
    const stored = await this.deps.instances.get(instanceId);
    if (!stored) return { kind: 'notFound' };
    const { record } = stored;
    const id = withNewInstanceId ? randomUUID().replace(/-/g, '') : instanceId;
    const result = await this.deps.starter.start({ instanceId: id, name: record.name, inputJson: record.inputJson, version: record.version });
    if (result.kind === 'conflict') return { kind: 'conflict', instanceId: id, runtimeStatus: result.runtimeStatus };
    return { kind: 'started', instanceId: id };
  }

  /** Queues an operation for a durable entity (created by its first operation). */
  async signalEntity(name: string, key: string, operation: string, inputJson: string | undefined): Promise<void> {
    await this.deps.workItems.enqueueMessage(entitySchedulerId(name, key), {
      kind: 'entityOperation',
      request: { id: randomUUID(), op: operation, signal: true, input: inputJson },
    });
  }

  /** The entity's state as JSON text, or undefined when the entity does not exist. */
  async readEntityState(name: string, key: string): Promise<{ stateJson: string | undefined } | undefined> {
    const stored = await this.deps.instances.get(entitySchedulerId(name, key));
    if (!stored) return undefined;
    const state = JSON.parse(stored.record.inputJson ?? '{"exists":false}') as EntityStateRecord;
    return state.exists ? { stateJson: state.state } : undefined;
  }

  /** Deletes the instance, its history and its queued messages' effect (they are dropped on delivery). */
  async purge(instanceId: string): Promise<boolean> {
    const deleted = await this.deps.instances.delete(instanceId);
    if (deleted) await this.deps.history.deleteAllExcept(instanceId);
    return deleted;
  }

  async purgeWhere(query: InstanceQuery): Promise<number> {
    let count = 0;
    let continuationToken: string | undefined;
    do {
      const page = await this.deps.instances.list(query, 100, continuationToken);
      for (const record of page.instances) if (await this.purge(record.instanceId)) count++;
      continuationToken = page.continuationToken;
    } while (continuationToken);
    return count;
  }

  private async send(instanceId: string, message: InstanceMessage): Promise<ChangeResult> {
    const stored = await this.deps.instances.get(instanceId);
    if (!stored) return 'notFound';
    if (!isActive(stored.record.runtimeStatus)) return 'gone';
    await this.deps.workItems.enqueueMessage(instanceId, message);
    return 'accepted';
  }
}
