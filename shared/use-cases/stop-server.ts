/** Stop (and cancel a spawn in progress): the server goes to Stopping and a stop run takes over. */
import { AppError } from '../domain/errors';
import { isAtRest } from '../domain/lifecycle';
import type { OrchestrationControl } from '../domain/ports';
import type { Server, StopReason } from '../domain/server';
import { transitioned, withProgress } from '../domain/server-changes';
import { nowIso, type WithSettings } from './dependencies';

/** What this use case reads: its ports and only these settings. */
export type StopDeps = WithSettings<'busyRetryAfterSeconds'>;

export interface StopResult {
  server: Server;
  /** true when a stop is under way (202), false when the server was already at rest (200). */
  accepted: boolean;
}

export async function stopServer(deps: StopDeps, control: OrchestrationControl, id: string, reason: StopReason): Promise<StopResult> {
  const stored = await deps.servers.update(id, (server) => {
    if (isAtRest(server.state) || server.state === 'Stopping' || server.state === 'Deleting') return null;
    const at = nowIso(deps);
    const stopping = transitioned(server, 'Stopping', at, { stopReason: reason });
    return stopping && withProgress(stopping, { at, progress: 0, message: `Stop requested (${reason})` });
  });
  if (!stored) throw new AppError('server-not-found', `There is no server ${id}.`);
  const { server } = stored;
  if (server.state === 'Deleting') {
    throw new AppError('server-busy', `Server ${id} is being deleted.`, { retryAfterSeconds: deps.settings.busyRetryAfterSeconds });
  }
  if (server.state !== 'Stopping') return { server, accepted: false };
  await control.cancelProvisioning(id, `stop requested (${reason})`);
  await control.ensureStopping(id);
  return { server, accepted: true };
}
