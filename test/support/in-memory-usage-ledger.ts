/** Fakes for the cost ports: a usage ledger in memory (same idempotence as the table) and a fixed price list. */
import type { PriceBook, UsageLedger } from '../../shared/domain/ports';
import { priceKey, type HourlyPrice, type UsageInterval } from '../../shared/domain/usage';

export class InMemoryUsageLedger implements UsageLedger {
  readonly rows = new Map<string, UsageInterval>();

  async open(interval: UsageInterval): Promise<void> {
    const key = keyOf(interval);
    if (!this.rows.has(key)) this.rows.set(key, { ...interval, start: iso(interval.start), end: null });
  }

  async close(interval: UsageInterval & { end: string }): Promise<void> {
    const key = keyOf(interval);
    this.rows.set(key, { ...(this.rows.get(key) ?? interval), start: iso(interval.start), end: iso(interval.end) });
  }

  async overlapping(from: Date, to: Date): Promise<UsageInterval[]> {
    return [...this.rows.values()].filter((row) => Date.parse(row.start) < to.getTime() && (row.end === null || Date.parse(row.end) > from.getTime()));
  }

  async listOpen(): Promise<UsageInterval[]> {
    return [...this.rows.values()].filter((row) => row.end === null);
  }
}

export class FixedPriceBook implements PriceBook {
  readonly lookups: string[] = [];
  constructor(private readonly prices: Record<string, number> = {}, readonly currency = 'USD') {}

  async hourly(region: string, vmSize: string): Promise<HourlyPrice | null> {
    this.lookups.push(priceKey(region, vmSize));
    const price = this.prices[priceKey(region, vmSize)];
    return price === undefined ? null : { pricePerHour: price, currency: this.currency };
  }
}

function keyOf(interval: Pick<UsageInterval, 'serverId' | 'start'>): string {
  return `${interval.serverId}_${iso(interval.start)}`;
}

function iso(at: string): string {
  return new Date(at).toISOString();
}
