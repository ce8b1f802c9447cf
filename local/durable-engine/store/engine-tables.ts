/**
 * The task hub's tables, named after the hub as the Azure Storage provider names them:
 * `{hub}Instances`, `{hub}History`, plus `{hub}WorkItems` (our queue of due work).
 */
import { TableClient, type TableServiceClientOptions } from '@azure/data-tables';

export interface EngineTables {
  instances: TableClient;
  history: TableClient;
  workItems: TableClient;
}

export async function openEngineTables(connectionString: string, hubName: string): Promise<EngineTables> {
  // Azurite speaks plain http, which the SDK refuses unless told; this engine is local-only anyway.
  const options: TableServiceClientOptions = { allowInsecureConnection: true };
  const client = (suffix: string) => TableClient.fromConnectionString(connectionString, `${hubName}${suffix}`, options);
  const tables: EngineTables = { instances: client('Instances'), history: client('History'), workItems: client('WorkItems') };
  await Promise.all(Object.values(tables).map((table: TableClient) => table.createTable()));
  return tables;
}

/** The HTTP status of a Table Storage error, if it is one. */
export function statusOf(error: unknown): number | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}
