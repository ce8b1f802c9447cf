/**
 * One step of a stop run (stopServer orchestration): Azure cannot stop an instance that is still
 * being created or started, so the run waits for it to come up, stops it, and waits for Stopped.
 */
import { amlPhase } from '../domain/aml-states';
import { isAppError } from '../domain/errors';
import type { ServerError } from '../domain/server';
import { transitioned, withProgress } from '../domain/server-changes';
import { nowIso, type Dependencies } from './dependencies';

export type WindDownOutcome = 'wait' | 'done' | 'superseded';

export async function advanceStop(deps: Dependencies, id: string): Promise<WindDownOutcome> {
  const stored = await deps.servers.get(id);
  if (!stored || stored.server.state !== 'Stopping') return 'superseded';
  const server = stored.server;
  const at = { project: server.project, name: server.id };
  const compute = await deps.aml.getCompute(at);
  const phase = compute ? amlPhase(compute.state) : 'absent';

  if (phase === 'running') {
    try {
      await deps.aml.stopCompute(at);
    } catch (error) {
      if (!isAppError(error, 'conflicting-operation')) throw error;
    }
  }
  if (phase === 'stopped' || phase === 'absent' || phase === 'failed') {
    const done = await deps.servers.update(id, (current) => {
      if (current.state !== 'Stopping') return null;
      const now = nowIso(deps);
      const next = transitioned(current, 'Stopped', now, { amlState: compute?.state ?? null, url: null, stoppedAt: now });
      return next && withProgress(next, { at: now, progress: 100, message: `Compute instance ${id} is stopped` });
    });
    return done?.server.state === 'Stopped' ? 'done' : 'superseded';
  }
  await deps.servers.update(id, (current) =>
    current.state === 'Stopping' && current.amlState !== compute?.state ? { ...current, amlState: compute?.state ?? null } : null,
  );
  return 'wait';
}

export async function advanceDelete(deps: Dependencies, id: string): Promise<WindDownOutcome> {
  const stored = await deps.servers.get(id);
  if (!stored || stored.server.state !== 'Deleting') return 'superseded';
  const server = stored.server;
  const at = { project: server.project, name: server.id };
  const compute = await deps.aml.getCompute(at);

  if (!compute) {
    const done = await deps.servers.update(id, (current) => {
      if (current.state !== 'Deleting') return null;
      const now = nowIso(deps);
      const next = transitioned(current, 'Deleted', now, { amlState: null, url: null, stoppedAt: current.stoppedAt ?? now });
      return next && withProgress(next, { at: now, progress: 100, message: `Compute instance ${id} is deleted` });
    });
    return done?.server.state === 'Deleted' ? 'done' : 'superseded';
  }
  if (amlPhase(compute.state) !== 'deleting') {
    try {
      await deps.aml.deleteCompute(at);
    } catch (error) {
      // Azure refuses a delete while a create or start is in flight: try again on the next step.
      if (!isAppError(error, 'conflicting-operation')) throw error;
    }
  }
  await deps.servers.update(id, (current) =>
    current.state === 'Deleting' && current.amlState !== compute.state ? { ...current, amlState: compute.state } : null,
  );
  return 'wait';
}

/** A stop or delete run that could not finish: the server is marked Failed with the reason. */
export async function giveUpWindDown(deps: Dependencies, id: string, error: ServerError): Promise<void> {
  await deps.servers.update(id, (current) => {
    if (current.state !== 'Stopping' && current.state !== 'Deleting') return null;
    const now = nowIso(deps);
    const next = transitioned(current, 'Failed', now, { error });
    return next && withProgress(next, { at: now, progress: 100, message: `Failed: ${error.message}` });
  });
}
