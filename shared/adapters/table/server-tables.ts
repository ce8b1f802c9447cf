/**
 * The two tables behind the server repository, built from configuration:
 * `<tableName>` holds one entity per server, `<tableName>active` indexes the servers not at rest.
 * Plain `http` is allowed exactly when the configured endpoint says `http` (Azurite); nothing here
 * guesses whether it runs locally.
 */
import { TableClient, type TableServiceClientOptions } from '@azure/data-tables';
import type { TokenCredential } from '@azure/identity';
import { AppError } from '../../domain/errors';

export type TableConnection = { connectionString: string } | { endpoint: string; credential: TokenCredential };

export interface ServerTables {
  servers: TableClient;
  active: TableClient;
}

export const ACTIVE_INDEX_SUFFIX = 'active';

/** Table names are 3–63 letters and digits starting with a letter; the index adds a suffix. */
const TABLE_NAME = new RegExp(`^[A-Za-z][A-Za-z0-9]{2,${62 - ACTIVE_INDEX_SUFFIX.length}}$`);

export function createServerTables(connection: TableConnection, tableName: string): ServerTables {
  if (!TABLE_NAME.test(tableName)) {
    throw new AppError(
      'internal',
      `Table name "${tableName}" must be 3–${63 - ACTIVE_INDEX_SUFFIX.length} letters and digits starting with a letter`,
    );
  }
  const indexName = `${tableName}${ACTIVE_INDEX_SUFFIX}`;
  return { servers: createClient(connection, tableName), active: createClient(connection, indexName) };
}

export function createClient(connection: TableConnection, tableName: string): TableClient {
  if ('connectionString' in connection) {
    // Let the library parse the connection string, then look at the endpoint it found.
    const parsed = TableClient.fromConnectionString(connection.connectionString, tableName);
    return isHttp(parsed.url)
      ? TableClient.fromConnectionString(connection.connectionString, tableName, insecure())
      : parsed;
  }
  return isHttp(connection.endpoint)
    ? new TableClient(connection.endpoint, tableName, connection.credential, insecure())
    : new TableClient(connection.endpoint, tableName, connection.credential);
}

function isHttp(url: string): boolean {
  return new URL(url).protocol === 'http:';
}

function insecure(): TableServiceClientOptions {
  return { allowInsecureConnection: true };
}

/** Creates both tables when missing; the library already treats "table exists" as success. */
export async function ensureServerTables(tables: ServerTables): Promise<void> {
  await Promise.all([tables.servers.createTable(), tables.active.createTable()]);
}
