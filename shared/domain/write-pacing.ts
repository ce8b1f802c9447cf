/**
 * Pacing of ARM writes (creates and starts) as a schedule, not a retry: every write reserves the
 * moment it may be sent, in the order the reservations arrive (FIFO by request time), so a burst is
 * spread over time instead of being refused by ARM with 429s.
 *
 * The schedule is the GCRA form of a token bucket (`burst` tokens, refilled at `perSecond`): the
 * bucket is one number, the theoretical arrival time (`tat`) of the next write. A reservation at
 * `now` may be sent at `max(now, tat - tolerance)`, and moves `tat` on by one emission interval per
 * write. Pure: the store that keeps `tat` (Table Storage, with ETags) is an adapter.
 */

export interface PaceLimits {
  /** Writes that may go out at once after a quiet period. */
  burst: number;
  /** Writes per second in the long run. */
  perSecond: number;
}

export interface Reservation {
  /** When the reserved write(s) may be sent (epoch ms); `now` or later. */
  sendAt: number;
  /** The bucket's new theoretical arrival time, to store. */
  nextTat: number;
}

/** Milliseconds between two writes at the long-run rate. */
export function emissionIntervalMs(limits: PaceLimits): number {
  return 1000 / limits.perSecond;
}

/**
 * Reserves `writes` consecutive writes at `now` given the stored `tat` (null: a bucket never used,
 * i.e. full). Never refuses: a write that does not fit the bucket now gets a later `sendAt`.
 */
export function reserveWrites(tat: number | null, now: number, writes: number, limits: PaceLimits): Reservation {
  const interval = emissionIntervalMs(limits);
  const tolerance = (limits.burst - 1) * interval;
  const start = Math.max(tat ?? now, now);
  // The last of the `writes` conforms when its own arrival time (start + (writes-1)·T) is within the tolerance.
  const sendAt = Math.max(now, start + (writes - 1) * interval - tolerance);
  return { sendAt, nextTat: start + writes * interval };
}

/** How many reserved writes go out before one reserved for `sendAt`: its place in the queue. */
export function writesAhead(sendAt: number, now: number, limits: PaceLimits): number {
  if (sendAt <= now) return 0;
  return Math.ceil((sendAt - now) / emissionIntervalMs(limits));
}

/** The progress line of a server whose create or start waits for its turn. */
export function queuedMessage(kind: 'create' | 'start', ahead: number, serverId: string): string {
  const noun = kind === 'create' ? 'Create' : 'Start';
  const place = ahead <= 0 ? 'next in line' : `${ahead} ahead of you`;
  return `${noun} of compute instance ${serverId} queued behind Azure's write limit: ${place}`;
}

/** Whether a server's write may go now, or when its turn comes. */
export type WritePass = { go: true } | { go: false; sendAt: Date; ahead: number };

/**
 * The shared write schedule, one per subscription and principal (the app's identity), shared by
 * every Function instance. A server holds at most one reservation: asking again answers from it.
 */
export interface WritePacer {
  /**
   * Answers whether `writes` writes for the server may be sent at `now`: from its reservation when
   * it holds one (consumed when due), else by reserving. A reservation due long ago (its run died
   * while waiting) is dropped and a new one taken, so no stale turn bunches writes together.
   */
  pass(serverId: string, writes: number, now: Date): Promise<WritePass>;
  /** The server's reservation not yet due, if any; takes nothing. */
  pending(serverId: string, now: Date): Promise<WritePass | null>;
}

/** How long after its time a reservation may still be used (a late timer); older ones are taken anew. */
export const RESERVATION_LATE_MS = 10_000;
