/**
 * The delay before the next attempt of a task with RetryOptions, computed as the Durable Task
 * Framework's RetryInterceptor does: firstRetryInterval × backoffCoefficient^(failures-1), capped
 * at maxRetryInterval; zero (give up) once retryTimeout has passed since the first attempt.
 */
import type { RetryOptionsDto } from '../protocol/actions';

export function nextRetryDelayMs(options: RetryOptionsDto, failures: number, firstAttemptAtMs: number, nowMs: number): number {
  const timeout = positive(options.retryTimeoutInMilliseconds);
  if (timeout !== undefined && nowMs >= firstAttemptAtMs + timeout) return 0;
  const coefficient = positive(options.backoffCoefficient) ?? 1;
  let delay = options.firstRetryIntervalInMilliseconds * coefficient ** Math.max(0, failures - 1);
  const cap = positive(options.maxRetryIntervalInMilliseconds);
  if (cap !== undefined && delay > cap) delay = cap;
  return Math.max(0, Math.round(delay));
}

function positive(value: number | undefined): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
}
