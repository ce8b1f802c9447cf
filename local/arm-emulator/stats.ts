/** Request counters for tests and benchmarks: `{requests: {"<METHOD> <operation>": n}, throttled, faults}`. */

export interface StatsSnapshot {
  requests: Record<string, number>;
  throttled: number;
  faults: number;
}

/** ARM requests received in one second (reads: GET and HEAD; writes: the rest), 429s included. */
export interface SecondCounts {
  /** Epoch seconds. */
  second: number;
  reads: number;
  writes: number;
  throttled: number;
}

/** Not an ARM request (the managed identity's token endpoint): left out of the per-second rates. */
const NOT_ARM = new Set(['msi/token']);

export class Stats {
  private requests: Record<string, number> = {};
  private throttled = 0;
  private faults = 0;
  private seconds = new Map<number, SecondCounts>();

  count(method: string, operation: string, at: number = Date.now()): void {
    const key = `${method} ${operation}`;
    this.requests[key] = (this.requests[key] ?? 0) + 1;
    if (NOT_ARM.has(operation)) return;
    const counts = this.secondOf(at);
    if (method === 'GET' || method === 'HEAD') counts.reads += 1;
    else counts.writes += 1;
  }

  countThrottled(at: number = Date.now()): void {
    this.throttled += 1;
    this.secondOf(at).throttled += 1;
  }

  /** Requests per second, oldest first (`GET /_emulator/timeline`), for benchmarks. */
  timeline(): SecondCounts[] {
    return [...this.seconds.values()].sort((a, b) => a.second - b.second).map((counts) => ({ ...counts }));
  }

  private secondOf(at: number): SecondCounts {
    const second = Math.floor(at / 1000);
    let counts = this.seconds.get(second);
    if (!counts) {
      counts = { second, reads: 0, writes: 0, throttled: 0 };
      this.seconds.set(second, counts);
    }
    return counts;
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
    this.seconds.clear();
  }
}
