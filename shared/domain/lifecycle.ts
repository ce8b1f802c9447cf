/** The product lifecycle of a server and the transitions allowed between its states. */
import type { ServerRunKind } from './ports';
import type { ServerState } from './server';

const TRANSITIONS: Record<ServerState, readonly ServerState[]> = {
  Requested: ['Creating', 'Starting', 'Running', 'Stopping', 'Failed', 'Deleting'],
  Creating: ['Starting', 'Running', 'Stopping', 'Failed', 'Deleting'], // Starting: an instance that came up stopped is started
  Starting: ['Creating', 'Running', 'Stopping', 'Failed', 'Deleting'], // Creating: the instance vanished and is created anew
  Running: ['Stopping', 'Stopped', 'Failed', 'Deleting', 'Deleted'],
  Stopping: ['Stopped', 'Failed', 'Deleting'],
  Stopped: ['Requested', 'Running', 'Deleting', 'Deleted'],
  Failed: ['Requested', 'Stopping', 'Stopped', 'Deleting', 'Deleted'],
  Deleting: ['Deleted', 'Failed'],
  Deleted: ['Requested'],
};

export function canTransition(from: ServerState, to: ServerState): boolean {
  return from === to || TRANSITIONS[from].includes(to);
}

/** States in which nothing runs and nothing is under way: a spawn may begin anew. */
export const AT_REST: readonly ServerState[] = ['Stopped', 'Failed', 'Deleted'];

export function isAtRest(state: ServerState): boolean {
  return AT_REST.includes(state);
}

/** States in which a provisioning run is (or should be) under way. */
export function isProvisioning(state: ServerState): boolean {
  return state === 'Requested' || state === 'Creating' || state === 'Starting';
}

/** States in which a stop or delete is under way; a spawn must wait. */
export function isWindingDown(state: ServerState): boolean {
  return state === 'Stopping' || state === 'Deleting';
}

/** The phases a server's states group into; a server's `phaseSince` is when its phase began. */
export type LifecyclePhase = 'provisioning' | 'stopping' | 'deleting' | 'settled';

export function phaseOf(state: ServerState): LifecyclePhase {
  if (isProvisioning(state)) return 'provisioning';
  if (state === 'Stopping') return 'stopping';
  if (state === 'Deleting') return 'deleting';
  return 'settled';
}

/** The orchestration that drives a server in this state, or null when the state needs none. */
export function runFor(state: ServerState): ServerRunKind | null {
  const phase = phaseOf(state);
  return phase === 'provisioning' ? 'provision' : phase === 'stopping' ? 'stop' : phase === 'deleting' ? 'delete' : null;
}

/** Bound of a stop or delete run; Azure stops or deletes an instance in minutes. */
export const WIND_DOWN_TIMEOUT_MINUTES = 30;

/**
 * How long after a create or start was about to be sent a stop or delete keeps looking for its
 * effect before concluding there is none (the provisioning step died while sending it, or the
 * request got no answer): Azure answers in seconds, and the SDK's own retries of a throttled or
 * failed request end well within. A launch Azure answered, even with an error, is settled at once.
 */
export const LAUNCH_IN_FLIGHT_GRACE_MS = 3 * 60_000;

/** Whether a create or start a provisioning run sent may still take effect in Azure. */
export function launchMayBeInFlight(server: { launchRequestedAt: string | null }, now: Date): boolean {
  return server.launchRequestedAt !== null && now.getTime() - Date.parse(server.launchRequestedAt) < LAUNCH_IN_FLIGHT_GRACE_MS;
}
