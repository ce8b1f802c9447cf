/**
 * The sweep (timer). Idle is the instance's own business (Azure ML's idle shutdown stops it); the
 * sweep never stops a server for hub inactivity. In clear steps, each project on its own:
 *  1. list each project's instances (one paged ARM list per workspace, never one GET per server);
 *     a project whose list fails is reported and left for the next sweep;
 *  2. reconcile Running servers with their instances: stopped by the idle shutdown (`idle`) or
 *     elsewhere (`external`), deleted, failed;
 *  3. stop Running servers past MAX_RUNTIME_HOURS;
 *  4. instances running for servers at rest: adopt one a person (or a schedule) started after the
 *     server stopped, stop one that runs because a stop lost a race, delete one of a Deleted server;
 *  5. instances of this hub with no stored server: stop them, delete them after the grace period;
 *  6. servers left transitional with no live run (a crash between a write and the run's start):
 *     driven again, or failed once past their timeout;
 *  7. the usage ledger repaired from the servers' state, and (BUDGET_STOP_AT_LIMIT) servers of
 *     projects past their month's budget stopped.
 */
import { landingUrls } from '../domain/landing';
import { amlPhase } from '../domain/aml-states';
import { isAppError } from '../domain/errors';
import { describeIdleTime } from '../domain/idle-shutdown';
import { isAtRest } from '../domain/lifecycle';
import type { ComputeInstance, OrchestrationControl } from '../domain/ports';
import type { Server, StopReason } from '../domain/server';
import { transitioned, withProgress } from '../domain/server-changes';
import { SERVER_ID_PATTERN } from '../domain/naming';
import { isOfHub, orphanAction, startedOutsideAfter, stopReasonOf } from '../domain/sweep-decisions';
import { nowIso, type WithSettings } from './dependencies';
import { stopServer } from './stop-server';
import { recoverStalledServers, type Recovered } from './recover-stalled-servers';
import { settleUsageLedger, stopOverBudget, type LedgerRepair } from './usage-sweep';
import type { RecoveryDeps } from './recover-stalled-servers';
import type { UsageSweepDeps } from './usage-sweep';
import type { StopDeps } from './stop-server';

/** What this use case reads: its ports and only these settings. */
export type SweepDeps = WithSettings<'orphanDeleteAfterHours' | 'hubId' | 'maxRuntimeHours'> & RecoveryDeps & UsageSweepDeps & StopDeps;

export interface SweepReport {
  examined: number;
  stopped: { id: string; reason: StopReason }[];
  reconciled: { id: string; from: string; to: string; reason: StopReason | null }[];
  /** Servers whose instance a person (studio) or a schedule started after they stopped: Running again. */
  adopted: string[];
  /** Instances running for servers the product holds at rest because a stop lost a race: stopped. */
  orphansStopped: string[];
  /** Instances of servers recorded Deleted (a create that landed after the delete): deleted. */
  orphansDeleted: string[];
  /** Instances of this hub without a stored server, stopped or (after the grace period) deleted. */
  unknownInstances: { stopped: string[]; deleted: string[] };
  /** Projects whose compute list failed this time; they are swept again next time. */
  failedProjects: { project: string; code: string; message: string }[];
  /** Instances an action on which failed this time (e.g. Azure busy with them); tried again next time. */
  failedInstances: { name: string; code: string; message: string }[];
  /** Transitional servers no live run drove (driven again), or transitional past their timeout (failed). */
  recovered: Recovered[];
  /** Usage-ledger rows the sweep wrote because the transition's own write was lost. */
  ledger: LedgerRepair;
}

const HOUR = 3_600_000;

/** Instances by name, per project (lower-case) whose list succeeded. */
type ComputesByProject = Map<string, Map<string, ComputeInstance>>;

