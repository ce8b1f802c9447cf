/**
 * A spawn wave's figures. Overhead = time to Running seen through the API − the emulated create
 * time; it splits into "spawn → create sent" (before Azure works) and "Azure Running → seen"
 * (polling and status-read delay after Azure is done), from the emulator's record of each create.
 */
import type { ArmCounts } from './arm-request-counts';
import { percentile } from './percentiles';
import type { SpawnOutcome } from './spawn-wave';

export interface SpawnFigures {
  users: number;
  running: number;
  failures: string[];
  overheadP50S: number;
  overheadP95S: number;
  overheadMaxS: number;
  toCreateP50S: number;
  toCreateP95S: number;
  detectP50S: number;
  detectP95S: number;
  postP95Ms: number;
  arm: ArmCounts;
  armPerSpawn: number;
  /** CPU other processes of the machine took during the wave (% of one core): high means the figures are inflated. */
  othersCpuPercent: number | null;
}

/** `createSentAt`: epoch ms the emulator received each server's create, by server id. */
export function spawnFigures(
  outcomes: SpawnOutcome[],
  createSentAt: Map<string, number>,
  createSeconds: number,
  arm: ArmCounts,
  othersCpuPercent: number | null,
): SpawnFigures {
  const createMs = createSeconds * 1000;
  const seen = outcomes.filter((o): o is SpawnOutcome & { id: string; runningSeenAt: number } => o.id !== null && o.runningSeenAt !== null);
  const overheads = seen.map((o) => (o.runningSeenAt - o.postedAt - createMs) / 1000);
  const split = seen.flatMap((o) => {
    const sent = createSentAt.get(o.id);
    return sent === undefined ? [] : [{ toCreate: (sent - o.postedAt) / 1000, detect: (o.runningSeenAt - sent - createMs) / 1000 }];
  });
  return {
    users: outcomes.length,
    running: seen.length,
    failures: outcomes.flatMap((o) => (o.failure ? [`${o.user}: ${o.failure}`] : [])),
    overheadP50S: percentile(overheads, 50),
    overheadP95S: percentile(overheads, 95),
    overheadMaxS: percentile(overheads, 100),
    toCreateP50S: percentile(split.map((s) => s.toCreate), 50),
    toCreateP95S: percentile(split.map((s) => s.toCreate), 95),
    detectP50S: percentile(split.map((s) => s.detect), 50),
    detectP95S: percentile(split.map((s) => s.detect), 95),
    postP95Ms: percentile(outcomes.map((o) => o.postMs), 95),
    arm,
    armPerSpawn: arm.total / outcomes.length,
    othersCpuPercent,
  };
}
