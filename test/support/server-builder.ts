/** Test data: a valid `Server` with overrides. */
import { newServer, respawned, type NewServerInput } from '../../shared/domain/server-changes';
import type { Server } from '../../shared/domain/server';

let sequence = 0;

/** A fresh id of the product's shape (`ci-` + 21 of [0-9a-p]) for every call. */
export function nextServerId(): string {
  sequence += 1;
  const random = Math.floor(Math.random() * 0xffffffff).toString(16).padStart(8, '0');
  return `ci-a${random}${sequence.toString(16).padStart(12, '0')}`;
}

export function buildServer(overrides: Partial<Server> = {}): Server {
  return {
    id: nextServerId(),
    hubId: 'hub',
    user: 'alice',
    serverName: '',
    project: 'climate-lab',
    size: 'Medium',
    vmSize: 'Standard_DS3_v2',
    userObjectId: null,
    tenantId: null,
    state: 'Requested',
    amlState: null,
    url: null,
    app: 'jupyterlab',
    appUrls: {},
    progress: [{ at: '2025-01-01T00:00:00.000Z', progress: 0, message: 'Server requested' }],
    error: null,
    stopReason: null,
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-01T00:00:00.000Z',
    startedAt: null,
    stoppedAt: null,
    lastActivityAt: null,
    phaseSince: '2025-01-01T00:00:00.000Z',
    launchRequestedAt: null,
    sessionEndedAt: null,
    ...overrides,
  };
}

/**
 * A server spawned again after an earlier run left its instance in Azure (`amlState`, e.g. Stopped
 * or a failed state): what a spawn of a Stopped or Failed server stores. Unlike a new server's,
 * its first step reads the instance before it sends anything.
 */
export function respawnedServer(input: NewServerInput, amlState: string, at: string): Server {
  const earlier = new Date(Date.parse(at) - 3_600_000).toISOString();
  return respawned({ ...newServer(input, earlier), state: 'Stopped', amlState }, at);
}
