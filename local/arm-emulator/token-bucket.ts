/** A token bucket: `burst` tokens when full, refilled continuously at `perSecond`. */
import type { BucketLimits } from './options';

export interface TakeResult {
  allowed: boolean;
  /** Whole tokens left after this request. */
  remaining: number;
  /** When refused: seconds until a token is available (at least 1, as ARM's Retry-After). */
  retryAfterSeconds: number;
}

export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly limits: BucketLimits,
    now: number,
  ) {
    this.tokens = limits.burst;
    this.updatedAt = now;
  }

  take(now: number): TakeResult {
    const elapsedSeconds = Math.max(0, now - this.updatedAt) / 1000;
    this.tokens = Math.min(this.limits.burst, this.tokens + elapsedSeconds * this.limits.perSecond);
    this.updatedAt = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { allowed: true, remaining: Math.floor(this.tokens), retryAfterSeconds: 0 };
    }
    const wait = (1 - this.tokens) / this.limits.perSecond;
    return { allowed: false, remaining: 0, retryAfterSeconds: Math.max(1, Math.ceil(wait)) };
  }
}
