/**
 * The `{hub}History` table: one row per history event, PartitionKey = instance id, RowKey =
 * "{executionId}_{index}". Rows past the instance's committed `historyCount` are leftovers of an
 * episode that crashed before committing; they are ignored and later overwritten.
 */
import type { TableClient, TransactionAction } from '@azure/data-tables';
import type { HistoryEvent } from '../protocol/history-events';
import { decodeText, encodeText } from './large-text';
import { deleteRows, submitInBatches } from './table-batches';
import { quote, toTableKey } from './table-keys';

const INDEX_WIDTH = 6;

export class HistoryStore {
  constructor(private readonly table: TableClient) {}

  async load(instanceId: string, executionId: string, count: number): Promise<HistoryEvent[]> {
    if (count === 0) return [];
    const filter = `PartitionKey eq ${quote(toTableKey(instanceId))} and RowKey ge ${quote(`${executionId}_`)} and RowKey lt ${quote(`${executionId}_~`)}`;
    const rows: { index: number; event: HistoryEvent }[] = [];
    for await (const entity of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
      const index = Number(String(entity.rowKey).slice(executionId.length + 1));
      if (index < count) rows.push({ index, event: JSON.parse(decodeText(entity, 'Event') ?? 'null') as HistoryEvent });
    }
    rows.sort((a, b) => a.index - b.index);
    if (rows.length !== count) {
      throw new Error(`History of ${instanceId} (execution ${executionId}) has ${rows.length} of ${count} events`);
    }
    return rows.map((row) => row.event);
  }

  /** Writes events at positions startIndex.. (upserts, so a re-run of a crashed episode overwrites). */
  async append(instanceId: string, executionId: string, startIndex: number, events: HistoryEvent[]): Promise<void> {
    const partitionKey = toTableKey(instanceId);
    const actions: TransactionAction[] = events.map((event, offset) => [
      'upsert',
      {
        partitionKey,
        rowKey: `${executionId}_${String(startIndex + offset).padStart(INDEX_WIDTH, '0')}`,
        EventType: event.EventType,
        ...encodeText('Event', JSON.stringify(event)),
      },
      'Replace',
    ]);
    await submitInBatches(this.table, actions);
  }

  /** Deletes the history of every execution of the instance except `keepExecutionId`. */
  async deleteAllExcept(instanceId: string, keepExecutionId?: string): Promise<number> {
    const partitionKey = toTableKey(instanceId);
    const rowKeys: string[] = [];
    const filter = `PartitionKey eq ${quote(partitionKey)}`;
    for await (const entity of this.table.listEntities({ queryOptions: { filter, select: ['RowKey'] } })) {
      const rowKey = String(entity.rowKey);
      if (keepExecutionId === undefined || !rowKey.startsWith(`${keepExecutionId}_`)) rowKeys.push(rowKey);
    }
    await deleteRows(this.table, partitionKey, rowKeys);
    return rowKeys.length;
  }
}
