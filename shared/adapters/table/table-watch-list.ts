/**
 * The watch list in Table Storage: `<stateTable>watch`, one partition per workspace holding its
 * watcher record (row key `!watcher`, which sorts before every server id, so a query of the
 * partition reads the record before the entries) and one entry per waiting server (row key: its
 * id). An enrolment is one entity-group transaction (entry + record touch), so a watcher that read
 * the record before it cannot go off duty, and one that read it after sees the entry.
 */
import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import type { ListedWatchEntry, WatchEntry, WatcherRecord, WatchList } from '../../domain/watch-list';
import { isTableFailure, translateTableError } from './table-errors';

export const WATCH_SUFFIX = 'watch';
const RECORD_KEY = '!watcher';

type EntryEntity = {
  partitionKey: string;
  rowKey: string;
  run: string;
  serverState: string;
  seen: string;
  dueAt: string;
  launch: string;
  /** Absent when the entry awaits no launch (a Table property cannot be null). */
  awaitsLaunch?: string;
  enrolledAt: string;
  fallbackSeconds: number;
};

export class TableWatchList implements WatchList {
  constructor(private readonly table: TableClient) {}

  async ensureTable(): Promise<void> {
    await this.table.createTable();
  }

  async enrol(project: string, entry: WatchEntry): Promise<WatcherRecord> {
    const partitionKey = partitionOf(project);
    const actions: TransactionAction[] = [
      ['upsert', toEntity(partitionKey, entry), 'Replace'],
      // Any write changes the record's ETag: that is the touch.
      ['upsert', { partitionKey, rowKey: RECORD_KEY, touchedAt: entry.enrolledAt }, 'Merge'],
    ];
    try {
      await this.table.submitTransaction(actions);
    } catch (error) {
      throw translateTableError(error, `enrolling server ${entry.serverId} with the watcher of ${project}`);
    }
    return this.record(project);
  }

  async read(project: string): Promise<{ record: WatcherRecord; entries: ListedWatchEntry[] }> {
    const rows = this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter: odata`PartitionKey eq ${partitionOf(project)}` } });
    let record: WatcherRecord = { onDuty: false, generation: 0, version: null };
    const entries: ListedWatchEntry[] = [];
    try {
      for await (const row of rows) {
        if (row.rowKey === RECORD_KEY) record = toRecord(row);
        else {
          const entry = toEntry(row);
          if (entry) entries.push(entry);
        }
      }
    } catch (error) {
      throw translateTableError(error, `reading the watch list of ${project}`);
    }
    return { record, entries };
  }

  async remove(project: string, entry: ListedWatchEntry): Promise<void> {
    try {
      await this.table.deleteEntity(partitionOf(project), entry.serverId, { etag: entry.version });
    } catch (error) {
      if (isTableFailure(error, 404) || isTableFailure(error, 412)) return; // gone, or enrolled again since
      throw translateTableError(error, `removing server ${entry.serverId} from the watch list of ${project}`);
    }
  }

  release(project: string, record: WatcherRecord): Promise<boolean> {
    return this.writeRecord(project, record, { onDuty: false, generation: record.generation });
  }

  async claim(project: string, record: WatcherRecord): Promise<number | null> {
    const generation = record.generation + 1;
    return (await this.writeRecord(project, record, { onDuty: true, generation })) ? generation : null;
  }

  async record(project: string): Promise<WatcherRecord> {
    try {
      return toRecord(await this.table.getEntity<Record<string, unknown>>(partitionOf(project), RECORD_KEY));
    } catch (error) {
      if (isTableFailure(error, 404)) return { onDuty: false, generation: 0, version: null };
      throw translateTableError(error, `reading the watcher record of ${project}`);
    }
  }

  /** Replaces the record unless it changed since `seen` was read (inserts it when there was none). */
  private async writeRecord(project: string, seen: WatcherRecord, next: { onDuty: boolean; generation: number }): Promise<boolean> {
    const entity = { partitionKey: partitionOf(project), rowKey: RECORD_KEY, ...next };
    try {
      if (seen.version === null) await this.table.createEntity(entity);
      else await this.table.updateEntity(entity, 'Replace', { etag: seen.version });
      return true;
    } catch (error) {
      if (isTableFailure(error, 409) || isTableFailure(error, 412) || isTableFailure(error, 404)) return false;
      throw translateTableError(error, `writing the watcher record of ${project}`);
    }
  }
}

/** Project names are case-insensitive, as the watcher's instance id. */
function partitionOf(project: string): string {
  return project.toLowerCase();
}

function toEntity(partitionKey: string, entry: WatchEntry): EntryEntity {
  return {
    partitionKey,
    rowKey: entry.serverId,
    run: entry.run,
    serverState: entry.serverState,
    seen: entry.seen,
    dueAt: entry.dueAt,
    launch: JSON.stringify(entry.launch),
    ...(entry.awaitsLaunch === null ? {} : { awaitsLaunch: entry.awaitsLaunch }),
    enrolledAt: entry.enrolledAt,
    fallbackSeconds: entry.fallbackSeconds,
  };
}

function toRecord(row: Record<string, unknown> & { etag?: string }): WatcherRecord {
  return {
    onDuty: row.onDuty === true,
    generation: typeof row.generation === 'number' ? row.generation : 0,
    version: row.etag ?? null,
  };
}

function toEntry(row: Record<string, unknown> & { etag?: string }): ListedWatchEntry | null {
  const text = (name: string) => (typeof row[name] === 'string' ? (row[name] as string) : null);
  const run = text('run');
  if ((run !== 'provision' && run !== 'stop' && run !== 'delete') || !row.etag) return null;
  let launch: WatchEntry['launch'] = null;
  try {
    launch = JSON.parse(text('launch') ?? 'null') as WatchEntry['launch'];
  } catch {
    launch = null;
  }
  return {
    serverId: String(row.rowKey),
    run,
    serverState: text('serverState') ?? '',
    seen: text('seen') ?? 'absent',
    dueAt: text('dueAt') ?? new Date(0).toISOString(),
    launch,
    awaitsLaunch: text('awaitsLaunch'),
    enrolledAt: text('enrolledAt') ?? new Date(0).toISOString(),
    fallbackSeconds: typeof row.fallbackSeconds === 'number' ? row.fallbackSeconds : 300,
    version: row.etag,
  };
}
