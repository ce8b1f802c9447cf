/**
 * The usage ledger fed from the lifecycle itself: a `ServerRepository` that, after each successful
 * conditional write, records the Running interval it opened or closed. The conditional write
 * decides the transition (only one writer moves a server in or out of Running), so the ledger
 * sees each transition once; its writes are idempotent, so a retry never doubles an interval.
 * A ledger write that fails never fails the transition: it is logged, and the sweep's ledger step
 * (`settleUsageLedger`) repairs it from the servers' state.
 */
import type { ActiveServerScope, ServerListQuery, ServerMutation, ServerPage, ServerRepository, UsageLedger } from '../domain/ports';
import type { Server, VersionedServer } from '../domain/server';
import type { UsageInterval } from '../domain/usage';
import { consoleLog, type AppLogEvents } from '../logging/log-events';

export type RegionOf = (project: string) => Promise<string>;
export type UsageLog = (event: 'usage.record-failed', fields: AppLogEvents['usage.record-failed']) => void;

export class UsageRecordingServers implements ServerRepository {
  constructor(
    private readonly inner: ServerRepository,
    private readonly ledger: UsageLedger,
    private readonly regionOf: RegionOf,
    private readonly log: UsageLog = consoleLog.warn,
  ) {}

  get(id: string): Promise<VersionedServer | null> {
    return this.inner.get(id);
  }

  async create(server: Server): Promise<VersionedServer | null> {
    const stored = await this.inner.create(server);
    if (stored) await this.recorded(null, stored.server);
    return stored;
  }

  /** Callers replace only servers they read; a move out of Running always goes through `update`. */
  async replace(server: Server, etag: string): Promise<VersionedServer> {
    const stored = await this.inner.replace(server, etag);
    await this.recorded(null, stored.server);
    return stored;
  }

  async update(id: string, mutate: ServerMutation): Promise<VersionedServer | null> {
    // The last attempt's reading is the one the stored write replaced.
    const seen: { before: Server | null; changed: boolean } = { before: null, changed: false };
    const stored = await this.inner.update(id, (current) => {
      const next = mutate(current);
      seen.before = current;
      seen.changed = next !== null;
      return next;
    });
    if (stored && seen.changed) await this.recorded(seen.before, stored.server);
    return stored;
  }

  list(query: ServerListQuery): Promise<ServerPage> {
    return this.inner.list(query);
  }

  listActive(scope?: ActiveServerScope): Promise<Server[]> {
    return this.inner.listActive(scope);
  }

  /** Opens an interval when the write made the server Running; closes one when it left Running. */
  private async recorded(before: Server | null, after: Server): Promise<void> {
    try {
      if (after.state === 'Running' && after.startedAt !== null && before?.state !== 'Running') {
        await this.ledger.open(await intervalOf(after, this.regionOf));
      } else if (before?.state === 'Running' && after.state !== 'Running' && before.startedAt !== null) {
        await this.ledger.close({ ...(await intervalOf(before, this.regionOf)), end: after.updatedAt });
      }
    } catch (error) {
      this.log('usage.record-failed', { serverId: after.id, state: after.state, message: error instanceof Error ? error.message : String(error) });
    }
  }
}

/** The ledger row of the server's current Running interval (it must have a `startedAt`). */
export async function intervalOf(server: Server, regionOf: RegionOf): Promise<UsageInterval> {
  return {
    serverId: server.id,
    start: server.startedAt ?? server.updatedAt,
    end: null,
    user: server.user,
    userObjectId: server.userObjectId,
    project: server.project,
    size: server.size,
    vmSize: server.vmSize,
    region: await regionOf(server.project),
  };
}
