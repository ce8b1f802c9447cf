/**
 * How a server's run waits between two steps: for the workspace watcher's wake (an external event
 * raised when its instance changed state) or a long fallback timer, whichever comes first, so a
 * lost watcher costs time, never a server. The run enrols on the workspace's watch list before
 * every wait (the watcher drops an entry when it wakes its run), telling it what the last wake
 * showed, or that nobody woke it (then the enrolment makes sure a watcher lives). Answers the
 * wake's payload, or null when the fallback timer fired.
 */
import type * as df from 'durable-functions';
import { activityRetry } from './activity-retry';
import { ACTIVITIES, EVENTS, type ComputeChanged, type WatchEnrolment, type WatchServerInput } from './orchestration-names';

export interface WaitState {
  /** What the last wake showed, or null. */
  seen: string | null;
  /** Whether the last wait ended on the fallback timer. */
  lookedAlone: boolean;
}

export function newWaitState(): WaitState {
  return { seen: null, lookedAlone: false };
}

export function* waitForChange(
  context: df.OrchestrationContext, serverId: string, deadline: number, state: WaitState,
): Generator<df.Task, ComputeChanged | null, unknown> {
  const request: WatchServerInput = {
    serverId,
    ...(state.seen !== null ? { seen: state.seen } : {}),
    ...(state.lookedAlone ? { lookedAlone: true } : {}),
  };
  const enrolment = (yield context.df.callActivityWithRetry(ACTIVITIES.watchServer, activityRetry(), request)) as WatchEnrolment;
  const now = context.df.currentUtcDateTime.getTime();
  const timer = context.df.createTimer(new Date(Math.min(deadline, now + enrolment.fallbackSeconds * 1000)));
  const change = context.df.waitForExternalEvent(EVENTS.computeChanged);
  const winner = yield context.df.Task.any([change, timer]);
  if (winner === timer) {
    state.seen = null; // the run's own step reads the instance
    state.lookedAlone = true;
    return null;
  }
  timer.cancel();
  const changed = (change.result as ComputeChanged | undefined) ?? null;
  state.seen = changed?.observed ?? null;
  state.lookedAlone = false;
  return changed;
}
