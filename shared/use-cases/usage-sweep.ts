/**
 * The sweep's cost steps: repair the usage ledger from the servers' state (a ledger write that
 * failed after its transition), and, with BUDGET_STOP_AT_LIMIT, stop the running servers of a
 * project that has used its month's budget.
 */
import type { OrchestrationControl } from '../domain/ports';
import type { Server, StopReason } from '../domain/server';
import type { UsageInterval } from '../domain/usage';
import type { WithSettings } from './dependencies';
import { stopServer } from './stop-server';
import { budgetStates } from './usage-report';
import { intervalOf } from './usage-recording-servers';
import type { StopDeps } from './stop-server';

/** What this use case reads: its ports and only these settings. */
export type UsageSweepDeps = WithSettings<'cost'> & StopDeps;

export interface LedgerRepair {
  /** Running servers whose interval was not recorded: opened. */
  opened: string[];
  /** Intervals left open for servers no longer Running on them: closed. */
  closed: string[];
}

const sameStart = (a: string, b: string) => Date.parse(a) === Date.parse(b);

export async function settleUsageLedger(deps: UsageSweepDeps, active: Server[]): Promise<LedgerRepair> {
  const repair: LedgerRepair = { opened: [], closed: [] };
  const open = await deps.usage.listOpen();
  const regionOf = async (project: string) => {
    const lookup = await deps.catalog.findProject(project, 'anyone');
    return lookup.kind === 'offered' ? lookup.project.location.toLowerCase() : 'unknown';
  };
  for (const server of active) {
    if (server.state !== 'Running' || server.startedAt === null) continue;
    const startedAt = server.startedAt;
    if (open.some((row) => row.serverId === server.id && sameStart(row.start, startedAt))) continue;
    // Idempotent: an interval recorded closed meanwhile stays closed.
    await deps.usage.open(await intervalOf(server, regionOf));
    repair.opened.push(server.id);
  }
  for (const row of open) {
    const end = await endOf(deps, row);
    if (end === null) continue;
    await deps.usage.close({ ...row, end });
    repair.closed.push(row.serverId);
  }
  return repair;
}

/** When an open row's interval ended, read from its server; null while the server still runs on it. */
async function endOf(deps: UsageSweepDeps, row: UsageInterval): Promise<string | null> {
  const stored = await deps.servers.get(row.serverId);
  if (!stored) return deps.clock.now().toISOString();
  const { server } = stored;
  if (server.state === 'Running' && server.startedAt !== null && sameStart(server.startedAt, row.start)) return null;
  // Running on a later interval: this one ended before that start (an upper bound, never an undercount).
  if (server.state === 'Running' || server.stoppedAt === null) return server.startedAt ?? server.updatedAt;
  return server.stoppedAt;
}

/** With BUDGET_STOP_AT_LIMIT: stops the running servers of projects past their month's budget. */
export async function stopOverBudget(
  deps: UsageSweepDeps,
  control: OrchestrationControl,
  running: Server[],
): Promise<{ id: string; reason: StopReason }[]> {
  if (!deps.settings.cost.stopAtLimit || running.length === 0) return [];
  const projects = [...new Set(running.map((server) => server.project))];
  const states = await budgetStates(deps, projects);
  const stopped: { id: string; reason: StopReason }[] = [];
  for (const server of running) {
    if (states.get(server.project)?.status !== 'exceeded') continue;
    const result = await stopServer(deps, control, server.id, 'budget');
    if (result.accepted) stopped.push({ id: server.id, reason: 'budget' });
  }
  return stopped;
}
