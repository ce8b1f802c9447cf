/**
 * Who is calling and what each route lets them do (docs/architecture.md, README "Callers and roles"). Pure: the HTTP edge
 * authenticates the caller, then asks `mayCall` before any use case runs.
 */

/** The API app registration's app roles. Admin may do everything Hub may, and list every server. */
export const APP_ROLES = ['Hub', 'Admin'] as const;
export type AppRole = (typeof APP_ROLES)[number];

export interface Caller {
  /** How the caller proved who they are. */
  via: 'key' | 'token';
  roles: AppRole[];
  /** The Entra object id (`oid`) of a person's token, lower case; null for the key and for apps without one. */
  objectId: string | null;
}

/**
 * What a route needs: `hub` (Hub or Admin), `admin` (Admin), `hub-or-owner` (Hub or Admin, or the
 * person the server was spawned for, matched by object id), or `admin-or-hub-for-one-user` (Admin;
 * Hub only when the request names one user: the shim's recovery lists a user's servers, the full
 * listing stays an admin's), or `admin-or-person` (Admin; a person's own token too, the use case
 * narrowing the answer to that person).
 */
export type Access = 'hub' | 'admin' | 'hub-or-owner' | 'admin-or-hub-for-one-user' | 'admin-or-person';

/** The key grants both roles: the hub holding it is trusted as the hub and its admins are. */
export const KEY_CALLER: Caller = { via: 'key', roles: ['Hub', 'Admin'], objectId: null };

export function hasRole(caller: Caller, role: AppRole): boolean {
  return caller.roles.includes(role) || (role === 'Hub' && caller.roles.includes('Admin'));
}

/** What the route's request says that access depends on, besides the caller. */
export interface AccessFacts {
  /** Whether the request is narrowed to one user (the listing's `user` filter). */
  forOneUser: boolean;
}

/** Whether the caller's roles alone allow the route. */
export function rolesAllow(caller: Caller, access: Access, facts: AccessFacts = { forOneUser: false }): boolean {
  switch (access) {
    case 'admin':
    case 'admin-or-person':
      return hasRole(caller, 'Admin');
    case 'admin-or-hub-for-one-user':
      return hasRole(caller, 'Admin') || (facts.forOneUser && hasRole(caller, 'Hub'));
    default:
      return hasRole(caller, 'Hub');
  }
}

/** Whether a person's own token reaches a server spawned with `serverObjectId`. */
export function ownsServer(caller: Caller, serverObjectId: string | null): boolean {
  return caller.objectId !== null && serverObjectId !== null && serverObjectId.toLowerCase() === caller.objectId;
}
