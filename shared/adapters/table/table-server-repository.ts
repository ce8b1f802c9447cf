/**
 * `ServerRepository` on Azure Table Storage. One entity per server (see `server-entity.ts`), every
 * write conditional on the ETag, and an index of the servers not at rest (see `active-index.ts`)
 * kept a superset of them: upserted before a write that leaves a server active, released after a
 * write that puts it to rest.
 */
import type { TableClient } from '@azure/data-tables';
import { AppError, isAppError } from '../../domain/errors';
import type { ActiveServerScope, ServerListQuery, ServerMutation, ServerPage, ServerRepository } from '../../domain/ports';
import type { Server, VersionedServer } from '../../domain/server';
import { ActiveIndex } from './active-index';
import { isActiveState } from './active-index-policy';
import { collectActiveServers, releaseIndexRow, type ActiveServersDeps, type StoredReading } from './active-servers';
import { silentLog, type TableRepositoryLog } from './repository-log';
import { SERVER_ROW_KEY, fromServerEntity, storedForm, toServerEntity } from './server-entity';
import { readServerPage } from './server-list-reader';
import { createServerTables, ensureServerTables, type ServerTables, type TableConnection } from './server-tables';
import { isTableFailure, translateTableError } from './table-errors';

export type TableServerRepositoryOptions = TableConnection & {
  /** Main table; the index is `<tableName>active`. */
  tableName: string;
  /** Attempts of `update` before it gives up with `concurrent-update` (default 5). */
  maxUpdateAttempts?: number;
  now?: () => Date;
  log?: TableRepositoryLog;
};

const DEFAULT_UPDATE_ATTEMPTS = 5;
const RETRY_BASE_DELAY_MS = 15;
const RETRY_MAX_DELAY_MS = 250;

/** Characters Table Storage refuses in keys; no stored server can have such an id. */
const KEY_FORBIDDEN = /[/\\#?\u0000-\u001f\u007f-\u009f]/;

export class TableServerRepository implements ServerRepository {
  private readonly tables: ServerTables;
  private readonly servers: TableClient;
  private readonly index: ActiveIndex;
  private readonly maxUpdateAttempts: number;
  private readonly now: () => Date;
  private readonly log: TableRepositoryLog;
  private readonly indexDeps: ActiveServersDeps;

  constructor(options: TableServerRepositoryOptions) {
    this.tables = createServerTables(options, options.tableName);
    this.servers = this.tables.servers;
    this.index = new ActiveIndex(this.tables.active);
    this.maxUpdateAttempts = Math.max(1, options.maxUpdateAttempts ?? DEFAULT_UPDATE_ATTEMPTS);
    this.now = options.now ?? (() => new Date());
    this.log = options.log ?? silentLog;
    this.indexDeps = { index: this.index, read: (id) => this.read(id), now: this.now, log: this.log };
  }

  /** Creates the table and its index when missing; the composition root calls it once at start-up. */
  async ensureTables(): Promise<void> {
    try {
      await ensureServerTables(this.tables);
    } catch (error) {
      throw translateTableError(error, 'creating the state tables');
    }
  }

  async get(id: string): Promise<VersionedServer | null> {
    const reading = await this.read(id);
    if (reading.kind === 'missing') return null;
    if (reading.kind === 'unreadable') throw new AppError('internal', `Stored server ${id} cannot be read`);
    return { server: reading.server, etag: reading.etag };
  }

  async create(server: Server): Promise<VersionedServer | null> {
    assertStorableId(server.id);
    if (isActiveState(server.state)) await this.index.markActive(server, '', this.now());
    try {
      const { etag } = await this.servers.createEntity(toServerEntity(server));
      return { server: storedForm(server), etag: requireEtag(etag, server.id) };
    } catch (error) {
      if (isTableFailure(error, 409)) return null;
      throw translateTableError(error, `creating server ${server.id}`);
    }
  }

  async replace(server: Server, etag: string): Promise<VersionedServer> {
    assertStorableId(server.id);
    const active = isActiveState(server.state);
    if (active) await this.index.markActive(server, etag, this.now());
    let stored: VersionedServer;
    try {
      const result = await this.servers.updateEntity(toServerEntity(server), 'Replace', { etag });
      stored = { server: storedForm(server), etag: requireEtag(result.etag, server.id) };
    } catch (error) {
      if (isTableFailure(error, 412)) {
        throw new AppError('concurrent-update', `Server ${server.id} was changed since it was read`, { cause: error });
      }
      if (isTableFailure(error, 404)) throw new AppError('server-not-found', `No server ${server.id}`, { cause: error });
      throw translateTableError(error, `writing server ${server.id}`);
    }
    if (!active) await releaseIndexRow(server.id, this.indexDeps);
    return stored;
  }

  async update(id: string, mutate: ServerMutation): Promise<VersionedServer | null> {
    for (let attempt = 1; ; attempt += 1) {
      const current = await this.get(id);
      if (current === null) return null;
      const next = mutate(current.server);
      if (next === null) return current;
      if (next.id !== id) throw new AppError('internal', `A mutation of server ${id} changed its id to ${next.id}`);
      try {
        return await this.replace(next, current.etag);
      } catch (error) {
        if (!isAppError(error, 'concurrent-update') || attempt >= this.maxUpdateAttempts) throw error;
      }
      await delay(retryDelayMs(attempt));
    }
  }

  list(query: ServerListQuery): Promise<ServerPage> {
    return readServerPage(this.servers, query, this.log);
  }

  listActive(scope?: ActiveServerScope): Promise<Server[]> {
    return collectActiveServers(this.indexDeps, scope);
  }

  /** One point read, telling a missing server from one whose entity is not readable. */
  private async read(id: string): Promise<StoredReading> {
    if (!isStorableId(id)) return { kind: 'missing' };
    let entity: Record<string, unknown> & { etag: string };
    try {
      entity = await this.servers.getEntity<Record<string, unknown>>(id, SERVER_ROW_KEY);
    } catch (error) {
      if (isTableFailure(error, 404)) return { kind: 'missing' };
      throw translateTableError(error, `reading server ${id}`);
    }
    const reading = fromServerEntity(entity);
    if (!reading.ok) {
      this.log('server-entity-unreadable', { serverId: id, problems: reading.problems });
      return { kind: 'unreadable' };
    }
    return { kind: 'found', server: reading.server, etag: entity.etag };
  }
}

function isStorableId(id: string): boolean {
  return id.length > 0 && id.length <= 256 && !KEY_FORBIDDEN.test(id);
}

function assertStorableId(id: string): void {
  if (!isStorableId(id)) throw new AppError('internal', `Server id ${JSON.stringify(id)} cannot be a Table Storage key`);
}

function requireEtag(etag: string | undefined, id: string): string {
  if (etag === undefined) throw new AppError('internal', `Table Storage returned no ETag for server ${id}`);
  return etag;
}

/** Exponential back-off with full jitter, so racing writers spread out. */
function retryDelayMs(attempt: number): number {
  const ceiling = Math.min(RETRY_MAX_DELAY_MS, RETRY_BASE_DELAY_MS * 2 ** attempt);
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
