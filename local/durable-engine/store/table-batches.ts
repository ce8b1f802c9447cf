/** Table transactions: one partition, at most 100 operations and 4 MiB, all or nothing. */
import type { TableClient, TransactionAction } from '@azure/data-tables';
import { statusOf } from './engine-tables';

const MAX_BATCH = 100;
/** Below the 4 MiB transaction payload limit, counting UTF-16 characters as two bytes. */
const MAX_BATCH_BYTES = 3 * 1024 * 1024;

/** Submits `actions` (one partition) in as few transactions as the limits allow, in order. */
export async function submitInBatches(table: TableClient, actions: TransactionAction[]): Promise<void> {
  let batch: TransactionAction[] = [];
  let bytes = 0;
  for (const action of actions) {
    const size = 2 * JSON.stringify(action[1]).length + 512;
    if (batch.length > 0 && (batch.length >= MAX_BATCH || bytes + size > MAX_BATCH_BYTES)) {
      await table.submitTransaction(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(action);
    bytes += size;
  }
  if (batch.length > 0) await table.submitTransaction(batch);
}

/** Deletes rows of one partition; rows already gone are fine (a retried cleanup may race). */
export async function deleteRows(table: TableClient, partitionKey: string, rowKeys: string[]): Promise<void> {
  for (let i = 0; i < rowKeys.length; i += MAX_BATCH) {
    const slice = rowKeys.slice(i, i + MAX_BATCH);
    try {
      await table.submitTransaction(slice.map((rowKey) => ['delete', { partitionKey, rowKey }] as TransactionAction));
    } catch {
      // One missing row fails the whole transaction; fall back to deleting one by one.
      for (const rowKey of slice) {
        try {
          await table.deleteEntity(partitionKey, rowKey);
        } catch (error) {
          if (statusOf(error) !== 404) throw error;
        }
      }
    }
  }
}
