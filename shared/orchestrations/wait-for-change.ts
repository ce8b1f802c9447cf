/**
 * How a server's run waits between two steps: for the workspace watcher's wake (an external event
 * raised when its instance changed state) or a long fallback timer, whichever comes first, so a
 * lost watcher costs time, never a server. The run enrols with the watcher (starting it when
 * needed) before its first wait and after every wait the watcher did not end. Answers the wake's
 * payload, or null when the fallback timer fired.
 */
import type * as df from 'durable-functions';
import { activityRetry } from './activity-retry';
import { ACTIVITIES, EVENTS, type ComputeChanged, type WatchEnrolment } from './orchestration-names';

export interface WaitState {
  /** Null until the run has enrolled (again). */
  fallbackSeconds: number | null;
}

export function* waitForChange(
  context: df.OrchestrationContext, serverId: string, deadline: number, state: WaitState,
): Generator<df.Task, ComputeChanged | null, unknown> {
  if (state.fallbackSeconds === null) {
    const enrolment = (yield context.df.callActivityWithRetry(ACTIVITIES.watchServer, activityRetry(), serverId)) as WatchEnrolment;
    state.fallbackSeconds = enrolment.fallbackSeconds;
  }
  const now = context.df.currentUtcDateTime.getTime();
  const timer = context.df.createTimer(new Date(Math.min(deadline, now + state.fallbackSeconds * 1000)));
  const change = context.df.waitForExternalEvent(EVENTS.computeChanged);
  const winner = yield context.df.Task.any([change, timer]);
  if (winner === timer) {
    state.fallbackSeconds = null; // nobody woke the run: make sure a watcher runs before the next wait
    return null;
  }
  timer.cancel();
  return (change.result as ComputeChanged | undefined) ?? null;
}
