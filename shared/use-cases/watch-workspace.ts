/**
 * One look of a project's watcher (issue 12): every server of the project that Azure is working on
 * is followed by ONE compute list, and only the runs whose instance changed state are woken.
 *
 * A launch (create or start) is not looked at during the first part of its expected duration
 * (wait-timing.ts); while nothing is due, the look costs no ARM call. Meanwhile each launch gains
 * at most one "still creating" line a minute, so the bar follows the expected duration.
 */
import { runFor } from '../domain/lifecycle';
import type { ComputeInstance } from '../domain/ports';
import { SIZE_LABELS, type Server } from '../domain/server';
import { withProgress } from '../domain/server-changes';
import {
  fallbackSeconds, isDue, launchLine, launchStartedAt, nextLookSeconds, progressPercent, STILL_LINE_SECONDS, type LaunchKind,
} from '../domain/wait-timing';
import { nowIso, type WithSettings } from './dependencies';
import { expectedLaunchSeconds, launchKindOf } from './launch-timing';
import type { LaunchTimingDeps } from './launch-timing';

/** What this use case reads: its ports and only these settings. */
export type WatchDeps = WithSettings<'provisionPollSeconds' | 'stopPollSeconds'> & LaunchTimingDeps;

/** The run that drives a server in this state, and so the one to wake. */
export type WatchedRun = 'provision' | 'stop' | 'delete';

/** The instance's state as the list showed it, or `absent`. */
export type ObservedState = string;

export interface Wakeup {
  run: WatchedRun;
  serverId: string;
  observed: ObservedState;
  /** The instance as listed; null when absent. */
  compute: ComputeInstance | null;
}

/** Wakes a waiting run (an external event to its orchestration); a run that ended is no error. */
export interface RunWaker {
  wake(wakeup: Wakeup): Promise<void>;
}

/** Starts the project's watcher unless it runs (idempotent; one per workspace). */
export interface WatchStarter {
  ensureWatching(project: string): Promise<void>;
}

/** What the watcher last told each run it watches, carried from one look to the next. */
export type SeenStates = Record<string, ObservedState>;

export interface WatchLook {
  /** Servers of the project Azure is (or is about to be) working on. */
  inFlight: number;
  /** Whether this look listed the project's computes (one ARM call). */
  listed: boolean;
  woken: string[];
  seen: SeenStates;
  /** Seconds until the next look, or null when nothing is in flight (the watcher ends). */
  nextLookSeconds: number | null;
}

export const ABSENT: ObservedState = 'absent';

/** The longest a watcher sleeps while something is in flight: the "still" lines come once a minute. */
const LONGEST_SLEEP_SECONDS = STILL_LINE_SECONDS;

interface Watched {
  server: Server;
  run: WatchedRun;
  due: boolean;
  /** Seconds until a launch becomes due (0 when due). */
  dueIn: number;
  launch: { kind: LaunchKind; expected: number; elapsed: number } | null;
}

