/** The hub's last-activity report for a server: recorded (lastActivityAt), never a reason to stop it. Only ever moves forward. */
import { AppError } from '../domain/errors';
import type { WithSettings } from './dependencies';

/** What this use case reads: its ports and only these settings. */
export type ActivityDeps = WithSettings<never>;

export async function recordActivity(deps: ActivityDeps, id: string, lastActivity: Date): Promise<void> {
  const reported = lastActivity.toISOString();
  const stored = await deps.servers.update(id, (server) => {
    if (server.lastActivityAt !== null && server.lastActivityAt >= reported) return null;
    return { ...server, lastActivityAt: reported };
  });
  if (!stored) throw new AppError('server-not-found', `There is no server ${id}.`);
}
