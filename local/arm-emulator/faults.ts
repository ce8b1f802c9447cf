/** Transient failures ARM answers now and then: 500, 503, and 429 with Retry-After. */
import { randomUUID } from 'node:crypto';
import { ArmError } from './arm-error';

export type FaultStatus = 429 | 500 | 503;

const FAULT_STATUSES: FaultStatus[] = [500, 503, 429];

/** Picks a fault for a share `rate` of requests; reproducible when seeded. */
export class FaultInjector {
  private readonly random: () => number;

  constructor(
    private readonly rate: number,
    seed: number | null,
  ) {
    this.random = seed === null ? Math.random : mulberry32(seed);
  }

  roll(): FaultStatus | null {
    if (this.rate <= 0 || this.random() >= this.rate) return null;
    return FAULT_STATUSES[Math.floor(this.random() * FAULT_STATUSES.length)] ?? 500;
  }
}

/** The reply ARM gives for a fault. A 429 always carries Retry-After (default 1 s). */
export function faultError(status: FaultStatus, retryAfterSeconds?: number): ArmError {
  const retryAfter = retryAfterSeconds ?? (status === 429 ? 1 : undefined);
  const headers: Record<string, string> = retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) };
  switch (status) {
    case 429:
      return new ArmError(429, 'TooManyRequests', 'The request is being throttled. Please retry after the interval in the Retry-After header.', headers);
    case 503:
      return new ArmError(503, 'ServiceUnavailable', 'The service is temporarily unavailable. Please try again later.', headers);
    case 500:
      return new ArmError(
        500,
        'InternalServerError',
        `Encountered internal server error. Diagnostic information: timestamp '${new Date().toISOString()}', tracking id '${randomUUID()}'.`,
        headers,
      );
  }
}

/** A small deterministic PRNG (mulberry32). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
