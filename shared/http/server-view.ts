/** The server representation the API serves (DESIGN.md), from the stored server. */
import type { Server } from '../domain/server';

export type ServerView = Omit<Server, 'hubId' | 'userObjectId' | 'tenantId' | 'phaseSince' | 'launchRequestedAt'>;

/** The person's ids stay private; `phaseSince` and `launchRequestedAt` are the lifecycle's own bookkeeping. */
export function toServerView(server: Server): ServerView {
  const { hubId: _hubId, userObjectId: _userObjectId, tenantId: _tenantId, phaseSince: _phaseSince, launchRequestedAt: _launchRequestedAt, ...view } = server;
  return view;
}
