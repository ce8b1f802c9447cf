/**
 * When a row of the active index may go. The index must stay a superset of the servers not at rest,
 * while writers race each other without a cross-table transaction, so a row is only dropped when no
 * write that could still succeed depends on it.
 *
 * A writer moving a server into an active state upserts the row first, recording `baseEtag` — the
 * ETag its conditional main write is based on ("" for a create) — then writes the server. Whoever
 * considers dropping the row reads the row first and the server second. If the server is at rest
 * with ETag E, the only writes that can still succeed are based on E; such a writer has either
 * already upserted (so the row says `baseEtag = E`: keep it) or will upsert after our read (so the
 * conditional delete on the row's ETag fails, or the upsert re-creates the row). An intent older
 * than the grace period belongs to a writer that gave up and no longer protects the row.
 */
import { SERVER_STATES, type ServerState } from '../../domain/server';

export const RESTING_STATES: readonly ServerState[] = ['Stopped', 'Failed', 'Deleted'];
export const ACTIVE_STATES: readonly ServerState[] = SERVER_STATES.filter((state) => !RESTING_STATES.includes(state));

/** Longest a writer may take between upserting its index row and its main write. */
export const INDEX_INTENT_GRACE_MS = 5 * 60_000;

export function isActiveState(state: ServerState): boolean {
  return !RESTING_STATES.includes(state);
}

export interface IndexIntent {
  /** ETag the writer's main write was based on; "" when it was a create. */
  baseEtag: string;
  /** ISO time the writer upserted the row. */
  intentAt: string;
}

/** The server as read after the index row: `null` when there is no such server. */
export interface StoredState {
  state: ServerState;
  etag: string;
}

export function mayDropIndexRow(
  row: IndexIntent,
  server: StoredState | null,
  now: Date,
  graceMs: number = INDEX_INTENT_GRACE_MS,
): boolean {
  if (server !== null && isActiveState(server.state)) return false;
  const pendingBase = server === null ? '' : server.etag;
  if (row.baseEtag !== pendingBase) return true;
  const intentAt = Date.parse(row.intentAt);
  return Number.isNaN(intentAt) || now.getTime() - intentAt > graceMs;
}
