/**
 * Who may say why a server stops. The hub (Hub or Admin role, or the key) reports what it saw —
 * the person, an admin, the idle culler — so it may pass any reason. A person stopping their own
 * server with their own token stops it as `user`: they may not record it as an admin's or the
 * culler's stop.
 */
import { rolesAllow, type Caller } from './caller';
import { AppError } from './errors';
import type { StopReason } from './server';

export function stopReasonFor(caller: Caller, requested: StopReason | undefined): StopReason {
  if (rolesAllow(caller, 'hub')) return requested ?? 'user';
  if (requested === undefined || requested === 'user') return 'user';
  throw new AppError('forbidden', `A person's own token stops a server with reason "user" only, not "${requested}".`);
}
