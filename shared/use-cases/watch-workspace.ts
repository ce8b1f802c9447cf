/**
 * The workspace watcher (issue 12): every server of a project that Azure is working on is followed
 * by ONE look at Azure per watcher look, for all of them, and only the runs whose instance changed
 * state are woken.
 *
 * A look costs what changed, not what is in flight: it reads the project's watch list (one query;
 * each entry carries what the look needs), looks at Azure only when some entry is due — one list of
 * the workspace, or one GET per due instance when that is fewer ARM requests than the last list's
 * pages — and writes only for a wake (the event, the entry's removal) or a minute's progress line.
 * The one server it reads is that of a stop or delete waiting on a launch's answer, which Azure
 * does not show when the launch was refused.
 * A run enrols (again) before each wait, so the list holds exactly the runs that wait.
 *
 * A launch (create or start) is not looked at during the first part of its expected duration
 * (wait-timing.ts); meanwhile each launch gains one "still creating" line a minute.
 */
import { launchMayBeInFlight, runFor } from '../domain/lifecycle';
import type { ComputeInstance, ComputeList } from '../domain/ports';
import { withProgress } from '../domain/server-changes';
import {
  fallbackSeconds, launchLine, launchStartedAt, lookPauseSeconds, progressPercent, quietSeconds, STILL_LINE_SECONDS, type LaunchKind,
} from '../domain/wait-timing';
import type { ListedWatchEntry, WatchedRun, WatchEntry, WatcherRecord } from '../domain/watch-list';
import { nowIso, type WithSettings } from './dependencies';
import { expectedLaunchSeconds, launchKindOf } from './launch-timing';
import type { LaunchTimingDeps } from './launch-timing';

/** What this use case reads: its ports and only these settings. */
export type WatchDeps = WithSettings<'provisionPollSeconds' | 'stopPollSeconds'> & LaunchTimingDeps;

export type { WatchedRun } from '../domain/watch-list';

/** The instance's state as the list showed it, or `absent`. */
export type ObservedState = string;

export interface Wakeup {
  run: WatchedRun;
  serverId: string;
  observed: ObservedState;
  /** The instance as listed; null when absent, or when the wake is for a settled launch (nothing listed: `observed` is what the run last knew). */
  compute: ComputeInstance | null;
}

/** Wakes a waiting run (an external event to its orchestration); a run that ended is no error. */
export interface RunWaker {
  wake(wakeup: Wakeup): Promise<void>;
}

/** Starts a workspace's watcher (one per workspace, whichever Function instance asks). */
export interface WatchStarter {
  /** Starts watcher `generation`, first waiting out an older one that is still ending. */
  startWatcher(project: string, generation: number): Promise<void>;
  /** Starts watcher `generation` unless a watcher is live (a run waited in vain: it may have died). */
  ensureWatching(project: string, generation: number): Promise<void>;
}

export interface WatchLook {
  /** Runs of the project waiting for the watcher. */
  inFlight: number;
  /** Whether this look read Azure (one list of the project's computes, or a GET per due instance). */
  listed: boolean;
  /** ARM requests (pages) the workspace's compute list took when it was last listed; the next look weighs a list against GETs with it. */
  listPages: number | null;
  woken: string[];
  /** When the look ran (ISO): the next look writes the progress lines of the minutes in between. */
  lookedAt: string;
  /** Seconds until the next look, or null when nothing waits and the watcher went off duty. */
  nextLookSeconds: number | null;
}

export const ABSENT: ObservedState = 'absent';

/** The longest a watcher sleeps while something is in flight: the "still" lines come once a minute. */
const LONGEST_SLEEP_SECONDS = STILL_LINE_SECONDS;

/** An entry not refreshed for twice its run's fallback plus this long belongs to a run that ended. */
const STALE_SLACK_SECONDS = 120;

/** Wakes and progress lines of one look go out this many at a time (a burst of 1,000 stays polite). */
const LOOK_CONCURRENCY = 32;

/** Attempts to put the next watcher on duty when racing enrolments keep touching the record. */
const CLAIM_ATTEMPTS = 8;

