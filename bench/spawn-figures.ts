/**
 * A spawn wave's figures. Readiness lag = when the API started to show Running (the server's
 * `startedAt`, written with the Running state) − when the instance entered Running in Azure (the
 * emulator's own transition time); the lag a user sees adds half its status-read interval on
 * average, and is reported beside it. Overhead = time to
 * Running seen through the API − the emulated create time, split into "spawn → create accepted"
 * (before Azure works) and "Azure Running → seen" (the readiness lag).
 */
import type { ArmCounts } from './arm-request-counts';
import { percentile } from './percentiles';
import type { AzureTimes, RatePeaks } from './readiness';
import type { SpawnOutcome } from './spawn-wave';

export interface SpawnFigures {
  users: number;
  /** Spawns answered 202 or 200. */
  accepted: number;
  running: number;
  failures: string[];
  overheadP50S: number;
  overheadP95S: number;
  overheadMaxS: number;
  toCreateP50S: number;
  toCreateP95S: number;
  /** Readiness lag (s), one per server seen Running whose Azure transition is known. */
  lags: number[];
  lagP50S: number;
  lagP95S: number;
  lagMaxS: number;
  /** Azure Running → a polling user first saw Running (s). */
  seenLagP50S: number;
  seenLagP95S: number;
  postP50Ms: number;
  postP95Ms: number;
  /** Spawns whose first POST timed out (sent again). */
  postRetried: number;
  arm: ArmCounts;
  armPerSpawn: number;
  rates: RatePeaks;
  /** CPU other processes of the machine took during the wave (% of one core): high means the figures are inflated. */
  othersCpuPercent: number | null;
}

export function spawnFigures(
  outcomes: SpawnOutcome[],
  azure: AzureTimes,
  createSeconds: number,
  arm: ArmCounts,
  rates: RatePeaks,
  othersCpuPercent: number | null,
): SpawnFigures {
  const createMs = createSeconds * 1000;
  const seen = outcomes.filter((o): o is SpawnOutcome & { id: string; runningSeenAt: number } => o.id !== null && o.runningSeenAt !== null);
  const overheads = seen.map((o) => (o.runningSeenAt - o.postedAt - createMs) / 1000);
  const toCreate = seen.flatMap((o) => {
    const created = azure.createdAt.get(o.id);
    return created === undefined ? [] : [(created - o.postedAt) / 1000];
  });
  const lags = seen.flatMap((o) => {
    const running = azure.runningAt.get(o.id);
    return running === undefined || o.runningRecordedAt === null ? [] : [(o.runningRecordedAt - running) / 1000];
  });
  const seenLags = seen.flatMap((o) => {
    const running = azure.runningAt.get(o.id);
    return running === undefined ? [] : [(o.runningSeenAt - running) / 1000];
  });
  const posts = outcomes.map((o) => o.postMs);
  return {
    users: outcomes.length,
    accepted: outcomes.filter((o) => o.id !== null).length,
    running: seen.length,
    failures: outcomes.flatMap((o) => (o.failure ? [`${o.user}: ${o.failure}`] : [])),
    overheadP50S: percentile(overheads, 50),
    overheadP95S: percentile(overheads, 95),
    overheadMaxS: percentile(overheads, 100),
    toCreateP50S: percentile(toCreate, 50),
    toCreateP95S: percentile(toCreate, 95),
    lags,
    lagP50S: percentile(lags, 50),
    lagP95S: percentile(lags, 95),
    lagMaxS: percentile(lags, 100),
    seenLagP50S: percentile(seenLags, 50),
    seenLagP95S: percentile(seenLags, 95),
    postP50Ms: percentile(posts, 50),
    postP95Ms: percentile(posts, 95),
    postRetried: outcomes.filter((o) => (o.postAttempts ?? 1) > 1).length,
    arm,
    armPerSpawn: arm.total / outcomes.length,
    rates,
    othersCpuPercent,
  };
}
