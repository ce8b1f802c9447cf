/**
 * One batch of a durable entity: read its state and its due operation messages, run the entity
 * function once over the batch (as the extension does), then send each call's response to its
 * orchestration, forward the signals the entity sent, store the new state (ETag-conditional: the
 * commit point) and delete the consumed messages. A crash before the commit runs the batch again;
 * a duplicate response is ignored by the orchestration (it waits for one event of that name).
 */
import type { DurableFunctionsPort, EngineLogger } from '../durable-functions-port';
import {
  entitySchedulerId,
  parseEntityId,
  type EntityBatchResult,
  type EntityRequest,
  type EntityStateRecord,
  type EntityTriggerInput,
} from '../protocol/entity-messages';
import { failureFromThrown } from '../protocol/failure-info';
import { historyEvents } from '../protocol/history-events';
import type { QueuedMessage } from '../protocol/instance-message';
import { emptyLedger } from '../scheduler/task-ledger';
import type { InstanceRecord } from '../store/instance-record';
import type { InstanceStore } from '../store/instance-store';
import type { WorkItemStore } from '../store/work-item-store';
import type { EpisodeResult } from './episode-runner';

/** Operations run in one invocation at most (the extension's default maxEntityOperationBatchSize is similar). */
const MAX_BATCH = 100;

export interface EntityRunnerDependencies {
  instances: InstanceStore;
  workItems: WorkItemStore;
  port: DurableFunctionsPort;
  logger: EngineLogger;
}

export class EntityRunner {
  constructor(private readonly deps: EntityRunnerDependencies) {}

  /** The entity's state, or undefined when it does not exist. */
  async read(schedulerId: string): Promise<EntityStateRecord | undefined> {
    const stored = await this.deps.instances.get(schedulerId);
    const state = stored ? entityState(stored.record) : undefined;
    return state?.exists ? state : undefined;
  }

  async run(schedulerId: string, messages: QueuedMessage[]): Promise<EpisodeResult> {
    const { instances, workItems, port, logger } = this.deps;
    const now = new Date();
    const operations = messages.filter((queued) => queued.message.kind === 'entityOperation').slice(0, MAX_BATCH);
    const others = messages.filter((queued) => queued.message.kind !== 'entityOperation').map((queued) => queued.id);
    if (operations.length === 0) {
      await workItems.deleteMessages(others);
      return 'done';
    }
    const requests = operations.map((queued) => (queued.message as { request: EntityRequest }).request);
    const { name, key } = parseEntityId(schedulerId);
    const stored = await instances.get(schedulerId);
    const before: EntityStateRecord = stored ? entityState(stored.record) : { exists: false };

    const input: EntityTriggerInput = {
      self: { name, key },
      exists: before.exists,
      state: before.state,
      batch: requests.map((request) => ({ id: request.id, name: request.op, signal: request.signal, input: request.input })),
    };
    let outcome: EntityBatchResult | { failure: string };
    if (!port.hasEntity(name)) outcome = { failure: `The function '${name}' doesn't exist, is disabled, or is not an entity function.` };
    else {
      const result = await port.runEntity(name, input);
      outcome = 'thrown' in result ? { failure: failureFromThrown(result.thrown).errorMessage } : toBatchResult(result.returned);
    }

    const after: EntityStateRecord = 'failure' in outcome ? before : { exists: outcome.entityExists, state: outcome.entityExists ? outcome.entityState : undefined };
    for (const [index, request] of requests.entries()) {
      if (request.signal || !request.parent) continue;
      const response = responseFor(schedulerId, request, 'failure' in outcome ? { isError: true, result: outcome.failure } : outcome.results[index]);
      const event = historyEvents.eventRaised(now, request.id, JSON.stringify(response));
      await workItems.enqueueMessage(request.parent.instanceId, { kind: 'event', executionId: request.parent.executionId || undefined, event });
    }
    if (!('failure' in outcome)) {
      for (const signal of outcome.signals) {
        const target = entitySchedulerId(signal.target.name, signal.target.key);
        const request: EntityRequest = { id: signal.requestId ?? `${schedulerId}:${now.getTime()}`, op: signal.name, signal: true, input: signal.input || undefined };
        await workItems.enqueueMessage(target, { kind: 'entityOperation', request });
      }
    } else {
      logger.warn('durable.entity-failed', `Entity ${schedulerId} failed a batch of ${requests.length}: ${outcome.failure}`, { instanceId: schedulerId });
    }

    const record = entityRecord(schedulerId, name, stored?.record, after, now);
    const etag = stored ? await instances.replace(record, stored.etag, stored) : await instances.create(record);
    if (etag === undefined) return 'conflict';
    await workItems.deleteMessages([...operations.map((queued) => queued.id), ...others]);
    return messages.length > operations.length + others.length || operations.length === MAX_BATCH ? 'more' : 'done';
  }
}

function entityState(record: InstanceRecord): EntityStateRecord {
  try {
    return JSON.parse(record.inputJson ?? '{"exists":false}') as EntityStateRecord;
  } catch {
    return { exists: false };
  }
}

function entityRecord(schedulerId: string, name: string, previous: InstanceRecord | undefined, state: EntityStateRecord, now: Date): InstanceRecord {
  return {
    instanceId: schedulerId,
    name,
    executionId: previous?.executionId ?? 'entity',
    runtimeStatus: 'Running',
    inputJson: JSON.stringify(state),
    createdTime: previous?.createdTime ?? now.toISOString(),
    lastUpdatedTime: now.toISOString(),
    // Entity rows are never replayed; a non-zero count keeps crash recovery from "starting" them.
    historyCount: 1,
    ledger: emptyLedger(),
  };
}

/** A call's response: the result as JSON text, or a readable error durable-functions raises in the orchestration. */
function responseFor(schedulerId: string, request: EntityRequest, result: { isError: boolean; result?: string } | undefined) {
  if (!result) return { result: JSON.stringify(`Operation '${request.op}' on entity ${schedulerId} returned no result`), exceptionType: 'Error' };
  if (!result.isError) return result.result === undefined ? {} : { result: result.result };
  const detail = result.result && result.result !== '{}' ? result.result : 'the operation threw';
  return { result: JSON.stringify(`Operation '${request.op}' on entity ${schedulerId} failed: ${detail}`), exceptionType: 'Error' };
}

function toBatchResult(value: unknown): EntityBatchResult | { failure: string } {
  const result = value as Partial<EntityBatchResult> | null;
  if (!result || !Array.isArray(result.results)) return { failure: 'The entity function did not return an entity batch result' };
  return { entityExists: result.entityExists === true, entityState: result.entityState, results: result.results, signals: result.signals ?? [] };
}
