/**
 * What the emulator knows about a wave, read once at its end: when Azure moved each instance
 * (`/_emulator/history`), and ARM's requests second by second (`/_emulator/timeline`). Readiness lag
 * is measured from Azure's own Running transition, not from the spawn plus the nominal create.
 */
import type { ComputeHistory, SecondCounts } from '../local/arm-emulator';

export interface AzureTimes {
  /** Epoch ms Azure accepted the create (the instance entered Creating), by server id. */
  createdAt: Map<string, number>;
  /** Epoch ms the instance first reported Running, by server id. */
  runningAt: Map<string, number>;
}

/** History entries come with ISO times over HTTP. */
export type HistoryView = Omit<ComputeHistory, 'transitions'> & { transitions: { state: string; at: string }[] };

export function azureTimes(computes: readonly HistoryView[]): AzureTimes {
  const createdAt = new Map<string, number>();
  const runningAt = new Map<string, number>();
  for (const compute of computes) {
    const first = (state: string) => compute.transitions.find((t) => t.state === state);
    const creating = first('Creating');
    const running = first('Running');
    if (creating) createdAt.set(compute.name, Date.parse(creating.at));
    if (running) runningAt.set(compute.name, Date.parse(running.at));
  }
  return { createdAt, runningAt };
}

export interface RatePeaks {
  maxReadsPerSecond: number;
  maxWritesPerSecond: number;
}

export function ratePeaks(seconds: readonly SecondCounts[]): RatePeaks {
  return {
    maxReadsPerSecond: Math.max(0, ...seconds.map((s) => s.reads)),
    maxWritesPerSecond: Math.max(0, ...seconds.map((s) => s.writes)),
  };
}

/**
 * ARM's requests in every second of the wave, counted from its start: the emulator lists only the
 * seconds that had requests, and a chart joining those would draw traffic across the quiet gaps.
 * `second` here counts from the wave's start, not from the epoch.
 */
export function ratesEverySecond(seconds: readonly SecondCounts[], startMs: number, endMs: number): SecondCounts[] {
  const startSecond = Math.floor(startMs / 1000);
  const bySecond = new Map(seconds.map((s) => [s.second - startSecond, s]));
  const last = Math.max(Math.floor(endMs / 1000) - startSecond, ...bySecond.keys());
  const rates: SecondCounts[] = [];
  for (let second = 0; second <= last; second++) {
    const counted = bySecond.get(second);
    rates.push(counted ? { ...counted, second } : { second, reads: 0, writes: 0, throttled: 0 });
  }
  return rates;
}

/** Servers spawned and not yet seen Running (nor given up on), sampled once a second from `start`. */
export function inFlightOverTime(
  outcomes: readonly { postedAt: number; runningSeenAt: number | null; endedAt: number }[],
  start: number,
  end: number,
): { second: number; inFlight: number }[] {
  const samples: { second: number; inFlight: number }[] = [];
  for (let t = start; t <= end; t += 1000) {
    const inFlight = outcomes.filter((o) => o.postedAt <= t && (o.runningSeenAt ?? o.endedAt) > t).length;
    samples.push({ second: Math.round((t - start) / 1000), inFlight });
  }
  return samples;
}
