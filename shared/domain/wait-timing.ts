/**
 * The one polling policy: when to look at an instance Azure is creating, starting, stopping or
 * deleting, how long a run waits for the workspace watcher before looking by itself, and what the
 * progress bar and its line say. Pure functions of durations, so the orchestrations, the watcher and
 * the progress all follow the same figures, and a table test pins each of them.
 */

export type LaunchKind = 'create' | 'start';

/** How many recent completed launches decide the expected duration. */
export const RECENT_LAUNCHES = 10;

/** Share of the expected duration during which nobody looks, however short the launch: Azure is not done before that. */
export const QUIET_SHARE = 0.5;

/**
 * Looks begin this close to the expected end (the larger of a share of the expected duration and
 * a few watcher intervals): a launch is seldom much faster than the recent ones, and every look
 * before the end is a compute list spent on nothing.
 */
export const NEAR_END_SHARE = 0.05;
export const NEAR_END_INTERVALS = 2;

/**
 * ARM requests a second a workspace's watcher spreads its looks over: two fifths of ARM's read
 * refill (25 a second per principal), so a look of many pages waits longer and the spawns' reads,
 * stops, the sweep and a second busy workspace keep the rest.
 */
export const LOOK_READS_PER_SECOND = 10;

/** The shortest pause between two looks while launches are due. */
export const SHORTEST_LOOK_PAUSE_SECONDS = 1;

/** A run's own look when no watcher woke it: long, so a lost watcher costs time, never a server. */
export const FALLBACK_MIN_SECONDS = 60;
export const FALLBACK_MAX_SECONDS = 300;

/** At most one "still creating" line in this many seconds. */
export const STILL_LINE_SECONDS = 60;

/**
 * The expected duration of a launch: the median of the recent completed ones (robust to one slow
 * start), or the default before there are any.
 */
export function expectedSeconds(recent: readonly number[], defaultSeconds: number): number {
  const usable = recent.filter((seconds) => Number.isFinite(seconds) && seconds > 0).slice(0, RECENT_LAUNCHES);
  if (usable.length === 0) return defaultSeconds;
  const sorted = [...usable].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Seconds into a launch expected to take `expected` during which nobody looks. */
export function quietSeconds(expected: number, intervalSeconds: number): number {
  return Math.max(expected * QUIET_SHARE, expected - Math.max(NEAR_END_INTERVALS * intervalSeconds, NEAR_END_SHARE * expected));
}

/**
 * Seconds until the next look at a launch that has run `elapsedSeconds` of an expected
 * `expected`: nothing during the quiet part, then every `intervalSeconds`.
 */
export function nextLookSeconds(elapsedSeconds: number, expected: number, intervalSeconds: number): number {
  const quietEnds = quietSeconds(expected, intervalSeconds);
  if (elapsedSeconds < quietEnds) return Math.max(intervalSeconds, quietEnds - elapsedSeconds);
  return intervalSeconds;
}

/**
 * Seconds between two looks while launches are due, after a look that made `lookRequests` ARM
 * requests: a second while a look is cheap (a small workspace, or large pages of its compute list),
 * longer as a look costs more reads, never longer than `intervalSeconds` (PROVISION_POLL_SECONDS),
 * which bounds how late a Running instance is seen.
 */
export function lookPauseSeconds(lookRequests: number, intervalSeconds: number): number {
  const spread = Math.max(SHORTEST_LOOK_PAUSE_SECONDS, lookRequests / LOOK_READS_PER_SECOND);
  return Math.min(intervalSeconds, spread);
}

/** Whether a launch is far enough along to be worth a look. */
export function isDue(elapsedSeconds: number, expected: number, intervalSeconds: number): boolean {
  return elapsedSeconds >= quietSeconds(expected, intervalSeconds);
}

/**
 * How long a run waits for the watcher before looking by itself: until the launch is expected to
 * be over (`remainingSeconds`), then one to five minutes more (never under twenty watcher
 * intervals), so the watcher, not the fallback, does the looking, and a lost watcher costs a
 * few minutes, never a server.
 */
export function fallbackSeconds(remainingSeconds: number, intervalSeconds: number): number {
  const margin = Math.min(FALLBACK_MAX_SECONDS, Math.max(FALLBACK_MIN_SECONDS, 20 * intervalSeconds));
  return Math.max(0, remainingSeconds) + margin;
}

/**
 * The bar while Azure works: from `from` towards 90% in step with the expected duration, then
 * creeping towards 95% when the launch runs long (100% is kept for Running).
 */
export function progressPercent(elapsedSeconds: number, expected: number, from = 20): number {
  const share = Math.max(0, elapsedSeconds) / Math.max(1, expected);
  if (share <= 1) return Math.round(from + (90 - from) * share);
  return Math.min(95, Math.round(90 + 5 * (1 - 1 / share)));
}

/** "about 6 minutes", "about 40 seconds", "a few seconds". */
export function aboutDuration(seconds: number): string {
  if (seconds < 15) return 'a few seconds';
  if (seconds < 90) return `about ${Math.round(seconds / 10) * 10} seconds`;
  const minutes = Math.round(seconds / 60);
  return `about ${minutes} minute${minutes === 1 ? '' : 's'}`;
}

/** "2 min so far", "under a minute so far". */
export function soFar(elapsedSeconds: number): string {
  if (elapsedSeconds < 60) return 'under a minute so far';
  return `${Math.floor(elapsedSeconds / 60)} min so far`;
}

const VERB: Record<LaunchKind, string> = { create: 'Creating', start: 'Starting' };

/** "Creating your Small server — usually about 6 minutes (2 min so far)". */
export function launchLine(kind: LaunchKind, sizeLabel: string, expected: number, elapsedSeconds?: number): string {
  const line = `${VERB[kind]} your ${sizeLabel} server — usually ${aboutDuration(expected)}`;
  return elapsedSeconds === undefined ? line : `${line} (${soFar(elapsedSeconds)})`;
}

/**
 * Whether a progress line is due: always on a real change of state, otherwise at most one a minute.
 */
export function shouldAddLine(stateChanged: boolean, secondsSinceLastLine: number): boolean {
  return stateChanged || secondsSinceLastLine >= STILL_LINE_SECONDS;
}

/**
 * When the launch began: the first line that announced it (written with the intent, just before the
 * create or start was sent), else the start of the phase.
 */
export function launchStartedAt(progress: readonly { at: string; message: string }[], kind: LaunchKind, phaseSince: string): string {
  const prefix = `${VERB[kind]} your `;
  return progress.find((event) => event.message.startsWith(prefix))?.at ?? phaseSince;
}
