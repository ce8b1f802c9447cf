/**
 * Recovery of servers left transitional (issue 10.2): a crash between the write that moved a server
 * into Requested/Creating/Starting/Stopping/Deleting and the start of the run that drives it, or a
 * run that died, leaves nothing to finish the job. The idle sweep calls this: a transitional server
 * with no live run is driven again (the ensure* starters are idempotent), and one transitional for
 * longer than its phase's timeout is marked Failed with the reason, live run or not.
 */
import { runFor, WIND_DOWN_TIMEOUT_MINUTES } from '../domain/lifecycle';
import type { OrchestrationControl, ServerRunKind } from '../domain/ports';
import type { Server, ServerError, ServerState } from '../domain/server';
import { giveUpProvisioning } from './advance-provisioning';
import { giveUpWindDown } from './advance-wind-down';
import type { WithSettings } from './dependencies';
import type { ProvisioningDeps } from './advance-provisioning';

/** What this use case reads: its ports and only these settings. */
export type RecoveryDeps = WithSettings<'provisionTimeoutMinutes'> & ProvisioningDeps;

export interface RecoveryLimits {
  provisionTimeoutMinutes: number;
  windDownTimeoutMinutes: number;
}

export type RecoveryAction =
  | { kind: 'none' }
  | { kind: 'drive'; run: ServerRunKind }
  | { kind: 'give-up'; run: ServerRunKind; error: ServerError };

export interface Recovered {
  id: string;
  state: ServerState;
  /** `error`: the recovery of this server failed (e.g. the durable API did not answer); the next sweep tries again. */
  action: 'driven' | 'failed' | 'error';
  error?: string;
}

/**
 * A live run past its own deadline gets this long to record its give-up (its last poll, retries of
 * its give-up activity) before the sweep does it for it.
 */
export const LIVE_RUN_SLACK_MINUTES = 5;

const MINUTE = 60_000;


/** What to do about one server, from its state, how long it has been in its phase and whether its run is live. */
export function recoveryFor(server: Pick<Server, 'state' | 'phaseSince'>, runLive: boolean, now: Date, limits: RecoveryLimits): RecoveryAction {
  const run = runFor(server.state);
  if (run === null) return { kind: 'none' };
  const timeoutMinutes = run === 'provision' ? limits.provisionTimeoutMinutes : limits.windDownTimeoutMinutes;
  const minutes = (now.getTime() - Date.parse(server.phaseSince)) / MINUTE;
  if (minutes > timeoutMinutes + (runLive ? LIVE_RUN_SLACK_MINUTES : 0)) {
    return { kind: 'give-up', run, error: timeoutError(run, server.state, timeoutMinutes) };
  }
  return runLive ? { kind: 'none' } : { kind: 'drive', run };
}

function timeoutError(run: ServerRunKind, state: ServerState, minutes: number): ServerError {
  const what = run === 'provision' ? 'The create or start' : run === 'stop' ? 'The stop' : 'The delete';
  return {
    code: `${run}-timeout`,
    message: `${what} did not complete within ${minutes} minutes (the server was still ${state}); spawn, stop or delete it again.`,
  };
}

/** Applies `recoveryFor` to the transitional servers among `active` (the sweep's list of servers not at rest). */
export async function recoverStalledServers(
  deps: RecoveryDeps,
  control: OrchestrationControl,
  active: readonly Server[],
  now: Date,
): Promise<Recovered[]> {
  const limits = { provisionTimeoutMinutes: deps.settings.provisionTimeoutMinutes, windDownTimeoutMinutes: WIND_DOWN_TIMEOUT_MINUTES };
  const recovered: Recovered[] = [];
  for (const server of active) {
    const run = runFor(server.state);
    if (run === null) continue;
    try {
      const outcome = await recoverOne(deps, control, server, run, now, limits);
      if (outcome) recovered.push({ id: server.id, state: server.state, action: outcome });
    } catch (error) {
      // One server's trouble must not keep the sweep from the others (nor from the rest of its work).
      recovered.push({ id: server.id, state: server.state, action: 'error', error: error instanceof Error ? error.message : String(error) });
    }
  }
  return recovered;
}

async function recoverOne(
  deps: RecoveryDeps, control: OrchestrationControl, server: Server, run: ServerRunKind, now: Date, limits: RecoveryLimits,
): Promise<'driven' | 'failed' | null> {
  const action = recoveryFor(server, await control.isLive(run, server.id), now, limits);
  if (action.kind === 'drive') {
    await drive(control, action.run, server.id);
    return 'driven';
  }
  if (action.kind === 'none') return null;
  if (action.run === 'provision') {
    await control.cancelProvisioning(server.id, action.error.message);
    await giveUpProvisioning(deps, server.id, action.error);
  } else {
    await giveUpWindDown(deps, server.id, action.error);
  }
  const stored = await deps.servers.get(server.id);
  return stored?.server.state === 'Failed' ? 'failed' : null;
}

function drive(control: OrchestrationControl, run: ServerRunKind, id: string): Promise<void> {
  switch (run) {
    case 'provision':
      return control.ensureProvisioning(id);
    case 'stop':
      return control.ensureStopping(id);
    case 'delete':
      return control.ensureDeleting(id);
  }
}
