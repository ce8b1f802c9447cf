/**
 * What the sweep concludes from an instance as Azure lists it, as pure functions: why it stopped,
 * whether a person started it outside JupyterHub, and whether it is an orphan of this hub.
 */
import { amlPhase } from './aml-states';
import { SERVER_ID_PATTERN } from './naming';
import type { ComputeInstance } from './ports';
import type { Server, StopReason } from './server';

/** The tag every instance created by a hub carries, with the hub's HUB_ID. */
export const HUB_TAG = 'aml-jupyterhub-hub';

/**
 * Why a stopped instance stopped: Azure ML's idle shutdown, or anything else (the studio, an Azure
 * ML schedule). An idle shutdown after the end of the class session that launched the server (in
 * this run) is the class schedule's stop.
 */
export function stopReasonOf(
  compute: ComputeInstance,
  server: Pick<Server, 'startedAt' | 'sessionEndedAt'>,
): Extract<StopReason, 'idle' | 'external' | 'schedule'> {
  const last = compute.lastOperation;
  if (last?.operationName.toLowerCase() !== 'stop' || last.operationTrigger !== 'IdleShutdown') return 'external';
  const { startedAt, sessionEndedAt } = server;
  return sessionEndedAt !== null && (startedAt === null || Date.parse(sessionEndedAt) >= Date.parse(startedAt)) ? 'schedule' : 'idle';
}

/**
 * When a person (in the studio) or a schedule started the instance after `since`, that start's
 * time; null when the instance runs for another reason (e.g. a stop that lost a race with a start).
 */
export function startedOutsideAfter(compute: ComputeInstance, since: string): string | null {
  const last = compute.lastOperation;
  if (!last || last.operationTime === null) return null;
  if (last.operationName.toLowerCase() !== 'start') return null;
  if (last.operationTrigger !== 'User' && last.operationTrigger !== 'Schedule') return null;
  return Date.parse(last.operationTime) > Date.parse(since) ? last.operationTime : null;
}

/** An instance this hub created (its name is a server id and its hub tag is ours); others are never touched. */
export function isOfHub(compute: ComputeInstance, hubId: string): boolean {
  return SERVER_ID_PATTERN.test(compute.name) && compute.tags[HUB_TAG] === hubId;
}

export type OrphanAction = 'stop' | 'delete' | 'wait';

/**
 * What to do with an instance of this hub that has no stored server: stop it while it runs;
 * delete it once it has rested `graceHours` since its last operation (or its creation); else wait
 * (still within the grace period, or Azure is busy with it).
 */
export function orphanAction(compute: ComputeInstance, now: Date, graceHours: number): OrphanAction {
  const phase = amlPhase(compute.state);
  if (phase === 'running') return 'stop';
  if (phase !== 'stopped' && phase !== 'failed') return 'wait';
  const since = compute.lastOperation?.operationTime ?? compute.createdAt;
  if (since === null) return 'wait';
  return now.getTime() - Date.parse(since) >= graceHours * 3_600_000 ? 'delete' : 'wait';
}
