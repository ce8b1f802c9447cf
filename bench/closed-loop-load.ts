/**
 * Closed-loop load: `clients` workers, each sending its next request as soon as the last one
 * answered, for `durationMs` (after an unmeasured warm-up). Bounded by time and by a request cap.
 */
import { percentile } from './percentiles';

export interface LoadOptions {
  clients: number;
  durationMs: number;
  warmUpMs: number;
  /** Stops a worker even if time remains; a guard against a runaway loop. */
  maxRequests: number;
}

export interface LoadResult {
  requests: number;
  errors: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** The first error seen, to say why when errors > 0. */
  firstError: string | null;
}

/** `call` resolves on a good answer and throws on a bad one. */
export async function closedLoopLoad(call: () => Promise<void>, options: LoadOptions): Promise<LoadResult> {
  await phase(call, options.clients, options.warmUpMs, options.maxRequests);
  return phase(call, options.clients, options.durationMs, options.maxRequests);
}

async function phase(call: () => Promise<void>, clients: number, durationMs: number, maxRequests: number): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  let sent = 0;
  let firstError: string | null = null;
  const started = performance.now();
  const endsAt = started + durationMs;
  const worker = async () => {
    while (performance.now() < endsAt && sent < maxRequests) {
      sent += 1;
      const t0 = performance.now();
      try {
        await call();
        latencies.push(performance.now() - t0);
      } catch (error) {
        errors += 1;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: clients }, worker));
  const elapsedS = (performance.now() - started) / 1000;
  return {
    requests: latencies.length,
    errors,
    perSecond: latencies.length / elapsedS,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    firstError,
  };
}
