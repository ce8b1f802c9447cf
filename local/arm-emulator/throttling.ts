/** ARM's request throttling: a read, a write and a delete bucket per subscription and principal. */
import { ArmError } from './arm-error';
import { ARM_THROTTLE_LIMITS, type ThrottleLimits } from './options';
import { TokenBucket, type TakeResult } from './token-bucket';

export type RequestKind = 'reads' | 'writes' | 'deletes';

export const kindOf = (method: string): RequestKind =>
  method === 'GET' || method === 'HEAD' ? 'reads' : method === 'DELETE' ? 'deletes' : 'writes';

export class Throttler {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(private readonly limits: ThrottleLimits) {}

  take(subscriptionId: string, principalId: string, kind: RequestKind, now: number): TakeResult {
    const key = `${subscriptionId.toLowerCase()}|${principalId}|${kind}`;
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(this.limits[kind] ?? ARM_THROTTLE_LIMITS[kind], now);
      this.buckets.set(key, bucket);
    }
    return bucket.take(now);
  }

  reset(): void {
    this.buckets.clear();
  }
}

/** x-ms-ratelimit-remaining-subscription-reads / -writes / -deletes, as ARM sends on every reply. */
export function remainingHeader(kind: RequestKind, remaining: number): Record<string, string> {
  return { [`x-ms-ratelimit-remaining-subscription-${kind}`]: String(remaining) };
}

export function throttledError(subscriptionId: string, principalId: string, kind: RequestKind, verdict: TakeResult): ArmError {
  const noun = kind === 'reads' ? 'read' : kind === 'deletes' ? 'delete' : 'write';
  return new ArmError(
    429,
    'SubscriptionRequestsThrottled',
    `Number of '${noun}' requests for subscription '${subscriptionId}' actor '${principalId}' exceeded. ` +
      `Please try again after '${verdict.retryAfterSeconds}' seconds after additional tokens are available. ` +
      'Refer to https://aka.ms/arm-throttling for additional information.',
    { 'retry-after': String(verdict.retryAfterSeconds), ...remainingHeader(kind, 0) },
  );
}
