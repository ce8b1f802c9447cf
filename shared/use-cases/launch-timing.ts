/**
 * The learned figures for one server's launch: its expected duration (from the recent completed
 * launches of the same region, VM size and kind, or the configured default), and recording a
 * launch that completed. A failure to read or write the figures never fails a launch.
 */
import type { LaunchKey } from '../domain/launch-durations';
import type { Server, ServerState } from '../domain/server';
import { expectedSeconds, launchStartedAt, RECENT_LAUNCHES, type LaunchKind } from '../domain/wait-timing';
import type { WithSettings } from './dependencies';
import { TtlCache } from './ttl-cache';
import { consoleLog } from '../logging/log-events';
import type { Settings } from '../config/settings';

/** What this use case reads: its ports and only these settings. */
export type LaunchTimingDeps = WithSettings<'launchDefaults'>;

/** Seconds the recent durations of one key are kept in memory: a burst of steps reads the table once. */
const CACHE_SECONDS = 60;

const caches = new WeakMap<object, TtlCache<number[]>>();

export function launchKindOf(state: ServerState): LaunchKind | null {
  if (state === 'Creating') return 'create';
  if (state === 'Starting') return 'start';
  return null;
}

export function defaultLaunchSeconds(deps: { settings: Pick<Settings, 'launchDefaults'> }, kind: LaunchKind): number {
  return kind === 'create' ? deps.settings.launchDefaults.createSeconds : deps.settings.launchDefaults.startSeconds;
}

/** Expected seconds of the server's launch of this kind. */
export async function expectedLaunchSeconds(deps: LaunchTimingDeps, server: Server, kind: LaunchKind): Promise<number> {
  const fallback = defaultLaunchSeconds(deps, kind);
  try {
    const key = await launchKeyOf(deps, server, kind);
    if (!key) return fallback;
    let cache = caches.get(deps);
    if (!cache) caches.set(deps, (cache = new TtlCache<number[]>(CACHE_SECONDS, deps.clock)));
    const recent = await cache.get(`${key.region}|${key.vmSize}|${key.kind}`, () => deps.durations.recent(key, RECENT_LAUNCHES));
    return expectedSeconds(recent, fallback);
  } catch {
    return fallback;
  }
}

/** Records a launch that reached Running at `endedAt`; `server` is the record before Running. */
export async function recordLaunch(deps: LaunchTimingDeps, server: Server, endedAt: string): Promise<void> {
  const kind = launchKindOf(server.state);
  if (!kind) return;
  const seconds = (Date.parse(endedAt) - Date.parse(launchStartedAt(server.progress, kind, server.phaseSince))) / 1000;
  if (!(seconds > 0)) return;
  try {
    const key = await launchKeyOf(deps, server, kind);
    if (key) await deps.durations.record(key, Math.round(seconds * 10) / 10, endedAt);
  } catch (error) {
    consoleLog.warn('launch-timing.record-failed', { serverId: server.id, message: error instanceof Error ? error.message : String(error) });
  }
}

async function launchKeyOf(deps: LaunchTimingDeps, server: Server, kind: LaunchKind): Promise<LaunchKey | null> {
  const lookup = await deps.catalog.findProject(server.project, 'anyone');
  if (lookup.kind !== 'offered') return null;
  return { region: lookup.project.location, vmSize: server.vmSize, kind };
}
