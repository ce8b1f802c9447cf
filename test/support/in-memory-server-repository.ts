/** A ServerRepository in memory, for logic tests (the real one is tested against Azurite). */
import { AppError } from '../../shared/domain/errors';
import { isAtRest } from '../../shared/domain/lifecycle';
import type { ActiveServerScope, ServerListQuery, ServerMutation, ServerPage, ServerRepository } from '../../shared/domain/ports';
import type { Server, VersionedServer } from '../../shared/domain/server';

export class InMemoryServerRepository implements ServerRepository {
  private readonly rows = new Map<string, VersionedServer>();
  private version = 0;

  async get(id: string): Promise<VersionedServer | null> {
    const row = this.rows.get(id);
    return row ? structuredClone(row) : null;
  }

  async create(server: Server): Promise<VersionedServer | null> {
    if (this.rows.has(server.id)) return null;
    return this.store(server);
  }

  async replace(server: Server, etag: string): Promise<VersionedServer> {
    if (this.rows.get(server.id)?.etag !== etag) throw new AppError('concurrent-update', `Server ${server.id} changed`);
    return this.store(server);
  }

  async update(id: string, mutate: ServerMutation): Promise<VersionedServer | null> {
    const row = await this.get(id);
    if (!row) return null;
    const next = mutate(row.server);
    return next ? this.replace(next, row.etag) : row;
  }

  async list(query: ServerListQuery): Promise<ServerPage> {
    const servers = [...this.rows.values()]
      .map((row) => row.server)
      .filter((s) => (query.user === undefined || s.user === query.user) && (query.project === undefined || s.project === query.project)
        && (query.state === undefined || s.state === query.state));
    return { servers: structuredClone(servers.slice(0, query.limit)), continuationToken: null };
  }

  /** Scoped reads are counted, so tests can see that a spawn reads no more than it needs. */
  readonly listActiveScopes: (ActiveServerScope | undefined)[] = [];

  async listActive(scope?: ActiveServerScope): Promise<Server[]> {
    this.listActiveScopes.push(scope);
    return [...this.rows.values()]
      .map((row) => structuredClone(row.server))
      .filter((s) => !isAtRest(s.state))
      .filter((s) => scope === undefined || ('user' in scope ? s.user === scope.user : s.project === scope.project && s.size === scope.size));
  }

  /** Test access: the stored server, or throws. */
  server(id: string): Server {
    const row = this.rows.get(id);
    if (!row) throw new Error(`no server ${id}`);
    return structuredClone(row.server);
  }

  private store(server: Server): VersionedServer {
    const row = { server: structuredClone(server), etag: `W/"${++this.version}"` };
    this.rows.set(server.id, row);
    return structuredClone(row);
  }
}
