/**
 * Reading and tidying the active index: `collectActiveServers` serves the idle sweep from the index
 * (never a scan of every server), `releaseIndexRow` runs after a write that put a server to rest.
 * Both read the index row first and the server second, as `active-index-policy.ts` requires.
 */
import type { ActiveServerScope } from '../../domain/ports';
import type { Server } from '../../domain/server';
import type { ActiveIndex, ActiveIndexRow } from './active-index';
import { isActiveState, mayDropIndexRow } from './active-index-policy';
import type { TableRepositoryLog } from './repository-log';

export type StoredReading =
  | { kind: 'found'; server: Server; etag: string }
  | { kind: 'missing' }
  /** Present but not a valid server (already logged by the reader); its index row is kept. */
  | { kind: 'unreadable' };

export interface ActiveServersDeps {
  index: ActiveIndex;
  read: (id: string) => Promise<StoredReading>;
  now: () => Date;
  log: TableRepositoryLog;
}

/** Point reads run this many at a time. */
const READ_CONCURRENCY = 16;

/**
 * The active servers, or those of `scope`: the index rows say which servers to read, the servers
 * themselves (read after their rows) say whether they are active and in scope.
 */
export async function collectActiveServers(deps: ActiveServersDeps, scope?: ActiveServerScope): Promise<Server[]> {
  const active: Server[] = [];
  for await (const rows of deps.index.pages(scope)) {
    for (let start = 0; start < rows.length; start += READ_CONCURRENCY) {
      const batch = rows.slice(start, start + READ_CONCURRENCY);
      const servers = await Promise.all(batch.map((row) => examineRow(row, deps)));
      for (const server of servers) if (server !== null && inScope(server, scope)) active.push(server);
    }
  }
  return active;
}

function inScope(server: Server, scope: ActiveServerScope | undefined): boolean {
  if (scope === undefined) return true;
  if ('user' in scope) return server.user === scope.user;
  return server.project === scope.project && server.size === scope.size;
}

/** After a write left `id` at rest: drop its index row unless a newer write still needs it. */
export async function releaseIndexRow(id: string, deps: ActiveServersDeps): Promise<void> {
  try {
    const row = await deps.index.read(id);
    if (row !== null) await examineRow(row, deps);
  } catch (error) {
    // The server is already stored; a leftover row only costs the sweep one extra read.
    deps.log('active-index-release-failed', { serverId: id, error });
  }
}

/** The server when it is active; otherwise drops the row if the policy allows and answers null. */
async function examineRow(row: ActiveIndexRow, deps: ActiveServersDeps): Promise<Server | null> {
  const reading = await deps.read(row.id);
  if (reading.kind === 'unreadable') return null;
  if (reading.kind === 'found' && isActiveState(reading.server.state)) return reading.server;
  const stored = reading.kind === 'found' ? { state: reading.server.state, etag: reading.etag } : null;
  if (!mayDropIndexRow(row, stored, deps.now())) return null;
  try {
    if (await deps.index.drop(row)) {
      deps.log('active-index-row-dropped', { serverId: row.id, state: stored?.state ?? null });
    }
  } catch (error) {
    deps.log('active-index-release-failed', { serverId: row.id, error });
  }
  return null;
}
