/**
 * One step of a stop or delete run (stopServer / deleteServer orchestrations).
 *
 * A stop cancels whatever provisioning began: an instance still being created is deleted (Azure
 * accepts a delete while Creating; a stopped half-made instance would only cost a later spawn
 * time), a running one is stopped; one that is starting is stopped once it runs, because Azure
 * answers 409 to a stop while Starting. The server reads Stopped only once the instance is stopped
 * or gone. While a create or start the provisioning run sent may still land
 * (`launchMayBeInFlight`), "no instance" or "stopped" is not final: the run looks again.
 */
import { amlPhase, type AmlPhase } from '../domain/aml-states';
import { isAppError } from '../domain/errors';
import { launchMayBeInFlight } from '../domain/lifecycle';
import type { ComputeInstance } from '../domain/ports';
import type { Server, ServerError } from '../domain/server';
import { transitioned, withProgress } from '../domain/server-changes';
import { nowIso, type WithSettings } from './dependencies';

/** What this use case reads: its ports and only these settings. */
export type WindDownDeps = WithSettings<never>;

export type WindDownOutcome = 'wait' | 'done' | 'superseded';

/** What a stop step does about the instance in the phase it found it in. */
export type StopAction = 'stop' | 'delete' | 'wait' | 'finish';

export function stopActionFor(phase: AmlPhase | 'absent', launchInFlight: boolean): StopAction {
  switch (phase) {
    case 'running':
      return 'stop';
    case 'creating':
      return 'delete';
    case 'absent':
    case 'stopped':
      // A create or start still on its way would bring the instance (back) up after we concluded.
      return launchInFlight ? 'wait' : 'finish';
    case 'failed':
      return 'finish'; // nothing runs; the next spawn replaces the instance
    default:
      return 'wait'; // starting (Azure refuses a stop until it runs), stopping, deleting, unknown
  }
}

export async function advanceStop(deps: WindDownDeps, id: string): Promise<WindDownOutcome> {
  const stored = await deps.servers.get(id);
  if (!stored || stored.server.state !== 'Stopping') return 'superseded';
  const server = stored.server;
  const at = { project: server.project, name: server.id };
  const compute = await deps.aml.getCompute(at);
  const phase = compute ? amlPhase(compute.state) : 'absent';
  const action = stopActionFor(phase, launchMayBeInFlight(server, deps.clock.now()));

  if (action === 'finish') {
    const done = await deps.servers.update(id, (current) => {
      if (current.state !== 'Stopping') return null;
      const now = nowIso(deps);
      const next = transitioned(current, 'Stopped', now, { amlState: compute?.state ?? null, url: null, stoppedAt: now, launchRequestedAt: null });
      const message = compute ? `Compute instance ${id} is stopped` : `Stopped: compute instance ${id} no longer exists`;
      return next && withProgress(next, { at: now, progress: 100, message });
    });
    return done?.server.state === 'Stopped' ? 'done' : 'superseded';
  }
  if (action === 'stop') await tolerateBusy(() => deps.aml.stopCompute(at));
  if (action === 'delete') {
    await tolerateBusy(() => deps.aml.deleteCompute(at));
    await noteProgress(deps, id, 'Stopping', `Cancelling the create: deleting compute instance ${id}`);
  }
  await noteAmlState(deps, id, 'Stopping', compute);
  return 'wait';
}

export async function advanceDelete(deps: WindDownDeps, id: string): Promise<WindDownOutcome> {
  const stored = await deps.servers.get(id);
  if (!stored || stored.server.state !== 'Deleting') return 'superseded';
  const server = stored.server;
  const at = { project: server.project, name: server.id };
  const compute = await deps.aml.getCompute(at);

  if (!compute) {
    if (launchMayBeInFlight(server, deps.clock.now())) return 'wait'; // a create may still land: look again
    const done = await deps.servers.update(id, (current) => {
      if (current.state !== 'Deleting') return null;
      const now = nowIso(deps);
      const next = transitioned(current, 'Deleted', now, { amlState: null, url: null, stoppedAt: current.stoppedAt ?? now, launchRequestedAt: null });
      return next && withProgress(next, { at: now, progress: 100, message: `Compute instance ${id} is deleted` });
    });
    return done?.server.state === 'Deleted' ? 'done' : 'superseded';
  }
  // Azure refuses a delete while a start is in flight: try again on the next step.
  if (amlPhase(compute.state) !== 'deleting') await tolerateBusy(() => deps.aml.deleteCompute(at));
  await noteAmlState(deps, id, 'Deleting', compute);
  return 'wait';
}

/** Sends a command; a 409 (Azure busy with another operation on the instance) means "try on the next step". */
async function tolerateBusy(send: () => Promise<void>): Promise<void> {
  try {
    await send();
  } catch (error) {
    if (!isAppError(error, 'conflicting-operation')) throw error;
  }
}

function noteAmlState(deps: WindDownDeps, id: string, state: Server['state'], compute: ComputeInstance | null): Promise<unknown> {
  return deps.servers.update(id, (current) =>
    current.state === state && current.amlState !== (compute?.state ?? null) ? { ...current, amlState: compute?.state ?? null } : null,
  );
}

function noteProgress(deps: WindDownDeps, id: string, state: Server['state'], message: string): Promise<unknown> {
  return deps.servers.update(id, (current) => {
    if (current.state !== state) return null;
    const next = withProgress(current, { at: nowIso(deps), progress: 50, message });
    return next === current ? null : next;
  });
}

/** A stop or delete run that could not finish: the server is marked Failed with the reason. */
export async function giveUpWindDown(deps: WindDownDeps, id: string, error: ServerError): Promise<void> {
  await deps.servers.update(id, (current) => {
    if (current.state !== 'Stopping' && current.state !== 'Deleting') return null;
    const now = nowIso(deps);
    const next = transitioned(current, 'Failed', now, { error });
    return next && withProgress(next, { at: now, progress: 100, message: `Failed: ${error.message}` });
  });
}
