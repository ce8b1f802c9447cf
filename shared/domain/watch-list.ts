/**
 * The watch list of a workspace (issue 12): the servers whose runs wait for the workspace watcher,
 * each with everything a look needs (when it is worth listing, what the run last knew, the launch
 * the progress line follows), so a look reads this one small list instead of every active server.
 *
 * Beside the entries, one record per workspace says whether a watcher is on duty. The record is
 * touched by every enrolment in the same write as the entry, and the watcher goes off duty only
 * with a write conditional on the record as it read it with the list: an enrolment that lands
 * after the watcher's read makes that write fail, so the watcher looks again instead of ending.
 * An enrolment that finds the watcher off duty claims the record (conditional too) and starts the
 * next watcher: whatever the interleaving, a waiting run has a live watcher, and only one.
 */
import type { LaunchKind } from './wait-timing';

/** The run that drives a server in its state, and so the one to wake. */
export type WatchedRun = 'provision' | 'stop' | 'delete';

export interface WatchEntry {
  serverId: string;
  run: WatchedRun;
  /** The server's state when its run enrolled: a progress line is written only while it holds. */
  serverState: string;
  /** The instance's state as the run last knew it (`absent` when none): a wake only on another. */
  seen: string;
  /** From when listing the workspace is worth it for this server (ISO 8601). */
  dueAt: string;
  /** The launch the progress line follows; null for a stop or delete. */
  launch: { kind: LaunchKind; startedAt: string; expectedSeconds: number; sizeLabel: string } | null;
  /**
   * For a stop or delete enrolled while a create or start may still land: that launch's
   * `launchRequestedAt` (the run does not conclude on "no instance" or "stopped" before it is
   * settled). Azure shows no change when the launch is answered with an error or its grace runs
   * out, so the look reads the server for it and wakes the run then. Null otherwise.
   */
  awaitsLaunch: string | null;
  /** When the run enrolled, and how long it waits before looking by itself (stale-entry bound). */
  enrolledAt: string;
  fallbackSeconds: number;
}

/** An entry as read, with the version its removal is conditional on. */
export type ListedWatchEntry = WatchEntry & { version: string };

/** The workspace's watcher record as read (`version` guards the conditional writes). */
export interface WatcherRecord {
  onDuty: boolean;
  /** Counts the watchers started for the workspace; the one on duty carries it in its input. */
  generation: number;
  /** Null when no record exists yet. */
  version: string | null;
}

export interface WatchList {
  /** Adds or refreshes the entry and touches the record, in one atomic write; answers the record after it. */
  enrol(project: string, entry: WatchEntry): Promise<WatcherRecord>;
  /** The record and every entry of the workspace, in one read (the record read first). */
  read(project: string): Promise<{ record: WatcherRecord; entries: ListedWatchEntry[] }>;
  /** Removes the entry unless it was refreshed since it was read. */
  remove(project: string, entry: ListedWatchEntry): Promise<void>;
  /** Puts the watcher off duty unless the record changed since `record` was read; answers whether it did. */
  release(project: string, record: WatcherRecord): Promise<boolean>;
  /** Puts the next watcher on duty unless the record changed since read; answers its generation, or null. */
  claim(project: string, record: WatcherRecord): Promise<number | null>;
  /** The record alone. */
  record(project: string): Promise<WatcherRecord>;
}
