/**
 * Names of the durable functions, the external event that wakes a run, and the instance ids derived
 * from a server id (one run per server and kind) or a project (one watcher per workspace).
 * Shared by the orchestrations and the durable adapter; no I/O here.
 */
export const ORCHESTRATIONS = {
  provision: 'provisionServer',
  stop: 'stopServer',
  delete: 'deleteServer',
  watch: 'watchWorkspace',
} as const;

export const ACTIVITIES = {
  provisionStep: 'provisionStep',
  provisionGiveUp: 'provisionGiveUp',
  stopStep: 'stopStep',
  deleteStep: 'deleteStep',
  windDownGiveUp: 'windDownGiveUp',
  /** Makes sure the server's workspace is watched; answers how long to wait for the watcher. */
  watchServer: 'watchServer',
  /** One look of a workspace's watcher. */
  watchLook: 'watchLook',
} as const;

/** Raised by the watcher on a run whose instance changed state. */
export const EVENTS = {
  computeChanged: 'computeChanged',
} as const;

export type OrchestrationKind = 'provision' | 'stop' | 'delete';

export function instanceIdFor(kind: OrchestrationKind, serverId: string): string {
  return `${kind}-${serverId}`;
}

/** One watcher per workspace, whichever Function instance starts it (project names are case-insensitive). */
export function watcherInstanceId(project: string): string {
  return `watch-${project.toLowerCase()}`;
}

/** The orchestrations' common input; timings travel with it so a replay never sees a changed setting. */
export interface ServerOrchestrationInput {
  serverId: string;
  timeoutMinutes: number;
  /** Runs started before the workspace watcher carried their poll interval; ignored now. */
  pollSeconds?: number;
}

/** Input of the give-up activities: why the run ended without reaching its goal. */
export interface GiveUpInput {
  serverId: string;
  code: string;
  message: string;
}

/** The watchServer activity's answer: how long a run waits for a wake before looking by itself. */
export interface WatchEnrolment {
  fallbackSeconds: number;
}

/** The watcher's input, carried across continueAsNew (watchers started before the watch list carried `seen`). */
export interface WatchInput {
  project: string;
  /** The watcher's generation (watch-list.ts): it steps down when the record names a newer one. */
  generation?: number;
  /** When the previous look ran (ISO), for the minute's progress lines; null after a start. */
  lastLookAt?: string | null;
  /** Pages of the workspace's last compute list, for the next look's choice of a list or GETs. */
  listPages?: number | null;
}

/** The watchServer activity's input: the server, and what the run's last wait taught it. */
export type WatchServerInput = string | { serverId: string; seen?: string; lookedAlone?: boolean };

/** The payload of a computeChanged event: the state the list showed, and the instance as listed (null when absent). */
export interface ComputeChanged<Compute = unknown> {
  observed: string;
  compute: Compute | null;
}

/**
 * Input of the provisionStep activity: the server id, or — after a wake, or at a paced step's
 * turn — the id with the instance as the watcher listed it or the paced step read it (null: none),
 * so the step need not read it again.
 */
export type ProvisionStepInput<Compute = unknown> = string | { serverId: string; observed: Compute | null };

export function provisionStepInput<Compute>(input: ProvisionStepInput<Compute>): { serverId: string; observed?: Compute | null } {
  return typeof input === 'string' ? { serverId: input } : input;
}
