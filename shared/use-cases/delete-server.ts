/** Delete the compute instance for good (JupyterHub's delete_forever). */
import { AppError } from '../domain/errors';
import type { OrchestrationControl } from '../domain/ports';
import type { Server } from '../domain/server';
import { transitioned, withProgress } from '../domain/server-changes';
import { nowIso, type WithSettings } from './dependencies';

/** What this use case reads: its ports and only these settings. */
export type DeleteDeps = WithSettings<never>;

export interface DeleteResult {
  server: Server;
  accepted: boolean;
}

export async function deleteServer(deps: DeleteDeps, control: OrchestrationControl, id: string): Promise<DeleteResult> {
  const stored = await deps.servers.update(id, (server) => {
    if (server.state === 'Deleting' || server.state === 'Deleted') return null;
    const at = nowIso(deps);
    const deleting = transitioned(server, 'Deleting', at, { url: null });
    return deleting && withProgress(deleting, { at, progress: 0, message: 'Delete requested' });
  });
  if (!stored) throw new AppError('server-not-found', `There is no server ${id}.`);
  const { server } = stored;
  if (server.state === 'Deleted') return { server, accepted: false };
  await control.cancelProvisioning(id, 'delete requested');
  await control.ensureDeleting(id);
  return { server, accepted: true };
}
