/**
 * One step of a provisioning run (called by the provisionServer orchestration as an activity):
 * look at the instance in Azure, send a create or start when needed, record what happened.
 *
 * Before a create or start is sent, the step records its intent (the next state and
 * `launchRequestedAt`) with the ETag of what it read: a stop or delete that landed meanwhile makes
 * that write fail and nothing is sent; one that lands after it sees that a launch may be in flight
 * and looks again instead of concluding (advance-wind-down.ts).
 */
import { landingUrls } from '../domain/landing';
import { amlPhase } from '../domain/aml-states';
import { isAppError } from '../domain/errors';
import { hasIdleTime, idleTimeBeforeShutdown } from '../domain/idle-shutdown';
import { isProvisioning } from '../domain/lifecycle';
import type { ComputeInstance, ComputeLocator, CreateComputeRequest } from '../domain/ports';
import type { ProgressEvent, Server, ServerError, VersionedServer } from '../domain/server';
import { transitioned, withProgress } from '../domain/server-changes';
import { launchLine, launchStartedAt, progressPercent, shouldAddLine } from '../domain/wait-timing';
import { queuedMessage } from '../domain/write-pacing';
import { nowIso, type WithSettings } from './dependencies';
import { expectedLaunchSeconds, launchKindOf, recordLaunch } from './launch-timing';
import { projectComputeSettings } from './project-compute-settings';
import type { LaunchTimingDeps } from './launch-timing';

/** What this use case reads: its ports and only these settings. */
export type ProvisioningDeps = WithSettings<'hubId' | 'idleStopMinutes' | 'idleShutdownFloorMinutes' | 'computeDefaults'> & LaunchTimingDeps;

/**
 * - `wait`: look again after the polling interval;
 * - `paced`: the create or start waits for its turn in the shared ARM write schedule
 *   (`domain/write-pacing.ts`): call the step again at `retryAt` (a durable timer, never a sleep),
 *   which sends it then; nothing was sent yet;
 * - `running`, `failed`, `cancelled`: the run is over.
 */
export type ProvisioningOutcome = 'wait' | 'paced' | 'running' | 'failed' | 'cancelled';

export interface ProvisioningStep {
  outcome: ProvisioningOutcome;
  state: string | null;
  /** With `paced`: when the step's turn comes (ISO 8601). */
  retryAt?: string;
  /**
   * With `paced`: the instance as this step read it (null: none). Nothing is sent before the turn,
   * so the step at the turn takes this look instead of reading Azure again.
   */
  observed?: ComputeInstance | null;
}

export const REPLACING_FAILED_MESSAGE = 'The previous instance failed; deleting it and creating a new one';

/**
 * `observed`: the instance as the workspace watcher just listed it (it woke this run), or as this
 * run's paced step read it — null when there was none, trusted only while the server is still
 * Requested (this run has sent nothing since). Without it the step reads the instance itself.
 */
