/**
 * One step of a provisioning run (called by the provisionServer orchestration as an activity):
 * look at the instance in Azure, send a create or start when needed, record what happened.
 */
import { amlPhase, describeAmlState } from '../domain/aml-states';
import { isAppError } from '../domain/errors';
import { hasIdleTime, idleTimeBeforeShutdown } from '../domain/idle-shutdown';
import { isProvisioning } from '../domain/lifecycle';
import type { ComputeInstance } from '../domain/ports';
import type { Server, ServerError } from '../domain/server';
import { transitioned, withProgress } from '../domain/server-changes';
import { nowIso, type Dependencies } from './dependencies';

export type ProvisioningOutcome = 'wait' | 'running' | 'failed' | 'cancelled';

export interface ProvisioningStep {
  outcome: ProvisioningOutcome;
  state: string | null;
}

export async function advanceProvisioning(deps: Dependencies, id: string): Promise<ProvisioningStep> {
  const stored = await deps.servers.get(id);
  if (!stored || !isProvisioning(stored.server.state)) return { outcome: 'cancelled', state: stored?.server.state ?? null };
  const server = stored.server;
  const at = { project: server.project, name: server.id };
  const compute = await deps.aml.getCompute(at);
  const idleTime = idleTimeBeforeShutdown(deps.settings.idleStopMinutes[server.size], deps.settings.idleShutdownFloorMinutes);

  if (!compute) {
    try {
      // Access was checked when the spawn was accepted; here only the project's region matters.
      const lookup = await deps.catalog.findProject(server.project, 'anyone');
      if (lookup.kind !== 'offered') {
        return fail(deps, id, { code: 'project-not-found', message: `Project '${server.project}' is no longer offered.` });
      }
      await deps.aml.createCompute({
        ...at,
        vmSize: server.vmSize,
        location: lookup.project.location,
        userObjectId: server.userObjectId,
        tenantId: server.tenantId,
        tags: { 'aml-jupyterhub-hub': deps.settings.hubId, 'aml-jupyterhub-user': server.user.slice(0, 256), 'aml-jupyterhub-server': server.serverName || '(default)' },
        idleTimeBeforeShutdown: idleTime,
      });
    } catch (error) {
      if (isAppError(error) && error.callerFault) return fail(deps, id, { code: error.code, message: error.message });
      throw error; // transient: the orchestration retries the activity
    }
    return record(deps, id, 'Creating', 'Creating', 20, `Creating compute instance ${server.id} (${server.vmSize})`);
  }

  const phase = amlPhase(compute.state);
  switch (phase) {
    case 'stopped':
      // The setting may have changed since the instance was created: a start applies it.
      if (!hasIdleTime(compute.idleTimeBeforeShutdown, idleTime)) await deps.aml.updateIdleShutdown(at, idleTime);
      await deps.aml.startCompute(at);
      return record(deps, id, 'Starting', compute.state, 30, `Starting compute instance ${server.id}`);
    case 'running':
      return markRunning(deps, id, compute);
    case 'failed':
      return fail(deps, id, failureOf(compute), compute.state);
    case 'creating':
      return record(deps, id, 'Creating', compute.state, progressWhileWaiting(server), waitingMessage(deps, server, compute));
    default:
      // starting, stopping (a start follows once stopped), deleting (a create follows), unknown
      return record(deps, id, server.state === 'Requested' ? 'Starting' : server.state, compute.state,
        progressWhileWaiting(server), waitingMessage(deps, server, compute));
  }
}

/** The run ends without Running (deadline passed, or Azure kept failing): record why in the server. */
export async function giveUpProvisioning(deps: Dependencies, id: string, error: ServerError): Promise<ProvisioningStep> {
  return fail(deps, id, error);
}

function failureOf(compute: ComputeInstance): ServerError {
  const first = compute.errors[0];
  return first
    ? { code: first.code, message: first.message }
    : { code: compute.state, message: `Azure reports the compute instance as ${compute.state}.` };
}

/** What Azure is doing and for how long this run has waited, so a person sees it move. */
function waitingMessage(deps: Dependencies, server: Server, compute: ComputeInstance): string {
  const since = Date.parse(server.progress[0]?.at ?? server.updatedAt);
  const seconds = Math.max(0, Math.round((deps.clock.now().getTime() - since) / 1000));
  const elapsed = seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
  return `${describeAmlState(compute.state, server.id, server.vmSize)} (${elapsed} so far)`;
}

/** Rises towards 90% while Azure works; 100% is kept for Running. */
function progressWhileWaiting(server: Server): number {
  const last = server.progress[server.progress.length - 1]?.progress ?? 20;
  return Math.min(90, last + Math.max(1, Math.round((90 - last) / 6)));
}

async function record(
  deps: Dependencies, id: string, state: Server['state'], amlState: string, progress: number, message: string,
): Promise<ProvisioningStep> {
  const stored = await deps.servers.update(id, (server) => {
    if (!isProvisioning(server.state)) return null;
    const at = nowIso(deps);
    const next = transitioned(server, state, at, { amlState });
    return next && withProgress(next, { at, progress, message });
  });
  const current = stored?.server;
  if (!current || !isProvisioning(current.state)) return { outcome: 'cancelled', state: current?.state ?? null };
  return { outcome: 'wait', state: current.state };
}

async function markRunning(deps: Dependencies, id: string, compute: ComputeInstance): Promise<ProvisioningStep> {
  if (compute.jupyterLabUrl === null) {
    // Waiting would never end: a Running instance that lists no Jupyter will not grow one.
    return fail(deps, id, {
      code: 'no-jupyter-endpoint',
      message: `Compute instance ${compute.name} is running but lists no Jupyter application (neither "Jupyter Lab" nor "Jupyter"), so there is nothing to open. Check the instance in Azure ML studio, or delete it and spawn again.`,
    }, compute.state);
  }
  const stored = await deps.servers.update(id, (server) => {
    if (!isProvisioning(server.state)) return null;
    const at = nowIso(deps);
    const next = transitioned(server, 'Running', at, { amlState: compute.state, url: compute.jupyterLabUrl, startedAt: at, error: null });
    return next && withProgress(next, { at, progress: 100, message: `Compute instance ${server.id} is running` });
  });
  const current = stored?.server;
  if (current?.state !== 'Running') return { outcome: 'cancelled', state: current?.state ?? null };
  return { outcome: 'running', state: 'Running' };
}

async function fail(deps: Dependencies, id: string, error: ServerError, amlState?: string): Promise<ProvisioningStep> {
  const stored = await deps.servers.update(id, (server) => {
    if (!isProvisioning(server.state)) return null;
    const at = nowIso(deps);
    const next = transitioned(server, 'Failed', at, { error, amlState: amlState ?? server.amlState });
    return next && withProgress(next, { at, progress: 100, message: `Failed: ${error.message}` });
  });
  const current = stored?.server;
  if (current?.state !== 'Failed') return { outcome: 'cancelled', state: current?.state ?? null };
  return { outcome: 'failed', state: 'Failed' };
}
