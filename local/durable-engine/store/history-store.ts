/**
 * The `{hub}History` table: one row per history event, PartitionKey = instance id, RowKey =
 * "{executionId}_{index}". Rows past the instance's committed `historyCount` are leftovers of an
 * episode that crashed before committing; they are ignored and later overwritten. An event too
 * long for a row (a large activity result) is kept in a blob named after its row, so a rewrite
 * of the same row overwrites the same blob.
 */
import type { TableClient, TransactionAction } from '@azure/data-tables';
import type { HistoryEvent } from '../protocol/history-events';
import { instanceBlobPrefix, LargeTextStore } from './large-text';
import { deleteRows, submitInBatches } from './table-batches';
import { quote, toTableKey } from './table-keys';

const INDEX_WIDTH = 6;
/**
 * Histories kept in memory, most recently used: enough for every run of a class-sized burst, so an
 * episode replays from memory instead of querying the table (Azurite scans the whole table for a query).
 */
const CACHED_INSTANCES = 2_000;

export class HistoryStore {
  readonly #cache = new Map<string, { executionId: string; events: HistoryEvent[] }>();

  constructor(private readonly table: TableClient, private readonly texts: LargeTextStore) {}

  async load(instanceId: string, executionId: string, count: number): Promise<HistoryEvent[]> {
    if (count === 0) return [];
    // Committed rows never change, so a cached prefix of this execution's history stays valid:
    // only the rows after it are read (a long orchestration replays without re-reading everything).
    const cached = this.#cache.get(instanceId);
    const known = cached && cached.executionId === executionId && cached.events.length <= count ? cached.events : [];
    const from = `${executionId}_${String(known.length).padStart(INDEX_WIDTH, '0')}`;
    const filter = `PartitionKey eq ${quote(toTableKey(instanceId))} and RowKey ge ${quote(from)} and RowKey lt ${quote(`${executionId}_~`)}`;
    const rows: { index: number; event: Promise<HistoryEvent> }[] = [];
    if (known.length < count) {
      for await (const entity of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
        const index = Number(String(entity.rowKey).slice(executionId.length + 1));
        if (index < count) rows.push({ index, event: this.texts.decode(entity, 'Event').then((text) => JSON.parse(text ?? 'null') as HistoryEvent) });
      }
    }
    rows.sort((a, b) => a.index - b.index);
    if (known.length + rows.length !== count) {
      throw new Error(`History of ${instanceId} (execution ${executionId}) has ${known.length + rows.length} of ${count} events`);
    }
    const events = [...known, ...(await Promise.all(rows.map((row) => row.event)))];
    this.remember(instanceId, executionId, events);
    // Callers copy before changing an event (the episode marks replayed events as played on copies).
    return events.slice();
  }

  /**
   * The episode that appended `events` at `startIndex` committed them (its instance row now counts
   * them): a cached prefix that ends where they begin grows by them, so the next episode reads nothing.
   */
  committed(instanceId: string, executionId: string, startIndex: number, events: readonly HistoryEvent[]): void {
    const cached = this.#cache.get(instanceId);
    const known = startIndex === 0 ? [] : cached?.executionId === executionId && cached.events.length === startIndex ? cached.events : undefined;
    if (known === undefined) return;
    // As a load would return them: what was stored is their JSON.
    this.remember(instanceId, executionId, [...known, ...(JSON.parse(JSON.stringify(events)) as HistoryEvent[])]);
  }

  private remember(instanceId: string, executionId: string, events: HistoryEvent[]): void {
    this.#cache.delete(instanceId);
    this.#cache.set(instanceId, { executionId, events });
    // Least recently used first (Map keeps insertion order).
    for (const oldest of this.#cache.keys()) {
      if (this.#cache.size <= CACHED_INSTANCES) break;
      this.#cache.delete(oldest);
    }
  }

  /** Writes events at positions startIndex.. (upserts, so a re-run of a crashed episode overwrites). */
  async append(instanceId: string, executionId: string, startIndex: number, events: HistoryEvent[]): Promise<void> {
    const partitionKey = toTableKey(instanceId);
    const actions: TransactionAction[] = [];
    for (const [offset, event] of events.entries()) {
      const rowKey = `${executionId}_${String(startIndex + offset).padStart(INDEX_WIDTH, '0')}`;
      const blobName = `${instanceBlobPrefix(instanceId)}history/${rowKey}`;
      const text = await this.texts.encode('Event', JSON.stringify(event), { name: blobName });
      actions.push(['upsert', { partitionKey, rowKey, EventType: event.EventType, ...text }, 'Replace']);
    }
    await submitInBatches(this.table, actions);
  }

  /** Deletes the history (rows and blobs) of every execution of the instance except `keepExecutionId`. */
  async deleteAllExcept(instanceId: string, keepExecutionId?: string): Promise<number> {
    const partitionKey = toTableKey(instanceId);
    const rowKeys: string[] = [];
    const blobNames: string[] = [];
    const filter = `PartitionKey eq ${quote(partitionKey)}`;
    for await (const entity of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter, select: ['RowKey', 'EventBlobName'] } })) {
      const rowKey = String(entity.rowKey);
      if (keepExecutionId === undefined || !rowKey.startsWith(`${keepExecutionId}_`)) {
        rowKeys.push(rowKey);
        blobNames.push(...LargeTextStore.blobNamesOf(entity));
      }
    }
    if (keepExecutionId === undefined || this.#cache.get(instanceId)?.executionId !== keepExecutionId) this.#cache.delete(instanceId);
    await deleteRows(this.table, partitionKey, rowKeys);
    await this.texts.delete(blobNames);
    return rowKeys.length;
  }
}
