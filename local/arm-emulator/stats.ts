/** Request counters for tests and benchmarks: `{requests: {"<METHOD> <operation>": n}, throttled, faults}`. */

export interface StatsSnapshot {
  requests: Record<string, number>;
  throttled: number;
  faults: number;
}

export class Stats {
  private requests: Record<string, number> = {};
  private throttled = 0;
  private faults = 0;

  count(method: string, operation: string): void {
    const key = `${method} ${operation}`;
    this.requests[key] = (this.requests[key] ?? 0) + 1;
  }

  countThrottled(): void {
    this.throttled += 1;
  }

  countFault(): void {
    this.faults += 1;
  }

  snapshot(): StatsSnapshot {
    return { requests: { ...this.requests }, throttled: this.throttled, faults: this.faults };
  }

  reset(): void {
    this.requests = {};
    this.throttled = 0;
    this.faults = 0;
  }
}
