/**
 * Who may see one server. Hub and Admin reach every server; a person's own token reaches only the
 * servers spawned with their object id, and an unknown id answers like another person's server, so
 * ids cannot be probed. The HTTP edge asks this before any route on one server runs.
 */
import { hasRole, ownsServer, type Caller } from '../domain/caller';
import { AppError } from '../domain/errors';
import type { ServerRepository } from '../domain/ports';
import type { VersionedServer } from '../domain/server';

/** The server `caller` asks for; throws `forbidden` when they may not see it, `server-not-found` when it is not there. */
export async function reachServer(servers: Pick<ServerRepository, 'get'>, caller: Caller, id: string): Promise<VersionedServer> {
  const stored = await servers.get(id);
  if (hasRole(caller, 'Hub')) {
    if (!stored) throw new AppError('server-not-found', `There is no server ${id}.`);
    return stored;
  }
  if (stored && ownsServer(caller, stored.server.userObjectId)) return stored;
  throw new AppError('forbidden', 'This token may reach only servers spawned for its own user.');
}
