/** The ARM write schedule (GCRA): never more than the bucket allows, in request order, never refusing. */
import fc from 'fast-check';
import { reserveWrites, writesAhead, queuedMessage, type PaceLimits } from '../../shared/domain/write-pacing';
import { InMemoryWritePacer } from '../support/in-memory-pacing';

const limits: PaceLimits = { burst: 200, perSecond: 10 };

/** Replays send times through ARM's own bucket (the emulator's rule): how many would be refused. */
function refusedByBucket(sendTimes: number[], bucket: PaceLimits): number {
  let tokens = bucket.burst;
  let at = sendTimes[0] ?? 0;
  let refused = 0;
  for (const t of [...sendTimes].sort((a, b) => a - b)) {
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