/** Which watcher looks, and when it last did. */
export interface LookRequest {
  project: string;
  /** The watcher's generation (watch-list.ts); a watcher older than the record's steps down. */
  generation: number;
  lastLookAt: string | null;
  /** Pages of the workspace's last compute list (a previous look's `listPages`); null: not listed yet. */
  listPages?: number | null;
}

export async function watchWorkspace(deps: WatchDeps, waker: RunWaker, request: LookRequest): Promise<WatchLook> {
  const { project, generation, lastLookAt } = request;
  let listPages = request.listPages ?? null;
  const now = deps.clock.now();
  const lookedAt = now.toISOString();
  const interval = deps.settings.provisionPollSeconds;
  const { record, entries } = await deps.watchList.read(project);
  if (record.generation > generation) {
    // A newer watcher was put on duty (this one was started as a stop-gap): leave the work to it.
    return { inFlight: entries.length, listed: false, listPages, woken: [], lookedAt, nextLookSeconds: null };
  }
  if (entries.length === 0) {
    // Off duty only if no run enrolled since the read; otherwise look again at once.
    const released = await deps.watchList.release(project, record);
    return { inFlight: 0, listed: false, listPages, woken: [], lookedAt, nextLookSeconds: released ? null : Math.min(1, interval) };
  }

  const stale = entries.filter((entry) => secondsBetween(entry.enrolledAt, now) > 2 * entry.fallbackSeconds + STALE_SLACK_SECONDS);
  await Promise.all(stale.map((entry) => deps.watchList.remove(project, entry)));
  const waiting = entries.filter((entry) => !stale.includes(entry));
  const due = waiting.filter((entry) => Date.parse(entry.dueAt) <= now.getTime());
  const woken: string[] = [];
  let armRequests = 0;

  if (due.length > 0) {
    const wakeIfChanged = async (entry: ListedWatchEntry, compute: ComputeInstance | null) => {
      const observed = compute?.state ?? ABSENT;
      if (observed === entry.seen) return;
      await waker.wake({ run: entry.run, serverId: entry.serverId, observed, compute });
      // The run enrols again if it still has to wait (a refreshed entry is kept).
      await deps.watchList.remove(project, entry);
      woken.push(entry.serverId);
    };
    const lookUp = await lookAtDue(deps, project, due, listPages, wakeIfChanged);
    listPages = lookUp.listPages;
    armRequests = lookUp.requests;
    // Only a whole list (or a GET's 404) tells an instance is gone.
    await inBatches(due.filter((entry) => !lookUp.seen.has(entry.serverId)), (entry) => wakeIfChanged(entry, null));
  }
  // A stop or delete waiting on a launch's answer: a refused or lost create shows Azure no change.
  await inBatches(
    waiting.filter((entry) => entry.awaitsLaunch !== null && !woken.includes(entry.serverId)),
    async (entry) => {
      if (await wakeIfLaunchSettled(deps, waker, project, entry, now)) woken.push(entry.serverId);
    },
  );
  const previous = lastLookAt === null ? null : new Date(lastLookAt);
  const wokenNow = new Set(woken);
  await inBatches(
    waiting.filter((entry) => entry.launch && !wokenNow.has(entry.serverId) && previous !== null && minuteTurned(entry, previous, now)),
    (entry) => noteStillLaunching(deps, entry, now),
  );

  const windDownOnly = due.length > 0 && due.every((entry) => entry.run !== 'provision');
  const soonest = Math.min(...waiting.map((entry) => Math.max(0, (Date.parse(entry.dueAt) - now.getTime()) / 1000)));
  const step = windDownOnly ? deps.settings.stopPollSeconds : lookPauseSeconds(armRequests, interval);
  return {
    inFlight: waiting.length,
    listed: due.length > 0,
    listPages,
    woken: woken.sort(),
    lookedAt,
    nextLookSeconds: Math.min(LONGEST_SLEEP_SECONDS, Math.max(step, soonest)),
  };
}

