/** The server representation the API serves (DESIGN.md), from the stored server. */
import type { Server } from '../domain/server';

export type ServerView = Omit<Server, 'hubId' | 'userObjectId' | 'tenantId'>;

export function toServerView(server: Server): ServerView {
  const { hubId: _hubId, userObjectId: _userObjectId, tenantId: _tenantId, ...view } = server;
  return view;
}