export async function advanceProvisioning(deps: ProvisioningDeps, id: string, observed?: ComputeInstance | null): Promise<ProvisioningStep> {
  const stored = await deps.servers.get(id);
  if (!stored || !isProvisioning(stored.server.state)) return { outcome: 'cancelled', state: stored?.server.state ?? null };
  const server = stored.server;
  // A create or start waiting for its turn (nothing sent yet, so still Requested): nothing to look
  // at in Azure until then, should the run wake up early.
  if (server.state === 'Requested') {
    const turn = await deps.writePacer.pending(server.id, deps.clock.now());
    if (turn && !turn.go) return queued(deps, id, { sendAt: turn.sendAt, ahead: turn.ahead, observed });
  }
  const at = { project: server.project, name: server.id };
  const stillAbsent = observed === null && server.state === 'Requested';
  // A server this spawn created has no instance in Azure (its id is new): its create goes out
  // unread, so a class of 1,000 costs ARM no read before its creates. Should an instance have
  // outlived its server after all, Azure's answer to the create says so (`createUnread`).
  const unread = observed === undefined && isFirstLaunch(server);
  const compute = observed?.name === server.id ? observed : stillAbsent || unread ? null : await deps.aml.getCompute(at);
  const idleTime = idleTimeBeforeShutdown(deps.settings.idleStopMinutes[server.size], deps.settings.idleShutdownFloorMinutes);

  if (!compute) {
    // Access was checked when the spawn was accepted; here only the project's region matters.
    const lookup = await deps.catalog.findProject(server.project, 'anyone');
    if (lookup.kind !== 'offered') {
      return fail(deps, id, { code: 'project-not-found', message: `Project '${server.project}' is no longer offered.` });
    }
    // The project's subnet, scripts and services as of now (its tags may have changed since the spawn).
    const settings = await projectComputeSettings(deps, lookup.project);
    if (!settings.ok) return fail(deps, id, { code: 'compute-settings-invalid', message: settings.message });
    const expected = await expectedLaunchSeconds(deps, server, 'create');
    const intent = { state: 'Creating', amlState: null, progress: 20, message: launchLine('create', server.size, expected) } as const;
    const create = (request: CreateComputeRequest) => (unread || stillAbsent ? createUnread(deps, request) : deps.aml.createCompute(request));
    return launch(deps, stored, intent, null, () => create({
      ...at,
      vmSize: server.vmSize,
      location: lookup.project.location,
      userObjectId: server.userObjectId,
      tenantId: server.tenantId,
      tags: { 'aml-jupyterhub-hub': deps.settings.hubId, 'aml-jupyterhub-user': server.user.slice(0, 256), 'aml-jupyterhub-server': server.serverName || '(default)' },
      idleTimeBeforeShutdown: idleTime,
      compute: settings.settings,
    }));
  }

  const phase = amlPhase(compute.state);
  switch (phase) {
    case 'stopped': {
      const expected = await expectedLaunchSeconds(deps, server, 'start');
      const intent = { state: 'Starting', amlState: compute.state, progress: 30, message: launchLine('start', server.size, expected) } as const;
      const idleUpToDate = hasIdleTime(compute.idleTimeBeforeShutdown, idleTime);
      return launch(deps, stored, intent, compute, async () => {
        // The setting may have changed since the instance was created: a start applies it.
        if (!idleUpToDate) await deps.aml.updateIdleShutdown(at, idleTime);
        await deps.aml.startCompute(at);
      }, idleUpToDate ? 1 : 2);
    }
    case 'running':
      return markRunning(deps, id, compute);
    case 'failed':
      // Failed before this spawn (the deterministic name would keep pointing at it): replace it.
      if (failedBeforeThisSpawn(server, compute)) return replaceFailed(deps, id, at, compute);
      return fail(deps, id, failureOf(compute), compute.state);
    case 'creating':
      return recordWaiting(deps, server, 'Creating', compute.state);
    case 'deleting':
      // An earlier instance on its way out (a cancelled create, or the failed one this run deletes): a create follows.
      return recordWaiting(deps, server, server.state === 'Requested' ? 'Creating' : server.state, compute.state);
    default:
      // starting, stopping (a start follows once stopped), unknown
      return recordWaiting(deps, server, server.state === 'Requested' ? 'Starting' : server.state, compute.state);
  }
}

interface LaunchIntent {
  state: 'Creating' | 'Starting';
  amlState: string | null;
  progress: number;
  message: string;
}

/**
 * Records the intent (conditional on the ETag read), then sends the create or start, then records
 * that Azure answered. A refusal that is the request's fault (quota, size, ...) fails the server;
 * a transient error is thrown for the orchestration to retry. An error Azure answered settles the
 * launch as a success does (what the request did, if anything, the next read shows), so a stop or
 * delete that cancelled this run need not wait out the grace for it; only a request left without
 * an answer (`mayStillTakeEffect`) keeps the intent, because it may still reach Azure.
 */
async function launch(
  deps: ProvisioningDeps, stored: VersionedServer, intent: LaunchIntent, observed: ComputeInstance | null, send: () => Promise<void>, writes = 1,
): Promise<ProvisioningStep> {
  const id = stored.server.id;
  // ARM's write bucket is shared by every server: take this send's turn, or wait for it.
  const turn = await deps.writePacer.pass(id, writes, deps.clock.now());
  if (!turn.go) {
    return queued(deps, id, { sendAt: turn.sendAt, ahead: turn.ahead, observed, kind: intent.state === 'Creating' ? 'create' : 'start' });
  }
  const requestedAt = nowIso(deps);
  const next = transitioned(stored.server, intent.state, requestedAt, { amlState: intent.amlState, launchRequestedAt: requestedAt });
  if (!next) throw new Error(`A provisioning step may not move server ${id} from ${stored.server.state} to ${intent.state}.`);
  try {
    await deps.servers.replace(withProgress(next, { at: requestedAt, progress: intent.progress, message: intent.message }), stored.etag);
  } catch (error) {
    if (!isAppError(error, 'concurrent-update')) throw error;
    return stepOf(await deps.servers.get(id)); // a stop, delete or another step wrote first: nothing was sent
  }
  try {
    await send();
  } catch (error) {
    if (isAppError(error, 'conflicting-operation') && intent.state === 'Starting') {
      return stepOf(await launchAnswered(deps, id, requestedAt)); // Azure is busy with the instance: look again
    }
    if (!isAppError(error) || !error.callerFault) {
      // The orchestration sends it again: the person reads why the launch takes longer, in Azure's words.
      if (isAppError(error) && !error.mayStillTakeEffect) await launchAnswered(deps, id, requestedAt, retryLine(deps, intent, error));
      throw error;
    }
    await launchAnswered(deps, id, requestedAt);
    return fail(deps, id, { code: error.code, message: error.message });
  }
  return stepOf(await launchAnswered(deps, id, requestedAt));
}