/**
 * Looks at the due instances in the fewest ARM requests, handing each to `onSeen` as soon as it is
 * read: one GET each while they are fewer than the pages of the workspace's last list (a class of
 * 1,000 lists in 50 pages of 20), otherwise one list, whose pages are handed on as they arrive, so
 * a run on the first page is woken while the last is still read. Answers the ids seen, the ARM
 * requests made, and what a list costs for the next look.
 */
async function lookAtDue(
  deps: WatchDeps, project: string, due: readonly ListedWatchEntry[], listPages: number | null,
  onSeen: (entry: ListedWatchEntry, compute: ComputeInstance) => Promise<void>,
): Promise<{ seen: Set<string>; requests: number; listPages: number | null }> {
  const seen = new Set<string>();
  if (listPages !== null && due.length < listPages) {
    await inBatches(due, async (entry) => {
      const compute = await deps.aml.getCompute({ project, name: entry.serverId });
      if (!compute) return;
      seen.add(entry.serverId);
      await onSeen(entry, compute);
    });
    return { seen, requests: due.length, listPages };
  }
  const dueById = new Map(due.map((entry) => [entry.serverId, entry]));
  // One page's wakes at a time, in page order, while the list reads on. A failed wake is kept, not
  // left rejected while the list reads on (an unhandled rejection ends a Node process), and fails the look at its end.
  let wakes = Promise.resolve();
  const failedWakes: unknown[] = [];
  const onPage = (computes: readonly ComputeInstance[]) => {
    const found = computes.flatMap((compute) => {
      const entry = dueById.get(compute.name);
      return entry ? [{ entry, compute }] : [];
    });
    for (const { entry } of found) seen.add(entry.serverId);
    wakes = wakes
      .then(() => inBatches(found, ({ entry, compute }) => onSeen(entry, compute)))
      .catch((error: unknown) => { failedWakes.push(error); });
  };
  let list: ComputeList;
  try {
    list = await deps.aml.listComputes(project, onPage);
  } finally {
    await wakes; // a list that failed half-way still finishes the wakes of the pages it read
  }
  if (failedWakes.length > 0) throw failedWakes[0];
  return { seen, requests: list.pages, listPages: list.pages };
}

/**
 * Wakes the stop or delete run of `entry` once the launch it waits on is settled: the provisioning
 * step recorded Azure's answer (it cleared `launchRequestedAt`), or the launch's grace ran out, or
 * the server is gone. Answers whether it woke the run. One point read, only for such entries.
 */
async function wakeIfLaunchSettled(deps: WatchDeps, waker: RunWaker, project: string, entry: ListedWatchEntry, now: Date): Promise<boolean> {
  const stored = await deps.servers.get(entry.serverId);
  if (stored && stored.server.launchRequestedAt === entry.awaitsLaunch && launchMayBeInFlight(stored.server, now)) return false;
  // Azure showed no change: the run's own step reads the instance.
  await waker.wake({ run: entry.run, serverId: entry.serverId, observed: entry.seen, compute: null });
  await deps.watchList.remove(project, entry);
  return true;
}

/** Whether a whole minute of the entry's launch ended between the previous look and this one. */
function minuteTurned(entry: ListedWatchEntry, previous: Date, now: Date): boolean {
  const started = Date.parse(entry.launch!.startedAt);
  const before = Math.floor((previous.getTime() - started) / 1000 / STILL_LINE_SECONDS);
  const after = Math.floor((now.getTime() - started) / 1000 / STILL_LINE_SECONDS);
  return after >= 1 && after > before;
}

/** One line for the minute, with the bar following the expected duration; only while the launch holds. */
async function noteStillLaunching(deps: WatchDeps, entry: ListedWatchEntry, now: Date): Promise<void> {
  const { kind, startedAt, expectedSeconds: expected, sizeLabel } = entry.launch!;
  const elapsed = Math.max(0, secondsBetween(startedAt, now));
  await deps.servers.update(entry.serverId, (current) => {
    if (current.state !== entry.serverState) return null; // the launch is over, or someone else drives it
    const last = current.progress[current.progress.length - 1];
    if (last && secondsBetween(last.at, now) < STILL_LINE_SECONDS / 2) return null; // a line came meanwhile
    const next = withProgress(current, { at: nowIso(deps), progress: progressPercent(elapsed, expected), message: launchLine(kind, sizeLabel, expected, elapsed) });
    return next === current ? null : next;
  });
}

