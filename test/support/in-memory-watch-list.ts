/** A WatchList in memory with the Table adapter's versions: every write changes the version it guards. */
import type { ListedWatchEntry, WatchEntry, WatcherRecord, WatchList } from '../../shared/domain/watch-list';

export class InMemoryWatchList implements WatchList {
  private version = 0;
  private readonly records = new Map<string, { onDuty: boolean; generation: number; version: string }>();
  readonly entries = new Map<string, Map<string, ListedWatchEntry>>();

  private next(): string {
    this.version += 1;
    return `v${this.version}`;
  }

  private partition(project: string): Map<string, ListedWatchEntry> {
    const key = project.toLowerCase();
    let entries = this.entries.get(key);
    if (!entries) this.entries.set(key, (entries = new Map()));
    return entries;
  }

  async enrol(project: string, entry: WatchEntry): Promise<WatcherRecord> {
    this.partition(project).set(entry.serverId, { ...entry, version: this.next() });
    const key = project.toLowerCase();
    const record = this.records.get(key) ?? { onDuty: false, generation: 0, version: '' };
    this.records.set(key, { ...record, version: this.next() });
    return this.record(project);
  }

  async read(project: string): Promise<{ record: WatcherRecord; entries: ListedWatchEntry[] }> {
    return { record: await this.record(project), entries: [...this.partition(project).values()].map((entry) => ({ ...entry })) };
  }

  async remove(project: string, entry: ListedWatchEntry): Promise<void> {
    const entries = this.partition(project);
    if (entries.get(entry.serverId)?.version === entry.version) entries.delete(entry.serverId);
  }

  async release(project: string, record: WatcherRecord): Promise<boolean> {
    return this.write(project, record, { onDuty: false, generation: record.generation });
  }

  async claim(project: string, record: WatcherRecord): Promise<number | null> {
    const generation = record.generation + 1;
    return (await this.write(project, record, { onDuty: true, generation })) ? generation : null;
  }

  async record(project: string): Promise<WatcherRecord> {
    const record = this.records.get(project.toLowerCase());
    return record ? { ...record } : { onDuty: false, generation: 0, version: null };
  }

  /** The ids waiting in a project. */
  waiting(project: string): string[] {
    return [...this.partition(project).keys()].sort();
  }

  private async write(project: string, seen: WatcherRecord, next: { onDuty: boolean; generation: number }): Promise<boolean> {
    const key = project.toLowerCase();
    const current = this.records.get(key);
    if ((current?.version ?? null) !== seen.version) return false;
    this.records.set(key, { ...next, version: this.next() });
    return true;
  }
}
