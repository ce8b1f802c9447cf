/** The product lifecycle of a server and the transitions allowed between its states. */
import type { ServerState } from './server';

const TRANSITIONS: Record<ServerState, readonly ServerState[]> = {
  Requested: ['Creating', 'Starting', 'Running', 'Stopping', 'Failed', 'Deleting'],
  Creating: ['Running', 'Stopping', 'Failed', 'Deleting'],
  Starting: ['Running', 'Stopping', 'Failed', 'Deleting'],
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
