/**
 * Azure ML's idle shutdown, as the emulator models it: an instance with idleTimeBeforeShutdown
 * that has been Running with no activity for that long stops itself (Running → Stopping → Stopped
 * after the stop delay), its lastOperation a Stop with trigger IdleShutdown. Activity is a request
 * to the instance's lab URL or POST /_emulator/computes/{name}/activity. Like the lifecycle, this
 * is derived lazily from timestamps, as pure functions of a record and a time.
 */
import { idleTimeMs } from './compute-body';
import type { ComputeRecord } from './compute-record';
import { settle } from './lifecycle';

/** When the instance stops itself if nothing happens on it before; null when it will not. */
export function idleDeadline(record: ComputeRecord): number | null {
  if (record.state !== 'Running' || record.idleTimeBeforeShutdown === null) return null;
  const idleMs = idleTimeMs(record.idleTimeBeforeShutdown);
  if (idleMs === null || idleMs <= 0) return null;
  return Math.max(record.since, record.lastActivityAt ?? 0) + idleMs;
}

/** The record as it stands at `now`, Azure ML's idle shutdown included; null once deleted. */
export function settleWithIdleShutdown(record: ComputeRecord, now: number, stopMs: number): ComputeRecord | null {
  const settled = settle(record, now);
  if (settled === null) return null;
  const deadline = idleDeadline(settled);
  if (deadline === null || now < deadline) return settled;
  return settle(
    {
      ...settled,
      modifiedOn: deadline,
      state: 'Stopping',
      since: deadline,
      until: deadline + stopMs,
      next: 'Stopped',
      lastOperation: { name: 'Stop', at: deadline, trigger: 'IdleShutdown' },
    },
    now,
  );
}

/** The record with activity at `now`, or null when the instance is not Running (no one can work on it). */
export function withActivity(record: ComputeRecord, now: number): ComputeRecord | null {
  return record.state === 'Running' ? { ...record, lastActivityAt: now } : null;
}
