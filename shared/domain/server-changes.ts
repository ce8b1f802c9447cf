/** Pure builders of new server values: every state change goes through here and the lifecycle rules. */
import { DEFAULT_APP } from './landing';
import { canTransition, phaseOf } from './lifecycle';
import type { ProgressEvent, Server, ServerState } from './server';

/** What a spawn decides about a new server; everything else starts empty. */
export type NewServerInput = Pick<Server, 'id' | 'hubId' | 'user' | 'serverName' | 'project' | 'size' | 'vmSize' | 'userObjectId' | 'tenantId'> &
  Partial<Pick<Server, 'app'>>;

export function newServer(input: NewServerInput, at: string): Server {
  return {
    ...input,
    app: input.app ?? DEFAULT_APP,
    state: 'Requested',
    amlState: null,
    url: null,
    appUrls: {},
    progress: [spawnRequestedEvent(input.size, at)],
    error: null,
    stopReason: null,
    createdAt: at,
    updatedAt: at,
    startedAt: null,
    stoppedAt: null,
    lastActivityAt: null,
    phaseSince: at,
    launchRequestedAt: null,
    sessionEndedAt: null,
  };
}

/** A server at rest asked to run again: a fresh run with its own progress, error and url cleared. */
export function respawned(server: Server, at: string): Server {
  return {
    ...server,
    state: 'Requested',
    url: null,
    appUrls: {},
    progress: [spawnRequestedEvent(server.size, at)],
    error: null,
    stopReason: null,
    updatedAt: at,
    startedAt: null,
    stoppedAt: null,
    phaseSince: at,
    launchRequestedAt: null,
    sessionEndedAt: null,
  };
}

/** The id and VM size are the server's own fields (its details), not repeated in the lines a person reads. */
function spawnRequestedEvent(size: string, at: string): ProgressEvent {
  return { at, progress: 5, message: `Spawn requested: your ${size} server` };
}

/**
 * The server moved to `to` with `patch` applied, or null when the lifecycle forbids the move
 * (e.g. a late provisioning step must not turn a Stopping server into Running).
 */
export function transitioned(
  server: Server,
  to: ServerState,
  at: string,
  patch: Partial<Omit<Server, 'id' | 'state' | 'updatedAt' | 'phaseSince'>> = {},
): Server | null {
  if (!canTransition(server.state, to)) return null;
  const phaseSince = phaseOf(to) === phaseOf(server.state) ? server.phaseSince : at;
  return { ...server, ...patch, state: to, updatedAt: at, phaseSince };
}

/** Appends a progress event unless it repeats the last message. */
export function withProgress(server: Server, event: ProgressEvent): Server {
  const last = server.progress[server.progress.length - 1];
  if (last && last.message === event.message) return server;
  const progress = Math.max(event.progress, last?.progress ?? 0);
  return { ...server, progress: [...server.progress, { ...event, progress }] };
}
