import { TokenBucket } from '../../local/arm-emulator/token-bucket';

describe('TokenBucket', () => {
  it('allows the burst, then refuses with the seconds until the next token', () => {
    const bucket = new TokenBucket({ burst: 3, perSecond: 0.5 }, 0);
    expect([1, 2, 3].map(() => bucket.take(0))).toEqual([
      { allowed: true, remaining: 2, retryAfterSeconds: 0 },
      { allowed: true, remaining: 1, retryAfterSeconds: 0 },
      { allowed: true, remaining: 0, retryAfterSeconds: 0 },
    ]);
    expect(bucket.take(0)).toEqual({ allowed: false, remaining: 0, retryAfterSeconds: 2 });
    expect(bucket.take(1000)).toEqual({ allowed: false, remaining: 0, retryAfterSeconds: 1 });
    expect(bucket.take(2000)).toMatchObject({ allowed: true });
  });

  it('refills continuously up to the burst, never beyond', () => {
    const bucket = new TokenBucket({ burst: 250, perSecond: 25 }, 0);
    for (let i = 0; i < 250; i += 1) bucket.take(0);
    expect(bucket.take(0).allowed).toBe(false);
    expect(bucket.take(400)).toMatchObject({ allowed: true, remaining: 9 });
    expect(bucket.take(3_600_000)).toMatchObject({ allowed: true, remaining: 249 });
  });
});