interface QueuedTurn {
  sendAt: Date;
  ahead: number;
  /** The look the step at the turn takes over (undefined: that step reads Azure itself). */
  observed: ComputeInstance | null | undefined;
  kind?: 'create' | 'start';
}

/** This spawn created the server and nothing has been sent for it: Azure has no instance of that id. */
function isFirstLaunch(server: Server): boolean {
  return server.state === 'Requested' && server.amlState === null && server.launchRequestedAt === null && server.createdAt === server.phaseSince;
}

/**
 * A create sent without reading the instance first. Refused because an instance of that id exists
 * after all (one that outlived its server, or is still being deleted), it is no failure: the run
 * looks again, and the watcher wakes it with that instance, which it then starts, adopts or
 * replaces as any other. Azure refuses the create, or answers it as the instance stands: either way
 * the wait that follows sees the instance's own state.
 */
async function createUnread(deps: ProvisioningDeps, request: CreateComputeRequest): Promise<void> {
  try {
    await deps.aml.createCompute(request);
  } catch (error) {
    if (!isAppError(error) || !(error.callerFault || error.code === 'conflicting-operation')) throw error;
    if ((await deps.aml.getCompute({ project: request.project, name: request.name })) === null) throw error;
  }
}

/** The create or start waits for its turn: say where it stands in the queue, and when to come back. */
async function queued(deps: ProvisioningDeps, id: string, { sendAt, ahead, observed, kind }: QueuedTurn): Promise<ProvisioningStep> {
  const stored = await deps.servers.update(id, (server) => {
    if (!isProvisioning(server.state)) return null;
    const last = server.progress[server.progress.length - 1]?.progress ?? 10;
    const message = queuedMessage(kind ?? (server.amlState === null ? 'create' : 'start'), ahead, server.id);
    const next = withProgress(server, { at: nowIso(deps), progress: last, message });
    return next === server ? null : next;
  });
  const state = stored?.server.state ?? null;
  if (state === null || !isProvisioning(state)) return { outcome: 'cancelled', state };
  return { outcome: 'paced', state, retryAt: sendAt.toISOString(), ...(observed === undefined ? {} : { observed }) };
}

/**
 * Azure answered the create or start sent at `requestedAt`: its effect is now visible to a GET.
 * `line`: a progress line recorded in the same write.
 */
function launchAnswered(deps: ProvisioningDeps, id: string, requestedAt: string, line?: ProgressEvent): Promise<VersionedServer | null> {
  return deps.servers.update(id, (server) => {
    if (server.launchRequestedAt !== requestedAt) return null;
    const answered = { ...server, launchRequestedAt: null };
    return line ? withProgress(answered, line) : answered;
  });
}

/** "Azure answered the create with an error: <Azure's message>. Trying again." */
function retryLine(deps: ProvisioningDeps, intent: LaunchIntent, error: Error): ProgressEvent {
  const kind = intent.state === 'Creating' ? 'create' : 'start';
  const said = error.message.trim().replace(/\.+$/, '');
  return { at: nowIso(deps), progress: intent.progress, message: `Azure answered the ${kind} with an error${said ? `: ${said}` : ''}. Trying again.` };
}

function stepOf(stored: VersionedServer | null): ProvisioningStep {
  const state = stored?.server.state ?? null;
  return state !== null && isProvisioning(state) ? { outcome: 'wait', state } : { outcome: 'cancelled', state };
}

/**
 * Still Requested: this run has sent nothing yet (it records its intent before any create or
 * start), so the failure is an earlier run's. Later looks also trust Azure's own record: a failed
 * operation older than this spawn (e.g. read again just after this run's delete was accepted).
 */
function failedBeforeThisSpawn(server: Server, compute: ComputeInstance): boolean {
  if (server.state === 'Requested') return true;
  const failedAt = compute.lastOperation?.operationTime ? Date.parse(compute.lastOperation.operationTime) : NaN;
  return failedAt < Date.parse(server.phaseSince);
}

