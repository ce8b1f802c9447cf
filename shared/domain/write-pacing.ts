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

/** The most writes one turn holds: a start that first applies a changed idle-shutdown setting. */
export const MAX_WRITES_PER_TURN = 2;

/** Milliseconds between two writes at the long-run rate. */
export function emissionIntervalMs(limits: PaceLimits): number {
  return 1000 / limits.perSecond;
}

/**
 * Reserves `writes` consecutive writes at `now` given the stored `tat` (null: a bucket never used,
 * i.e. full). Never refuses: a write that does not fit the bucket now gets a later `sendAt`.
 */
export function reserveWrites(tat: number | null, now: number, writes: number, limits: PaceLimits): Reservation {
  if (writes > MAX_WRITES_PER_TURN) throw new RangeError(`A turn holds at most ${MAX_WRITES_PER_TURN} writes, not ${writes}.`);
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
   * it holds one (consumed when due), else by reserving. A reservation due longer ago than
   * `lateTurnAllowanceMs` (its run died while waiting) is dropped and a new one taken, so no stale
   * turn bunches writes together.
   */
  pass(serverId: string, writes: number, now: Date): Promise<WritePass>;
  /** The server's reservation not yet due, if any; takes nothing. */
  pending(serverId: string, now: Date): Promise<WritePass | null>;
}

/**
 * How long after its time a deferred turn may still be used (its timer fired late on a busy host);
 * an older one is dropped and a new turn taken, so a run that died while waiting cannot bunch writes.
 *
 * Why this much is safe: a turn is deferred only when the schedule's bucket is empty at its time,
 * and deferred turns lie at least one interval apart per write. So the writes actually sent in any
 * window of `w` seconds are at most the deferred turns of the `L` seconds before it plus what the
 * bucket refills after the last of them: W + perSecond·(w + L), within the bucket's burst +
 * perSecond·w while L ≤ (burst − W) / perSecond, W being the most writes one turn holds. One write
 * is kept spare for rounding. A longer allowance would let late turns bunch with the turns after
 * them; a shorter one sends a turn that is a few seconds late to the back of the queue.
 */
export function lateTurnAllowanceMs(limits: PaceLimits): number {
  return Math.max(0, (limits.burst - MAX_WRITES_PER_TURN - 1) * emissionIntervalMs(limits));
}