/** What a run tells the watcher when it is about to wait. */
export interface EnrolRequest {
  serverId: string;
  /** The instance's state as the wake that ended the run's last wait showed it. */
  seen?: string;
  /** The run's last wait ended on its fallback timer: nobody woke it, so make sure a watcher lives. */
  lookedAlone?: boolean;
}

/**
 * A run is about to wait for its server: put it on the workspace's watch list, make sure a watcher
 * is on duty, and say how long the run should wait for a wake before looking by itself (long: the
 * watcher does the looking).
 */
export async function enrolForWatch(deps: WatchDeps, starter: WatchStarter, request: EnrolRequest | string): Promise<{ fallbackSeconds: number }> {
  const { serverId, seen, lookedAlone } = typeof request === 'string' ? { serverId: request } : request;
  const stored = await deps.servers.get(serverId);
  const server = stored?.server;
  const interval = deps.settings.provisionPollSeconds;
  const run = server ? runFor(server.state) : null;
  if (!server || run === null) return { fallbackSeconds: fallbackSeconds(0, interval) };

  const now = deps.clock.now();
  const kind = launchKindOf(server.state);
  const expected = kind ? await expectedLaunchSeconds(deps, server, kind) : 0;
  const startedAt = kind ? launchStartedAt(server.progress, kind, server.phaseSince) : null;
  const elapsed = startedAt ? Math.max(0, secondsBetween(startedAt, now)) : 0;
  const fallback = fallbackSeconds(expected - elapsed, interval);
  const entry: WatchEntry = {
    serverId,
    run,
    serverState: server.state,
    seen: seen ?? (kind ? IN_PROGRESS[kind] : null) ?? server.amlState ?? ABSENT,
    // A launch is worth a look near its expected end; anything else at once.
    dueAt: kind && startedAt ? new Date(Math.max(now.getTime(), Date.parse(startedAt) + quietSeconds(expected, interval) * 1000)).toISOString() : now.toISOString(),
    launch: kind && startedAt ? { kind, startedAt, expectedSeconds: expected, sizeLabel: server.size } : null,
    awaitsLaunch: run !== 'provision' && launchMayBeInFlight(server, now) ? server.launchRequestedAt : null,
    enrolledAt: now.toISOString(),
    fallbackSeconds: fallback,
  };
  const record = await deps.watchList.enrol(server.project, entry);
  await makeSureWatched(deps, starter, server.project, record, lookedAlone === true);
  return { fallbackSeconds: fallback };
}

/** What Azure shows while a launch of this kind runs: a list that shows it again is no change. */
const IN_PROGRESS: Record<LaunchKind, string> = { create: 'Creating', start: 'Starting' };

/**
 * After the enrolment's write: a watcher on duty will see the entry (or fail to go off duty); a
 * watcher off duty is replaced by the next one, started by whoever claims the record.
 */
async function makeSureWatched(deps: WatchDeps, starter: WatchStarter, project: string, enrolled: WatcherRecord, lookedAlone: boolean): Promise<void> {
  let record = enrolled;
  for (let attempt = 1; attempt <= CLAIM_ATTEMPTS; attempt++) {
    if (record.onDuty) {
      if (lookedAlone) await starter.ensureWatching(project, record.generation);
      return;
    }
    const generation = await deps.watchList.claim(project, record);
    if (generation !== null) {
      await starter.startWatcher(project, generation);
      return;
    }
    record = await deps.watchList.record(project); // another enrolment touched or claimed it
  }
  // Enrolments kept racing the claim: start one unless one lives (the host refuses a second).
  await starter.ensureWatching(project, record.generation);
}

async function inBatches<T>(items: readonly T[], each: (item: T) => Promise<void>): Promise<void> {
  for (let start = 0; start < items.length; start += LOOK_CONCURRENCY) {
    await Promise.all(items.slice(start, start + LOOK_CONCURRENCY).map(each));
  }
}

function secondsBetween(iso: string, now: Date): number {
  return (now.getTime() - Date.parse(iso)) / 1000;
}
