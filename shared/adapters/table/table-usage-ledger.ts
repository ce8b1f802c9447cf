/**
 * `UsageLedger` on Table Storage: one entity per Running interval. PartitionKey is the month the
 * interval started (YYYY-MM, UTC), so a window reads only its months and the one before; RowKey is
 * `<server id>_<start>`, so both the open and the close of an interval address the same row.
 */
import type { TableClient } from '@azure/data-tables';
import type { UsageLedger } from '../../domain/ports';
import type { UsageInterval } from '../../domain/usage';
import { createTableClient, type TableConnection } from './server-tables';
import { isTableFailure, translateTableError } from './table-errors';

/**
 * The longest a Running interval can last and still be found by a window it overlaps: the sweep
 * stops a server after MAX_RUNTIME_HOURS (at most days), so one month back is ample.
 */
const LOOKBACK_MONTHS = 1;
/** Open intervals are looked for this far back (twice the look-back, for a sweep that was down). */
const OPEN_LOOKBACK_MONTHS = 2;

interface LedgerEntity {
  partitionKey: string;
  rowKey: string;
  serverId: string;
  start: string;
  end: string;
  isOpen: boolean;
  user: string;
  userObjectId: string;
  project: string;
  size: string;
  vmSize: string;
  region: string;
}

export class TableUsageLedger implements UsageLedger {
  private readonly table: TableClient;

  constructor(connection: TableConnection, tableName: string, private readonly now: () => Date = () => new Date()) {
    this.table = createTableClient(connection, tableName);
  }

  async ensureTable(): Promise<void> {
    try {
      await this.table.createTable();
    } catch (error) {
      throw translateTableError(error, 'creating the usage table');
    }
  }

  async open(interval: UsageInterval): Promise<void> {
    try {
      await this.table.createEntity(toEntity({ ...interval, end: null }));
    } catch (error) {
      // Already recorded (a retry, or the close got there first): the stored row is right.
      if (isTableFailure(error, 409)) return;
      throw translateTableError(error, `recording usage of ${interval.serverId}`);
    }
  }

  async close(interval: UsageInterval & { end: string }): Promise<void> {
    try {
      await this.table.upsertEntity(toEntity(interval), 'Merge');
    } catch (error) {
      throw translateTableError(error, `recording usage of ${interval.serverId}`);
    }
  }

  async overlapping(from: Date, to: Date): Promise<UsageInterval[]> {
    const filter = `${monthRange(shiftMonths(from, -LOOKBACK_MONTHS), to)} and start lt ${quote(to.toISOString())} and (isOpen eq true or end gt ${quote(from.toISOString())})`;
    return this.query(filter);
  }

  async listOpen(): Promise<UsageInterval[]> {
    const now = this.now();
    return this.query(`${monthRange(shiftMonths(now, -OPEN_LOOKBACK_MONTHS), now)} and isOpen eq true`);
  }

  private async query(filter: string): Promise<UsageInterval[]> {
    const found: UsageInterval[] = [];
    try {
      for await (const entity of this.table.listEntities<LedgerEntity>({ queryOptions: { filter } })) found.push(fromEntity(entity));
    } catch (error) {
      if (isTableFailure(error, 404)) return found;
      throw translateTableError(error, 'reading the usage ledger');
    }
    return found;
  }
}

function toEntity(interval: UsageInterval): LedgerEntity {
  const start = new Date(interval.start).toISOString();
  return {
    partitionKey: start.slice(0, 7),
    rowKey: `${interval.serverId}_${start}`,
    serverId: interval.serverId,
    start,
    end: interval.end === null ? '' : new Date(interval.end).toISOString(),
    isOpen: interval.end === null,
    user: interval.user,
    userObjectId: interval.userObjectId ?? '',
    project: interval.project,
    size: interval.size,
    vmSize: interval.vmSize,
    region: interval.region,
  };
}

function fromEntity(entity: LedgerEntity): UsageInterval {
  return {
    serverId: entity.serverId,
    start: entity.start,
    end: entity.isOpen || entity.end === '' ? null : entity.end,
    user: entity.user,
    userObjectId: entity.userObjectId === '' ? null : entity.userObjectId,
    project: entity.project,
    size: entity.size,
    vmSize: entity.vmSize,
    region: entity.region,
  };
}

/** An OData string literal (quotes doubled). */
function quote(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** PartitionKey between the months of `from` and `to` (inclusive). */
function monthRange(from: Date, to: Date): string {
  return `PartitionKey ge ${quote(from.toISOString().slice(0, 7))} and PartitionKey le ${quote(to.toISOString().slice(0, 7))}`;
}

function shiftMonths(at: Date, months: number): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + months, 1));
}