/** Deletes an instance an earlier spawn left failed; the next steps see it go and create it anew. */
async function replaceFailed(deps: ProvisioningDeps, id: string, at: ComputeLocator, compute: ComputeInstance): Promise<ProvisioningStep> {
  try {
    await deps.aml.deleteCompute(at);
  } catch (error) {
    // Azure is busy with the instance: stay Requested, so the next look tries again.
    if (!isAppError(error, 'conflicting-operation')) throw error;
    return record(deps, id, 'Requested', compute.state, 10, REPLACING_FAILED_MESSAGE);
  }
  return record(deps, id, 'Creating', compute.state, 10, REPLACING_FAILED_MESSAGE);
}

/** The run ends without Running (deadline passed, or Azure kept failing): record why in the server. */
export async function giveUpProvisioning(deps: ProvisioningDeps, id: string, error: ServerError): Promise<ProvisioningStep> {
  return fail(deps, id, error);
}

function failureOf(compute: ComputeInstance): ServerError {
  const first = compute.errors[0];
  return first
    ? { code: first.code, message: first.message }
    : { code: compute.state, message: `Azure reports the compute instance as ${compute.state}.` };
}

/**
 * Azure is still working on the instance: record its state, and a progress line that follows the
 * expected duration — on a real change of state, otherwise at most one a minute. The instance's
 * id, VM size and Azure state are the server's own fields, not repeated in every line.
 */
async function recordWaiting(deps: ProvisioningDeps, server: Server, state: Server['state'], amlState: string): Promise<ProvisioningStep> {
  const kind = launchKindOf(state);
  const expected = kind ? await expectedLaunchSeconds(deps, server, kind) : 0;
  const stored = await deps.servers.update(server.id, (current) => {
    if (!isProvisioning(current.state)) return null;
    const at = nowIso(deps);
    const next = transitioned(current, state, at, { amlState });
    if (!next) return null;
    const last = current.progress[current.progress.length - 1];
    const changed = current.state !== state || current.amlState !== amlState;
    const sinceLine = last ? (Date.parse(at) - Date.parse(last.at)) / 1000 : Infinity;
    if (!shouldAddLine(changed, sinceLine)) return changed ? next : null;
    if (!kind) return changed ? next : null; // every provisioning state but Requested is a launch
    const elapsed = Math.max(0, (Date.parse(at) - Date.parse(launchStartedAt(current.progress, kind, current.phaseSince))) / 1000);
    return withProgress(next, { at, progress: progressPercent(elapsed, expected, kind === 'create' ? 20 : 30), message: launchLine(kind, current.size, expected, elapsed) });
  });
  const current = stored?.server;
  if (!current || !isProvisioning(current.state)) return { outcome: 'cancelled', state: current?.state ?? null };
  return { outcome: 'wait', state: current.state };
}

async function record(
  deps: ProvisioningDeps, id: string, state: Server['state'], amlState: string, progress: number, message: string,
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

async function markRunning(deps: ProvisioningDeps, id: string, compute: ComputeInstance): Promise<ProvisioningStep> {
  if (compute.jupyterLabUrl === null) {
    // Waiting would never end: a Running instance that lists no Jupyter will not grow one.
    return fail(deps, id, {
      code: 'no-jupyter-endpoint',
      message: `Compute instance ${compute.name} is running but lists no Jupyter application (neither "Jupyter Lab" nor "Jupyter"), so there is nothing to open. Check the instance in Azure ML studio, or delete it and spawn again.`,
    }, compute.state);
  }
  let launched: { server: Server; at: string } | null = null;
  const stored = await deps.servers.update(id, (server) => {
    if (!isProvisioning(server.state)) return null;
    const at = nowIso(deps);
    const next = transitioned(server, 'Running', at, {
      amlState: compute.state, url: compute.jupyterLabUrl, appUrls: landingUrls(compute.applications, compute.jupyterLabUrl),
      startedAt: at, error: null, launchRequestedAt: null,
    });
    launched = next && { server, at };
    return next && withProgress(next, { at, progress: 100, message: `Your ${server.size} server is running` });
  });
  const current = stored?.server;
  if (current?.state !== 'Running') return { outcome: 'cancelled', state: current?.state ?? null };
  // The launch's duration teaches the next ones what to expect (a failure to record never fails this one).
  const done = launched as { server: Server; at: string } | null;
  if (done) await recordLaunch(deps, done.server, done.at);
  return { outcome: 'running', state: 'Running' };
}

async function fail(deps: ProvisioningDeps, id: string, error: ServerError, amlState?: string): Promise<ProvisioningStep> {
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