export async function sweepIdleServers(deps: SweepDeps, control: OrchestrationControl): Promise<SweepReport> {
  const active = await deps.servers.listActive();
  const report: SweepReport = {
    examined: active.length,
    stopped: [],
    reconciled: [],
    adopted: [],
    orphansStopped: [],
    orphansDeleted: [],
    unknownInstances: { stopped: [], deleted: [] },
    failedProjects: [],
    failedInstances: [],
    recovered: [],
    ledger: { opened: [], closed: [] },
  };
  const computesByProject = await listComputesByProject(deps, report);
  const stillRunning = await reconcileRunning(deps, active, computesByProject, report);
  await stopPastMaxRuntime(deps, control, stillRunning, report);
  await settleInstancesAtRest(deps, computesByProject, report);
  report.recovered = await recoverStalledServers(deps, control, active, deps.clock.now());
  report.stopped.push(...(await stopOverBudget(deps, control, stillRunning)));
  await actingOn(report, 'usage-ledger', async () => {
    report.ledger = await settleUsageLedger(deps, active);
  });
  return report;
}

/** Step 1: one list per project; a failing project is recorded and does not stop the others. */
async function listComputesByProject(deps: SweepDeps, report: SweepReport): Promise<ComputesByProject> {
  const projects = await deps.catalog.listProjects('anyone');
  const byProject: ComputesByProject = new Map();
  await Promise.all(
    projects.map(async (project) => {
      try {
        const { computes } = await deps.aml.listComputes(project.name);
        byProject.set(project.name.toLowerCase(), new Map(computes.map((compute) => [compute.name, compute])));
      } catch (error) {
        report.failedProjects.push({
          project: project.name,
          code: isAppError(error) ? error.code : 'internal',
          message: error instanceof Error ? error.message : String(error),
        });
      }
    }),
  );
  return byProject;
}

/** Step 2: Running servers whose instance stopped, failed or vanished outside the product; returns the ones still Running. */
async function reconcileRunning(deps: SweepDeps, active: Server[], computesByProject: ComputesByProject, report: SweepReport): Promise<Server[]> {
  const stillRunning: Server[] = [];
  for (const server of active) {
    if (server.state !== 'Running') continue;
    const computes = computesByProject.get(server.project.toLowerCase());
    const change = computes ? await reconcile(deps, server, computes.get(server.id)) : null;
    if (change) report.reconciled.push(change);
    else stillRunning.push(server);
  }
  return stillRunning;
}

async function reconcile(deps: SweepDeps, server: Server, compute: ComputeInstance | undefined): Promise<SweepReport['reconciled'][number] | null> {
  const phase = compute ? amlPhase(compute.state) : 'absent';
  const to = phase === 'absent' ? 'Deleted' : phase === 'stopped' ? 'Stopped' : phase === 'failed' ? 'Failed' : null;
  if (to === null) return null;
  let reason: StopReason = 'external';
  const stored = await deps.servers.update(server.id, (current) => {
    if (current.state !== 'Running') return null;
    // From the stored server, not the active list's copy: a session's end may have just been recorded.
    reason = compute && phase === 'stopped' ? stopReasonOf(compute, current) : 'external';
    const at = nowIso(deps);
    const message = !compute ? 'The compute instance was deleted outside JupyterHub'
      : phase === 'stopped' ? stoppedMessage(compute, reason)
      : `The compute instance became ${compute.state}`;
    const next = transitioned(current, to, at, {
      amlState: compute?.state ?? null,
      url: null,
      stoppedAt: at,
      stopReason: reason,
      error: to === 'Failed' ? { code: compute?.state ?? 'Failed', message: compute?.errors[0]?.message ?? message } : current.error,
    });
    return next && withProgress(next, { at, progress: 100, message });
  });
  return stored?.server.state === to ? { id: server.id, from: 'Running', to, reason } : null;
}

function stoppedMessage(compute: ComputeInstance, reason: StopReason): string {
  if (reason === 'external') return 'The compute instance was stopped outside JupyterHub (Azure ML studio or a schedule)';
  const idle = compute.idleTimeBeforeShutdown;
  const stopped = idle ? `Stopped by Azure ML after ${describeIdleTime(idle)} without activity` : 'Stopped by Azure ML after a time without activity';
  return reason === 'schedule' ? `${stopped}, once its class session had ended` : stopped;
}

/** Step 3: the one limit the sweep enforces itself. Hub activity never shortens a server's life. */
async function stopPastMaxRuntime(deps: SweepDeps, control: OrchestrationControl, running: Server[], report: SweepReport): Promise<void> {
  const now = deps.clock.now().getTime();
  for (const server of running) {
    if (server.startedAt === null || now - Date.parse(server.startedAt) <= deps.settings.maxRuntimeHours * HOUR) continue;
    const result = await stopServer(deps, control, server.id, 'max-runtime');
    if (result.accepted) report.stopped.push({ id: server.id, reason: 'max-runtime' });
  }
}

