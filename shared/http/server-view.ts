/** The server representation the API serves (DESIGN.md), from the stored server. */
import type { Server } from '../domain/server';

export type ServerView = Omit<Server, 'hubId' | 'userObjectId' | 'tenantId' | 'phaseSince' | 'launchRequestedAt' | 'sessionEndedAt' | 'appUrls'> & {
  /** Where the person lands: the chosen app's url while the server runs, null when the instance does not list it. */
  appUrl: string | null;
};

/** The person's ids stay private; `phaseSince`, `launchRequestedAt` and `sessionEndedAt` are the lifecycle's own bookkeeping. */
export function toServerView(server: Server): ServerView {
  const { hubId: _hubId, userObjectId: _userObjectId, tenantId: _tenantId, phaseSince: _phaseSince, launchRequestedAt: _launchRequestedAt, sessionEndedAt: _sessionEndedAt, appUrls, ...view } = server;
  // The urls are those of the instance's last run: only a running instance (url set) has a place to land.
  return { ...view, appUrl: view.url === null ? null : appUrls[view.app] ?? null };
}
