/**
 * The active index table: PartitionKey "active", RowKey = server id, with the writer's intent
 * (`baseEtag`, `intentAt`) and the state it was writing. See `active-index-policy.ts` for why a row
 * may or may not be dropped.
 */
import { odata, type TableClient } from '@azure/data-tables';
import type { ServerState } from '../../domain/server';
import type { IndexIntent } from './active-index-policy';
import { isTableFailure, translateTableError } from './table-errors';

export const ACTIVE_PARTITION = 'active';

export interface ActiveIndexRow extends IndexIntent {
  id: string;
  /** ETag of the index row itself, guarding its conditional delete. */
  etag: string;
}

interface ActiveIndexEntity {
  partitionKey: string;
  rowKey: string;
  state: string;
  baseEtag: string;
  intentAt: string;
}

export class ActiveIndex {
  constructor(private readonly client: TableClient) {}

  /** Records that a write is about to leave `id` in an active state. */
  async markActive(id: string, state: ServerState, baseEtag: string, now: Date): Promise<void> {
    const entity: ActiveIndexEntity = {
      partitionKey: ACTIVE_PARTITION,
      rowKey: id,
      state,
      baseEtag,
      intentAt: now.toISOString(),
    };
    try {
      await this.client.upsertEntity(entity, 'Replace');
    } catch (error) {
      throw translateTableError(error, `indexing server ${id} as active`);
    }
  }

  async read(id: string): Promise<ActiveIndexRow | null> {
    try {
      return toRow(await this.client.getEntity<Record<string, unknown>>(ACTIVE_PARTITION, id));
    } catch (error) {
      if (isTableFailure(error, 404)) return null;
      throw translateTableError(error, `reading the active index row of ${id}`);
    }
  }

  /** Every row, page by page (the whole partition, however many pages). */
  async *pages(): AsyncGenerator<ActiveIndexRow[]> {
    const entities = this.client.listEntities<Record<string, unknown>>({
      queryOptions: { filter: odata`PartitionKey eq ${ACTIVE_PARTITION}` },
    });
    try {
      for await (const page of entities.byPage({ maxPageSize: 1000 })) {
        yield page.map(toRow);
      }
    } catch (error) {
      throw translateTableError(error, 'listing the active index');
    }
  }

  /** Deletes the row unless it changed since it was read; answers whether it was deleted. */
  async drop(row: ActiveIndexRow): Promise<boolean> {
    try {
      await this.client.deleteEntity(ACTIVE_PARTITION, row.id, { etag: row.etag });
      return true;
    } catch (error) {
      if (isTableFailure(error, 404) || isTableFailure(error, 412)) return false;
      throw translateTableError(error, `dropping the active index row of ${row.id}`);
    }
  }
}

function toRow(entity: Record<string, unknown> & { etag: string; rowKey?: string }): ActiveIndexRow {
  return {
    id: entity.rowKey ?? '',
    etag: entity.etag,
    baseEtag: typeof entity.baseEtag === 'string' ? entity.baseEtag : '',
    intentAt: typeof entity.intentAt === 'string' ? entity.intentAt : '',
  };
}