export async function watchWorkspace(deps: WatchDeps, waker: RunWaker, project: string, seen: SeenStates): Promise<WatchLook> {
  const now = deps.clock.now();
  // The project's rows of the active index only (one query per size), never the whole index.
  const active = (await Promise.all(SIZE_LABELS.map((size) => deps.servers.listActive({ project, size })))).flat();
  const inFlight = active.filter((server) => runOf(server) !== null);
  if (inFlight.length === 0) return { inFlight: 0, listed: false, woken: [], seen: {}, nextLookSeconds: null };

  const interval = deps.settings.provisionPollSeconds;
  const watched = await Promise.all(inFlight.map((server) => watchedOf(deps, server, now, interval)));
  const due = watched.filter((entry) => entry.due);
  const nextSeen: SeenStates = {};
  const woken: string[] = [];

  if (due.length > 0) {
    const computes = new Map<string, ComputeInstance>((await deps.aml.listComputes(project)).map((compute) => [compute.name, compute]));
    await Promise.all(due.map(async ({ server, run }) => {
      const compute = computes.get(server.id) ?? null;
      const observed = compute?.state ?? ABSENT;
      nextSeen[server.id] = observed;
      const known = seen[server.id] ?? server.amlState ?? ABSENT;
      if (observed === known) return;
      await waker.wake({ run, serverId: server.id, observed, compute });
      woken.push(server.id);
    }));
  }
  // Launches not woken now: a "still" line when the last one is a minute old (no ARM call).
  await Promise.all(watched
    .filter((entry) => entry.launch && !woken.includes(entry.server.id))
    .map((entry) => noteStillLaunching(deps, entry.server, entry.launch!)));

  const windDownOnly = due.length > 0 && due.every((entry) => entry.run !== 'provision');
  const soonest = Math.min(...watched.map((entry) => (entry.due ? 0 : entry.dueIn)));
  const step = windDownOnly ? deps.settings.stopPollSeconds : interval;
  return {
    inFlight: inFlight.length,
    listed: due.length > 0,
    woken: woken.sort(),
    seen: nextSeen,
    nextLookSeconds: Math.min(LONGEST_SLEEP_SECONDS, Math.max(step, soonest)),
  };
}

function runOf(server: Server): WatchedRun | null {
  return runFor(server.state);
}

async function watchedOf(deps: WatchDeps, server: Server, now: Date, interval: number): Promise<Watched> {
  const run = runOf(server)!;
  const kind = launchKindOf(server.state);
  if (!kind) {
    // A wind-down is looked at every time; so is a Requested server whose instance is on its way out.
    const due = run !== 'provision' || server.amlState !== null;
    return { server, run, due, dueIn: due ? 0 : interval, launch: null };
  }
  const expected = await expectedLaunchSeconds(deps, server, kind);
  const elapsed = Math.max(0, (now.getTime() - Date.parse(launchStartedAt(server.progress, kind, server.phaseSince))) / 1000);
  const due = isDue(elapsed, expected);
  return { server, run, due, dueIn: due ? 0 : nextLookSeconds(elapsed, expected, interval), launch: { kind, expected, elapsed } };
}

/**
 * At most one line a minute while a launch runs, with the bar following the expected duration.
 * `server` is as this look read it: only a line that is due costs a write (and its read).
 */
async function noteStillLaunching(deps: WatchDeps, server: Server, launch: { kind: LaunchKind; expected: number; elapsed: number }): Promise<void> {
  const { kind, expected, elapsed } = launch;
  const now = deps.clock.now();
  const last = server.progress[server.progress.length - 1];
  if (last && (now.getTime() - Date.parse(last.at)) / 1000 < STILL_LINE_SECONDS) return;
  await deps.servers.update(server.id, (current) => {
    if (current.state !== server.state || current.progress.length !== server.progress.length) return null; // someone wrote meanwhile
    const next = withProgress(current, { at: nowIso(deps), progress: progressPercent(elapsed, expected), message: launchLine(kind, current.size, expected, elapsed) });
    return next === current ? null : next;
  });
}

/**
 * A run is about to wait for its server: make sure the server's workspace is watched, and say how
 * long the run should wait for a wake before looking by itself (long: the watcher does the looking).
 */
export async function enrolForWatch(deps: WatchDeps, starter: WatchStarter, serverId: string): Promise<{ fallbackSeconds: number }> {
  const stored = await deps.servers.get(serverId);
  const server = stored?.server;
  const interval = deps.settings.provisionPollSeconds;
  if (!server || runOf(server) === null) return { fallbackSeconds: fallbackSeconds(0, interval) };
  await starter.ensureWatching(server.project);
  const kind = launchKindOf(server.state);
  const expected = kind ? await expectedLaunchSeconds(deps, server, kind) : 0;
  return { fallbackSeconds: fallbackSeconds(expected, interval) };
}
