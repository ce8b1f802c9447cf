/**
 * The active index table: PartitionKey "active", RowKey = server id, with the writer's intent
 * (`baseEtag`, `intentAt`), the state it was writing, and the server's user, project and size, so a
 * scoped read (one user's servers, for the spawn quotas) is one filtered query of this partition.
 * See `active-index-policy.ts` for why a row may or may not be dropped.
 */
import { odata, type TableClient } from '@azure/data-tables';
import type { ActiveServerScope } from '../../domain/ports';
import type { Server } from '../../domain/server';
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
  user: string;
  project: string;
  size: string;
}

/** What a row records of the server being written. */
export type IndexedServer = Pick<Server, 'id' | 'state' | 'user' | 'project' | 'size'>;

export class ActiveIndex {
  constructor(private readonly client: TableClient) {}

  /** Records that a write is about to leave `server` in an active state. */
  async markActive(server: IndexedServer, baseEtag: string, now: Date): Promise<void> {
    const entity: ActiveIndexEntity = {
      partitionKey: ACTIVE_PARTITION,
      rowKey: server.id,
      state: server.state,
      baseEtag,
      intentAt: now.toISOString(),
      user: server.user,
      project: server.project,
      size: server.size,
    };
    try {
      await this.client.upsertEntity(entity, 'Replace');
    } catch (error) {
      throw translateTableError(error, `indexing server ${server.id} as active`);
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

  /**
   * Every row, or the rows of a scope, page by page (however many pages). A row written before rows
   * carried user, project and size matches no scope until its server's next active write.
   */
  async *pages(scope?: ActiveServerScope): AsyncGenerator<ActiveIndexRow[]> {
    const entities = this.client.listEntities<Record<string, unknown>>({
      queryOptions: { filter: scopeFilter(scope) },
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

function scopeFilter(scope: ActiveServerScope | undefined): string {
  const partition = odata`PartitionKey eq ${ACTIVE_PARTITION}`;
  if (scope === undefined) return partition;
  if ('user' in scope) return `${partition} and ${odata`user eq ${scope.user}`}`;
  return `${partition} and ${odata`project eq ${scope.project}`} and ${odata`size eq ${scope.size}`}`;
}

function toRow(entity: Record<string, unknown> & { etag: string; rowKey?: string }): ActiveIndexRow {
  return {
    id: entity.rowKey ?? '',
    etag: entity.etag,
    baseEtag: typeof entity.baseEtag === 'string' ? entity.baseEtag : '',
    intentAt: typeof entity.intentAt === 'string' ? entity.intentAt : '',
  };
}