/** Steps 4 and 5: running instances of servers at rest, and instances of this hub without a server. */
async function settleInstancesAtRest(deps: SweepDeps, computesByProject: ComputesByProject, report: SweepReport): Promise<void> {
  const now = deps.clock.now();
  for (const [project, computes] of computesByProject) {
    for (const compute of computes.values()) {
      if (!SERVER_ID_PATTERN.test(compute.name)) continue;
      const running = amlPhase(compute.state) === 'running';
      // A resting instance matters only as an orphan of this hub due for deletion: no read for the others.
      if (!running && !(isOfHub(compute, deps.settings.hubId) && orphanAction(compute, now, deps.settings.orphanDeleteAfterHours) === 'delete')) continue;
      await actingOn(report, compute.name, async () => {
        const stored = await deps.servers.get(compute.name);
        if (!stored) await settleUnknownInstance(deps, project, compute, report);
        else if (stored.server.state === 'Deleted') await deleteInstanceOfDeletedServer(deps, project, compute, report);
        else if (running && isAtRest(stored.server.state)) await settleRunningInstanceAtRest(deps, project, stored.server, compute, report);
      });
    }
  }
}

/** One instance's trouble (Azure busy with it, a throttled call) is reported and does not end the sweep. */
async function actingOn(report: SweepReport, name: string, act: () => Promise<void>): Promise<void> {
  try {
    await act();
  } catch (error) {
    report.failedInstances.push({ name, code: isAppError(error) ? error.code : 'internal', message: error instanceof Error ? error.message : String(error) });
  }
}

/** Step 4: adopt a start made outside after the server stopped; stop an instance that runs because a stop lost a race. */
async function settleRunningInstanceAtRest(deps: SweepDeps, project: string, server: Server, compute: ComputeInstance, report: SweepReport): Promise<void> {
  const startedAt = startedOutsideAfter(compute, server.stoppedAt ?? server.updatedAt);
  if (startedAt === null) {
    await deps.aml.stopCompute({ project, name: compute.name });
    report.orphansStopped.push(compute.name);
    return;
  }
  // A person's own start is never fought; only a Stopped server can take it up as Running.
  if (server.state !== 'Stopped') return;
  const stored = await deps.servers.update(server.id, (current) => {
    if (current.state !== 'Stopped' || startedOutsideAfter(compute, current.stoppedAt ?? current.updatedAt) === null) return null;
    const at = nowIso(deps);
    const next = transitioned(current, 'Running', at, {
      amlState: compute.state,
      url: compute.jupyterLabUrl,
      appUrls: landingUrls(compute.applications, compute.jupyterLabUrl),
      startedAt,
      stopReason: null,
      error: null,
    });
    return next && withProgress(next, { at, progress: 100, message: 'Started outside JupyterHub (Azure ML studio or schedule)' });
  });
  if (stored?.server.state === 'Running') report.adopted.push(server.id);
}

/** A Deleted server keeps no instance: one that landed after the delete is deleted, not just stopped. */
async function deleteInstanceOfDeletedServer(deps: SweepDeps, project: string, compute: ComputeInstance, report: SweepReport): Promise<void> {
  if (amlPhase(compute.state) === 'deleting') return;
  await deps.aml.deleteCompute({ project, name: compute.name });
  report.orphansDeleted.push(compute.name);
}

/** Step 5: instances of this hub (name and tag) that no stored server knows; another hub's are never touched. */
async function settleUnknownInstance(deps: SweepDeps, project: string, compute: ComputeInstance, report: SweepReport): Promise<void> {
  if (!isOfHub(compute, deps.settings.hubId)) return;
  const action = orphanAction(compute, deps.clock.now(), deps.settings.orphanDeleteAfterHours);
  if (action === 'stop') {
    await deps.aml.stopCompute({ project, name: compute.name });
    report.unknownInstances.stopped.push(compute.name);
  } else if (action === 'delete') {
    await deps.aml.deleteCompute({ project, name: compute.name });
    report.unknownInstances.deleted.push(compute.name);
  }
}
