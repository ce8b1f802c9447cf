/**
 * watchWorkspace: the single watcher of one workspace (instance id `watch-<project>`). Each look
 * lists the workspace's computes once and wakes the runs whose instance changed; between looks a
 * durable timer. It ends when nothing is in flight, and continues as new every few dozen looks so
 * its history stays short. Deterministic: the looks are activities.
 */
import type * as df from 'durable-functions';
import type { WatchLook } from '../use-cases/watch-workspace';
import { activityRetry } from './activity-retry';
import { ACTIVITIES, type WatchInput } from './orchestration-names';

/** Looks per generation before continueAsNew. */
export const LOOKS_PER_GENERATION = 40;

export function* watchWorkspaceOrchestrator(context: df.OrchestrationContext): Generator<df.Task, string | undefined, unknown> {
  const input = context.df.getInput<WatchInput>();
  let seen = input.seen ?? {};
  for (let look = 0; look < LOOKS_PER_GENERATION; look++) {
    const result = (yield context.df.callActivityWithRetry(ACTIVITIES.watchLook, activityRetry(), { project: input.project, seen } satisfies WatchInput)) as WatchLook;
    if (result.nextLookSeconds === null) return 'idle';
    seen = result.seen;
    context.df.setCustomStatus({ inFlight: result.inFlight, lastWoken: result.woken.length });
    yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + result.nextLookSeconds * 1000));
  }
  context.df.continueAsNew({ project: input.project, seen } satisfies WatchInput);
  return undefined;
}
