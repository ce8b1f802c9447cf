/** The server representation the API serves (DESIGN.md), from the stored server. */
import type { Server } from '../domain/server';

export type ServerView = Omit<Server, 'userObjectId' | 'tenantId'>;

export function toServerView(server: Server): ServerView {
  const { userObjectId: _userObjectId, tenantId: _tenantId, ...view } = server;
  return view;
}
