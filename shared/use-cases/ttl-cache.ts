/**
 * A small time-to-live cache of async lookups, keyed by string. Concurrent misses for one key share
 * one lookup, so a burst of spawns makes one ARM call, not one each.
 */
import type { Clock } from '../domain/ports';

interface Entry<T> {
  expiresAt: number;
  value: Promise<T>;
}

export class TtlCache<T> {
  private readonly entries = new Map<string, Entry<T>>();

  constructor(
    private readonly ttlSeconds: number,
    private readonly clock: Clock,
  ) {}

  get(key: string, load: () => Promise<T>): Promise<T> {
    const now = this.clock.now().getTime();
    const hit = this.entries.get(key);
    if (hit && hit.expiresAt > now) return hit.value;
    const value = load();
    this.entries.set(key, { expiresAt: now + this.ttlSeconds * 1000, value });
    // A failed lookup is not cached: the next caller tries again.
    value.catch(() => {
      if (this.entries.get(key)?.value === value) this.entries.delete(key);
    });
    return value;
  }
}
