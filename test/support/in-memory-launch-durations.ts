/** LaunchDurations in memory, newest first, recording what was asked. */
import type { LaunchDurations, LaunchKey } from '../../shared/domain/launch-durations';

export class InMemoryLaunchDurations implements LaunchDurations {
  readonly rows: { key: LaunchKey; seconds: number; endedAt: string }[] = [];

  async recent(key: LaunchKey, limit: number): Promise<number[]> {
    return this.rows
      .filter((row) => row.key.region === key.region && row.key.vmSize === key.vmSize && row.key.kind === key.kind)
      .sort((a, b) => b.endedAt.localeCompare(a.endedAt))
      .slice(0, limit)
      .map((row) => row.seconds);
  }

  async record(key: LaunchKey, seconds: number, endedAt: string): Promise<void> {
    this.rows.push({ key, seconds, endedAt });
  }
}
