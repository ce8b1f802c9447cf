import * as df from 'durable-functions';
import { publicFailure } from '../domain/public-failure';

/**
 * Retry of an activity that failed for a transient reason (Azure 5xx or throttling that outlived the
 * SDK's own retries, a storage hiccup): 5 s, 10 s, 20 s, ... up to 6 attempts.
 */
export function activityRetry(): df.RetryOptions {
  const retry = new df.RetryOptions(5_000, 6);
  retry.backoffCoefficient = 2;
  retry.maxRetryIntervalInMilliseconds = 60_000;
  return retry;
}

export function failureMessage(error: unknown): string {
  return publicFailure(error).publicMessage;
}
