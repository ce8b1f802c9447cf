/** The ARM write schedule (GCRA): never more than the bucket allows, in request order, never refusing. */
import fc from 'fast-check';
import { lateTurnAllowanceMs, reserveWrites, writesAhead, queuedMessage, type PaceLimits } from '../../shared/domain/write-pacing';
import { InMemoryWritePacer } from '../support/in-memory-pacing';

const limits: PaceLimits = { burst: 200, perSecond: 10 };

/** Replays send times through ARM's own bucket (the emulator's rule): how many would be refused. */
function refusedByBucket(sendTimes: number[], bucket: PaceLimits): number {
  const inOrder = [...sendTimes].sort((a, b) => a - b);
  let tokens = bucket.burst;
  let at = inOrder[0] ?? 0;
  let refused = 0;
  for (const t of inOrder) {
    tokens = Math.min(bucket.burst, tokens + ((t - at) / 1000) * bucket.perSecond);
    at = t;
    if (tokens >= 1 - 1e-9) tokens -= 1;
    else refused += 1;
  }
  return refused;
}

describe('reserveWrites', () => {
  it('lets a burst of `burst` writes go at once, then one per interval', () => {
    let tat: number | null = null;
    const sends: number[] = [];
    for (let i = 0; i < 250; i++) {
      const r = reserveWrites(tat, 0, 1, limits);
      tat = r.nextTat;
      sends.push(r.sendAt);
    }
    expect(sends.slice(0, 200).every((t) => t === 0)).toBe(true);
    expect(sends[200]).toBeCloseTo(100, 6);
    expect(sends[249]).toBeCloseTo(5000, 6);
  });

  it('hands out turns in request order', () => {
    let tat: number | null = null;
    const sends = Array.from({ length: 400 }, () => {
      const r = reserveWrites(tat, 0, 1, limits);
      tat = r.nextTat;
      return r.sendAt;
    });
    expect([...sends].sort((a, b) => a - b)).toEqual(sends);
  });

  it('never exceeds the bucket, whatever the arrivals and the writes per reservation', () => {
    fc.assert(fc.property(
      fc.array(fc.record({ gap: fc.integer({ min: 0, max: 2000 }), writes: fc.integer({ min: 1, max: 2 }) }), { minLength: 1, maxLength: 600 }),
      (arrivals) => {
        let tat: number | null = null;
        let now = 0;
        const sends: number[] = [];
        for (const { gap, writes } of arrivals) {
          now += gap;
          const r = reserveWrites(tat, now, writes, limits);
          expect(r.sendAt).toBeGreaterThanOrEqual(now);
          tat = r.nextTat;
          for (let w = 0; w < writes; w++) sends.push(r.sendAt);
        }
        expect(refusedByBucket(sends, limits)).toBe(0);
      },
    ));
  });

  describe('a deferred turn used late (its timer fired late on a busy host)', () => {
    const small: PaceLimits = { burst: 20, perSecond: 10 };

    /** Reserves each arrival in order; a deferred turn is sent at `sendTime(i, sendAt)`, or never (null). */
    function sendsOf(arrivals: { gap: number; writes: number }[], sendTime: (i: number, sendAt: number) => number | null): number[] {
      let tat: number | null = null;
      let now = 0;
      const sends: number[] = [];
      arrivals.forEach(({ gap, writes }, i) => {
        now += gap;
        const r = reserveWrites(tat, now, writes, small);
        tat = r.nextTat;
        const at = r.sendAt > now ? sendTime(i, r.sendAt) : r.sendAt;
        if (at !== null) for (let w = 0; w < writes; w++) sends.push(at);
      });
      return sends;
    }

    it('is allowed (burst − 3) intervals: 1.7 s for a bucket of 20 refilled at 10/s, 18.4 s for the default 150 at 8/s', () => {
      expect(lateTurnAllowanceMs(small)).toBeCloseTo(1700, 6);
      expect(lateTurnAllowanceMs({ burst: 150, perSecond: 8 })).toBeCloseTo(18_375, 6);
      expect(lateTurnAllowanceMs({ burst: 1, perSecond: 10 })).toBe(0);
    });

    it('never overruns the bucket while no turn is later than the allowance, whatever the arrivals and host stalls', () => {
      // A stalled host fires every timer due meanwhile when it comes back: the turns due in the
      // stall go together at its end, or are taken anew when they are past the allowance by then.
      fc.assert(fc.property(
        // Bursts and lulls: queues that build up, then drain while the host is stalled.
        fc.array(fc.record({
          gap: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 200 }), fc.integer({ min: 1_000, max: 5_000 })),
          writes: fc.integer({ min: 1, max: 2 }),
        }), { minLength: 40, maxLength: 300 }),
        fc.array(fc.record({ from: fc.integer({ min: 0, max: 30_000 }), length: fc.integer({ min: 0, max: 6_000 }) }), { maxLength: 3 }),
        (arrivals, stalls) => {
          const sends = sendsOf(arrivals, (_i, sendAt) => {
            const stall = stalls.find(({ from, length }) => sendAt >= from && sendAt < from + length);
            if (!stall) return sendAt;
            const end = stall.from + stall.length;
            return end - sendAt <= lateTurnAllowanceMs(small) ? end : null;
          });
          expect(refusedByBucket(sends, small)).toBe(0);
        },
      ), { numRuns: 500 });
    });

    it('is near the limit: turns a full burst-time late overrun the bucket, turns late by the allowance do not', () => {
      // 40 at once (20 go, 20 wait 0.1 s … 2 s); the host stalls until `end` and then fires the turns
      // due meanwhile that are within `lateness`; 25 more arrive at `end`.
      const refusedAfterStall = (lateness: number, end: number) => {
        const arrivals = [...Array.from({ length: 40 }, () => ({ gap: 0, writes: 1 })), { gap: end, writes: 1 },
          ...Array.from({ length: 24 }, () => ({ gap: 0, writes: 1 }))];
        return refusedByBucket(sendsOf(arrivals, (_i, sendAt) => (sendAt >= end ? sendAt : end - sendAt <= lateness ? end : null)), small);
      };
      const worst = (lateness: number) => Math.max(...Array.from({ length: 101 }, (_, k) => refusedAfterStall(lateness, 1_000 + 50 * k)));
      expect(worst(lateTurnAllowanceMs(small))).toBe(0);
      expect(worst(small.burst * 100)).toBeGreaterThan(0);
    });
  });

  it('counts the writes ahead of a turn', () => {
    expect(writesAhead(1200, 0, limits)).toBe(12);
    expect(writesAhead(0, 0, limits)).toBe(0);
    expect(queuedMessage('create', 12, 'ci-1')).toBe("Create of compute instance ci-1 queued behind Azure's write limit: 12 ahead of you");
  });
});

describe('a pacer', () => {
  it('keeps a server to its turn: asking again before it answers the same turn, at it lets the write go', async () => {
    const pacer = new InMemoryWritePacer({ burst: 1, perSecond: 10 });
    const at = (ms: number) => new Date(ms);
    expect(await pacer.pass('a', 1, at(0))).toEqual({ go: true });
    const b = await pacer.pass('b', 1, at(0));
    expect(b).toEqual({ go: false, sendAt: at(100), ahead: 1 });
    expect(await pacer.pass('b', 1, at(50))).toEqual({ go: false, sendAt: at(100), ahead: 1 });
    expect(await pacer.pending('b', at(50))).toEqual({ go: false, sendAt: at(100), ahead: 1 });
    expect(await pacer.pass('b', 1, at(100))).toEqual({ go: true });
    expect(await pacer.pending('b', at(100))).toBeNull();
  });
});
