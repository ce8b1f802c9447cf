/**
 * Closed-loop load: `clients` workers, each sending its next request as soon as the last one
 * answered, for a fixed time. Bounded by time and by a request cap.
 */
import { percentile } from './percentiles';

export interface LoadPhase {
  clients: number;
  durationMs: number;
  /** Stops the workers even if time remains; a guard against a runaway loop. */
  maxRequests: number;
}

export interface LoadSample {
  latenciesMs: number[];
  elapsedMs: number;
  errors: number;
  /** The first error seen, to say why when errors > 0. */
  firstError: string | null;
}

export interface LoadResult {
  requests: number;
  errors: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  firstError: string | null;
}

/** `call` resolves on a good answer and throws on a bad one. */
export async function closedLoopLoad(call: () => Promise<void>, phase: LoadPhase): Promise<LoadSample> {
  const latenciesMs: number[] = [];
  let errors = 0;
  let sent = 0;
  let firstError: string | null = null;
  const started = performance.now();
  const endsAt = started + phase.durationMs;
  const worker = async () => {
    while (performance.now() < endsAt && sent < phase.maxRequests) {
      sent += 1;
      const t0 = performance.now();
      try {
        await call();
        latenciesMs.push(performance.now() - t0);
      } catch (error) {
        errors += 1;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: phase.clients }, worker));
  return { latenciesMs, elapsedMs: performance.now() - started, errors, firstError };
}

/** Several samples of the same load as one result: total requests over total time, pooled percentiles. */
export function pooled(samples: LoadSample[]): LoadResult {
  const latencies = samples.flatMap((sample) => sample.latenciesMs);
  const elapsedS = samples.reduce((sum, sample) => sum + sample.elapsedMs, 0) / 1000;
  return {
    requests: latencies.length,
    errors: samples.reduce((sum, sample) => sum + sample.errors, 0),
    perSecond: latencies.length / elapsedS,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    firstError: samples.find((sample) => sample.firstError !== null)?.firstError ?? null,
  };
}

export function perSecond(sample: LoadSample): number {
  return sample.latenciesMs.length / (sample.elapsedMs / 1000);
}
