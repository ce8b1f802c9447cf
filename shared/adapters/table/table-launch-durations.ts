/**
 * Launch durations in Table Storage: `<stateTable>times`, one partition per (region, VM size,
 * kind), row keys that sort newest first, so "the last ten" is one query of one partition.
 */
import { TableClient } from '@azure/data-tables';
import type { LaunchDurations, LaunchKey } from '../../domain/launch-durations';
import { createServerTables, type TableConnection } from './server-tables';

export const TIMINGS_SUFFIX = 'times';

interface DurationEntity {
  partitionKey: string;
  rowKey: string;
  seconds: number;
  endedAt: string;
}

/** Largest epoch milliseconds a row key counts down from (year 2286): newest rows sort first. */
const EPOCH_CEILING = 9_999_999_999_999;

export class TableLaunchDurations implements LaunchDurations {
  private readonly table: TableClient;

  constructor(options: TableConnection & { tableName: string }) {
    // The same connection and naming rules as the server tables; only the table differs.
    const servers = createServerTables(options, options.tableName).servers;
    this.table = 'connectionString' in options
      ? TableClient.fromConnectionString(options.connectionString, `${options.tableName}${TIMINGS_SUFFIX}`, insecureWhenHttp(servers.url))
      : new TableClient(options.endpoint, `${options.tableName}${TIMINGS_SUFFIX}`, options.credential, insecureWhenHttp(servers.url));
  }

  async ensureTable(): Promise<void> {
    await this.table.createTable();
  }

  async recent(key: LaunchKey, limit: number): Promise<number[]> {
    const rows = this.table.listEntities<DurationEntity>({
      queryOptions: { filter: `PartitionKey eq '${partitionOf(key).replace(/'/g, "''")}'`, select: ['seconds'] },
    });
    const seconds: number[] = [];
    for await (const page of rows.byPage({ maxPageSize: limit })) {
      for (const row of page) if (typeof row.seconds === 'number') seconds.push(row.seconds);
      break; // one page: the newest `limit` rows
    }
    return seconds.slice(0, limit);
  }

  async record(key: LaunchKey, seconds: number, endedAt: string): Promise<void> {
    const at = Date.parse(endedAt);
    const rowKey = `${String(EPOCH_CEILING - at).padStart(13, '0')}-${Math.random().toString(36).slice(2, 8)}`;
    await this.table.createEntity<DurationEntity>({ partitionKey: partitionOf(key), rowKey, seconds, endedAt });
  }
}

/** Partition keys may not hold / \ # ?; region and VM size names have none of them. */
function partitionOf(key: LaunchKey): string {
  return `${key.region.toLowerCase()}|${key.vmSize}|${key.kind}`.replace(/[/\\#?]/g, '_');
}

function insecureWhenHttp(url: string) {
  return new URL(url).protocol === 'http:' ? { allowInsecureConnection: true } : {};
}
