/**
 * The durations of recent completed launches (create or start, until Azure reports Running), per
 * region and VM size: the learned figures behind the polling policy and the progress bar.
 */
import type { LaunchKind } from './wait-timing';

export interface LaunchKey {
  region: string;
  vmSize: string;
  kind: LaunchKind;
}

export interface LaunchDurations {
  /** Seconds of the most recent completed launches for the key, newest first (at most `limit`). */
  recent(key: LaunchKey, limit: number): Promise<number[]>;
  /** Records one completed launch that ended at `endedAt` (ISO 8601). */
  record(key: LaunchKey, seconds: number, endedAt: string): Promise<void>;
}
