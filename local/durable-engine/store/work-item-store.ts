/**
 * The `{hub}WorkItems` table, used as two queues ordered by due time (RowKey = due ms + unique):
 *   - partition "message": messages for instances (completions, timers, events, control);
 *     an instance's episode reads its due messages and deletes them once it has committed.
 *   - partition "activity": activity executions, claimed with an ETag-conditional lease so that
 *     only one worker runs each; a lease that is not renewed (crashed host) expires and the
 *     activity runs again, which gives at-least-once execution.
 */
import { randomUUID } from 'node:crypto';
import type { TableClient, TransactionAction } from '@azure/data-tables';
import type { InstanceMessage, QueuedMessage } from '../protocol/instance-message';
import { statusOf } from './engine-tables';
import { instanceBlobPrefix, isMissingBlob, LargeTextStore } from './large-text';
import { deleteRows, submitInBatches } from './table-batches';
import { dueFromRowKey, dueRowKey, dueUpperBound, quote } from './table-keys';

const MESSAGES = 'message';
const ACTIVITIES = 'activity';
const MAX_ROWS_SCANNED = 1_000;
/** Sorts before every ISO time: "not leased". */
const NOT_LEASED = '';

export interface ActivityItem {
  id: string;
  instanceId: string;
  executionId: string;
  taskId: number;
  name: string;
  inputJson?: string;
  lockedUntil: string;
  owner: string;
  etag: string;
}

export type NewActivityItem = Omit<ActivityItem, 'id' | 'lockedUntil' | 'owner' | 'etag'>;

let sequence = 0;
/** Unique and increasing within this process, so messages due in the same millisecond keep their order. */
function uniqueSuffix(): string {
  sequence = (sequence + 1) % 1e9;
  return `${String(sequence).padStart(9, '0')}_${randomUUID().slice(0, 8)}`;
}

export class WorkItemStore {
  /** Called after each message this process queues (the engine wakes its dispatcher). */
  onEnqueue: ((instanceId: string) => void) | undefined;

  /** Blobs of rows this process has read, deleted with the row (long messages and inputs). */
  readonly #blobsOf = new Map<string, string[]>();

  constructor(private readonly table: TableClient, private readonly texts: LargeTextStore) {}

  // ---- messages ----------------------------------------------------------------------------

  async enqueueMessage(instanceId: string, message: InstanceMessage, dueMs = Date.now()): Promise<string> {
    const rowKey = dueRowKey(dueMs, uniqueSuffix());
    await this.table.createEntity({
      partitionKey: MESSAGES,
      rowKey,
      InstanceId: instanceId,
      Kind: message.kind,
      ...(await this.texts.encode('Message', JSON.stringify(message), { prefix: `${instanceBlobPrefix(instanceId)}message/` })),
    });
    this.onEnqueue?.(instanceId);
    return rowKey;
  }

  /** Instances with at least one message due, in order of their oldest due message. */
  async instancesWithDueMessages(nowMs: number, limit: number): Promise<string[]> {
    const filter = `PartitionKey eq ${quote(MESSAGES)} and RowKey lt ${quote(dueUpperBound(nowMs))}`;
    const seen = new Set<string>();
    let scanned = 0;
    // One instance may have thousands of messages queued (a wide fan-out's completions): look at a
    // bounded number of rows, oldest first, rather than the whole queue on every pass.
    for await (const entity of this.table.listEntities({ queryOptions: { filter, select: ['InstanceId'] } })) {
      seen.add(String(entity.InstanceId));
      if (seen.size >= limit || ++scanned >= MAX_ROWS_SCANNED) break;
    }
    return [...seen];
  }

