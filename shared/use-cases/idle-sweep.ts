/**
 * The idle sweep (timer): stops servers idle or running too long, and reconciles the stored state
 * with Azure — one ARM list per project workspace, never one GET per server.
 */
import { amlPhase } from '../domain/aml-states';
import { isAtRest } from '../domain/lifecycle';
import type { ComputeInstance, OrchestrationControl } from '../domain/ports';
import type { Server, StopReason } from '../domain/server';
import { transitioned, withProgress } from '../domain/server-changes';
import { SERVER_ID_PATTERN } from '../domain/naming';
import { nowIso, type Dependencies } from './dependencies';
import { stopServer } from './stop-server';
import { recoverStalledServers, type Recovered } from './recover-stalled-servers';

export interface SweepReport {
  examined: number;
  stopped: { id: string; reason: StopReason }[];
  reconciled: { id: string; from: string; to: string }[];
  /** Instances running in Azure for servers the product holds at rest (e.g. a stop that lost a race). */
  orphansStopped: string[];
  /** Transitional servers no live run drove (driven again), or transitional past their timeout (failed). */
  recovered: Recovered[];
}

const MINUTE = 60_000;

/** Why a Running server should be stopped now, or null. */
export function stopReasonFor(server: Server, now: Date, deps: Pick<Dependencies, 'settings'>): StopReason | null {
  if (server.state !== 'Running' || server.startedAt === null) return null;
  const started = Date.parse(server.startedAt);
  if (now.getTime() - started > deps.settings.maxRuntimeHours * 60 * MINUTE) return 'max-runtime';
  const lastActive = Math.max(started, server.lastActivityAt ? Date.parse(server.lastActivityAt) : 0);
  if (now.getTime() - lastActive > deps.settings.idleStopMinutes[server.size] * MINUTE) return 'idle';
  return null;
}

export async function sweepIdleServers(deps: Dependencies, control: OrchestrationControl): Promise<SweepReport> {
  const now = deps.clock.now();
  const active = await deps.servers.listActive();
  const report: SweepReport = { examined: active.length, stopped: [], reconciled: [], orphansStopped: [], recovered: [] };

  const computesByProject = await listComputesByProject(deps);
  for (const server of active) {
    const computes = computesByProject.get(server.project.toLowerCase());
    if (computes && server.state === 'Running') {
      const change = await reconcile(deps, server, computes.get(server.id));
      if (change) {
        report.reconciled.push(change);
        continue;
      }
    }
    const reason = stopReasonFor(server, now, deps);
    if (reason) {
      const result = await stopServer(deps, control, server.id, reason);
      if (result.accepted) report.stopped.push({ id: server.id, reason });
    }
  }
  report.recovered = await recoverStalledServers(deps, control, active, now);
  report.orphansStopped = await stopOrphans(deps, computesByProject);
  return report;
}

async function listComputesByProject(deps: Dependencies): Promise<Map<string, Map<string, ComputeInstance>>> {
  const projects = await deps.catalog.listProjects('anyone');
  const lists = await Promise.all(projects.map(async (project) => [project.name.toLowerCase(), await deps.aml.listComputes(project.name)] as const));
  return new Map(lists.map(([project, computes]) => [project, new Map(computes.map((compute) => [compute.name, compute]))]));
}

/** A Running server whose instance stopped, failed or vanished outside the product. */
async function reconcile(deps: Dependencies, server: Server, compute: ComputeInstance | undefined): Promise<SweepReport['reconciled'][number] | null> {
  const phase = compute ? amlPhase(compute.state) : 'absent';
  const to = phase === 'absent' ? 'Deleted' : phase === 'stopped' ? 'Stopped' : phase === 'failed' ? 'Failed' : null;
  if (to === null) return null;
  const stored = await deps.servers.update(server.id, (current) => {
    if (current.state !== 'Running') return null;
    const at = nowIso(deps);
    const message = phase === 'absent' ? 'The compute instance was deleted outside JupyterHub'
      : phase === 'stopped' ? 'The compute instance was stopped outside JupyterHub (Azure ML idle shutdown or the studio)'
      : `The compute instance became ${compute?.state}`;
    const next = transitioned(current, to, at, {
      amlState: compute?.state ?? null,
      url: null,
      stoppedAt: at,
      stopReason: 'external',
      error: to === 'Failed' ? { code: compute?.state ?? 'Failed', message: compute?.errors[0]?.message ?? message } : current.error,
    });
    return next && withProgress(next, { at, progress: 100, message });
  });
  return stored?.server.state === to ? { id: server.id, from: 'Running', to } : null;
}

async function stopOrphans(deps: Dependencies, computesByProject: Map<string, Map<string, ComputeInstance>>): Promise<string[]> {
  const stopped: string[] = [];
  for (const [project, computes] of computesByProject) {
    for (const compute of computes.values()) {
      if (!SERVER_ID_PATTERN.test(compute.name) || amlPhase(compute.state) !== 'running') continue;
      const stored = await deps.servers.get(compute.name);
      if (!stored || !isAtRest(stored.server.state)) continue;
      await deps.aml.stopCompute({ project, name: compute.name });
      stopped.push(compute.name);
    }
  }
  return stopped;
}
