/** ARM emulator counters between two snapshots of `/_emulator/stats`. */
import type { StatsSnapshot } from '../local/arm-emulator';

export interface ArmCounts {
  /** "<METHOD> <operation>" → requests, including the ones answered 429. */
  byOperation: Record<string, number>;
  total: number;
  throttled: number;
  faults: number;
}

/** Counted by the emulator but not ARM requests (the managed identity's token endpoint). */
const NOT_ARM = new Set(['GET msi/token']);

export function armCountsBetween(before: StatsSnapshot, after: StatsSnapshot): ArmCounts {
  const byOperation: Record<string, number> = {};
  for (const [operation, count] of Object.entries(after.requests)) {
    if (NOT_ARM.has(operation)) continue;
    const delta = count - (before.requests[operation] ?? 0);
    if (delta > 0) byOperation[operation] = delta;
  }
  return {
    byOperation,
    total: Object.values(byOperation).reduce((sum, count) => sum + count, 0),
    throttled: after.throttled - before.throttled,
    faults: after.faults - before.faults,
  };
}