  async dueMessagesFor(instanceId: string, nowMs: number): Promise<QueuedMessage[]> {
    const filter = `PartitionKey eq ${quote(MESSAGES)} and RowKey lt ${quote(dueUpperBound(nowMs))} and InstanceId eq ${quote(instanceId)}`;
    const messages: QueuedMessage[] = [];
    for await (const entity of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
      const id = String(entity.rowKey);
      this.remember(id, entity);
      let text: string | undefined;
      try {
        text = await this.texts.decode(entity, 'Message');
      } catch (error) {
        if (!isMissingBlob(error)) throw error;
        // Its payload went with a purged instance: the message can only be dropped.
        await this.deleteMessages([id]);
        continue;
      }
      messages.push({ id, instanceId, message: JSON.parse(text ?? 'null') as InstanceMessage });
    }
    return messages.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  async deleteMessages(ids: string[]): Promise<void> {
    await deleteRows(this.table, MESSAGES, ids);
    await this.forget(ids);
  }

  /** Due time of the earliest message not yet due, if any. */
  async nextMessageDueMs(nowMs: number): Promise<number | undefined> {
    const filter = `PartitionKey eq ${quote(MESSAGES)} and RowKey ge ${quote(dueUpperBound(nowMs))}`;
    for await (const page of this.table.listEntities({ queryOptions: { filter, select: ['RowKey'] } }).byPage({ maxPageSize: 1 })) {
      const first = page[0];
      if (first) return dueFromRowKey(String(first.rowKey));
      if (!page.continuationToken) break;
    }
    return undefined;
  }

  // ---- activities --------------------------------------------------------------------------

  async enqueueActivity(item: NewActivityItem): Promise<string> {
    const [rowKey] = await this.enqueueActivities([item]);
    return rowKey!;
  }

  /** Queues activities in table transactions (a large fan-out is written in few requests). */
  async enqueueActivities(items: NewActivityItem[]): Promise<string[]> {
    const now = Date.now();
    const actions: TransactionAction[] = [];
    for (const item of items) {
      const input = await this.texts.encode('Input', item.inputJson, { prefix: `${instanceBlobPrefix(item.instanceId)}activity/` });
      actions.push([
        'create',
        {
          partitionKey: ACTIVITIES,
          rowKey: dueRowKey(now, uniqueSuffix()),
          InstanceId: item.instanceId,
          ExecutionId: item.executionId,
          TaskId: item.taskId,
          Name: item.name,
          LockedUntil: NOT_LEASED,
          Owner: '',
          ...input,
        },
      ]);
    }
    await submitInBatches(this.table, actions);
    for (const item of new Set(items.map((candidate) => candidate.instanceId))) this.onEnqueue?.(item);
    return actions.map((action) => String(action[1].rowKey));
  }

  /** Activities whose lease is free or expired, oldest first. */
  async claimableActivities(nowMs: number, limit: number): Promise<ActivityItem[]> {
    const filter = `PartitionKey eq ${quote(ACTIVITIES)} and LockedUntil le ${quote(new Date(nowMs).toISOString())}`;
    return this.queryActivities(filter, limit);
  }

  /** Activities leased by someone, with their owners (to spot leases of a dead local process). */
  async leasedActivities(nowMs: number, limit: number): Promise<ActivityItem[]> {
    const filter = `PartitionKey eq ${quote(ACTIVITIES)} and LockedUntil gt ${quote(new Date(nowMs).toISOString())}`;
    return this.queryActivities(filter, limit);
  }

  /** Takes or renews the lease if the row still has `etag`; returns the new etag or undefined if lost. */
  async lease(item: ActivityItem, owner: string, untilMs: number): Promise<string | undefined> {
    return this.update(item, { LockedUntil: new Date(untilMs).toISOString(), Owner: owner });
  }

  /** Gives the activity back so it runs again without waiting for the lease to expire. */
  async release(item: ActivityItem): Promise<void> {
    await this.update(item, { LockedUntil: NOT_LEASED, Owner: '' });
  }

  async deleteActivity(id: string): Promise<void> {
    await deleteRows(this.table, ACTIVITIES, [id]);
    await this.forget([id]);
  }

  private remember(rowKey: string, entity: Record<string, unknown>): void {
    const names = LargeTextStore.blobNamesOf(entity);
    if (names.length > 0) this.#blobsOf.set(rowKey, names);
  }

  private async forget(rowKeys: string[]): Promise<void> {
    const names = rowKeys.flatMap((rowKey) => this.#blobsOf.get(rowKey) ?? []);
    for (const rowKey of rowKeys) this.#blobsOf.delete(rowKey);
    // Best effort: a blob left behind is deleted with its instance at purge.
    await this.texts.delete(names).catch(() => undefined);
  }

  private async update(item: ActivityItem, fields: { LockedUntil: string; Owner: string }): Promise<string | undefined> {
    try {
      const response = await this.table.updateEntity({ partitionKey: ACTIVITIES, rowKey: item.id, ...fields }, 'Merge', { etag: item.etag });
      return response.etag;
    } catch (error) {
      if (statusOf(error) === 412 || statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  private async queryActivities(filter: string, limit: number): Promise<ActivityItem[]> {
    const items: ActivityItem[] = [];
    for await (const entity of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
      this.remember(String(entity.rowKey), entity);
      let inputJson: string | undefined;
      try {
        inputJson = await this.texts.decode(entity, 'Input');
      } catch (error) {
        if (!isMissingBlob(error)) throw error;
        // Its input went with a purged instance: the activity can only be dropped.
        await this.deleteActivity(String(entity.rowKey));
        continue;
      }
      items.push({
        id: String(entity.rowKey),
        instanceId: String(entity.InstanceId),
        executionId: String(entity.ExecutionId),
        taskId: Number(entity.TaskId),
        name: String(entity.Name),
        inputJson,
        lockedUntil: String(entity.LockedUntil ?? NOT_LEASED),
        owner: String(entity.Owner ?? ''),
        etag: entity.etag,
      });
      if (items.length >= limit) break;
    }
    return items;
  }
}
