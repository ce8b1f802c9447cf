/** A Table Storage server repository over its own fresh pair of tables, plus raw clients to look inside. */
import { TableClient } from '@azure/data-tables';
import { randomUUID } from 'node:crypto';
import { TableServerRepository, type TableRepositoryEvent } from '../../shared/adapters/table';
import { isAppError, type AppError } from '../../shared/domain/errors';
import type { Server, ServerState } from '../../shared/domain/server';

export interface RepositoryFixture {
  repository: TableServerRepository;
  /** Raw clients of the main table and of the active index. */
  servers: TableClient;
  index: TableClient;
  events: { event: TableRepositoryEvent; fields: Record<string, unknown> }[];
  /** Another repository (another writer) on the same tables. */
  another(options?: { maxUpdateAttempts?: number }): TableServerRepository;
}

export async function repositoryFixture(connectionString: string, options: { maxUpdateAttempts?: number } = {}): Promise<RepositoryFixture> {
  const tableName = `servers${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const events: RepositoryFixture['events'] = [];
  const repository = new TableServerRepository({
    connectionString,
    tableName,
    log: (event, fields) => events.push({ event, fields }),
    ...options,
  });
  await repository.ensureTables();
  const raw = (name: string) => TableClient.fromConnectionString(connectionString, name, { allowInsecureConnection: true });
  return {
    repository,
    servers: raw(tableName),
    index: raw(`${tableName}active`),
    events,
    another: (more = {}) => new TableServerRepository({ connectionString, tableName, ...more }),
  };
}

export async function expectAppError(promise: Promise<unknown>, code: AppError['code']): Promise<AppError> {
  const error = await promise.then(() => undefined, (caught: unknown) => caught);
  expect(isAppError(error, code)).toBe(true);
  return error as AppError;
}

export async function indexedIds(index: TableClient): Promise<string[]> {
  const ids: string[] = [];
  for await (const row of index.listEntities()) ids.push(row.rowKey ?? '');
  return ids.sort();
}

/** A mutation moving the server to `state`. */
export const withState = (state: ServerState) => (server: Server): Server => ({ ...server, state, updatedAt: new Date().toISOString() });
