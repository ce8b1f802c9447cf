/** Table transactions: one partition, at most 100 operations, all or nothing. */
import type { TableClient, TransactionAction } from '@azure/data-tables';
import { statusOf } from './engine-tables';

const MAX_BATCH = 100;

export async function submitInBatches(table: TableClient, actions: TransactionAction[]): Promise<void> {
  for (let i = 0; i < actions.length; i += MAX_BATCH) {
    await table.submitTransaction(actions.slice(i, i + MAX_BATCH));
  }
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
