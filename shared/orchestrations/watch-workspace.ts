/**
 * watchWorkspace: the single watcher of one workspace (instance id `watch-<project>`). Each look
 * reads the workspace's watch list, reads Azure once for everything due (a list of its computes,
 * or a GET per due instance when fewer), and wakes the runs whose instance changed; between looks a
 * durable timer. It carries what a list costs (its pages) from look to look. It ends when the look put it off
 * duty (nothing waits) or a newer watcher took over, and continues as new every few dozen looks so
 * its history stays short. Deterministic: the looks are activities.
 */
import type * as df from 'durable-functions';
import type { WatchLook } from '../use-cases/watch-workspace';
import { activityRetry } from './activity-retry';
import { ACTIVITIES, type WatchInput } from './orchestration-names';

/** Looks per generation before continueAsNew. */
export const LOOKS_PER_GENERATION = 40;

/** After a look failed past its retries: the watcher stays on duty and looks again after this long. */
export const FAILED_LOOK_PAUSE_SECONDS = 30;

export function* watchWorkspaceOrchestrator(context: df.OrchestrationContext): Generator<df.Task, string | undefined, unknown> {
  const input = context.df.getInput<WatchInput>();
  const generation = input.generation ?? 0;
  let lastLookAt = input.lastLookAt ?? null;
  let listPages = input.listPages ?? null;
  for (let look = 0; look < LOOKS_PER_GENERATION; look++) {
    let result: WatchLook | null;
    try {
      result = (yield context.df.callActivityWithRetry(ACTIVITIES.watchLook, activityRetry(), { project: input.project, generation, lastLookAt, listPages } satisfies WatchInput)) as WatchLook;
    } catch {
      result = null; // Table or ARM trouble: a watcher that ended here would leave the runs to their fallbacks
    }
    if (result !== null && result.nextLookSeconds === null) return 'idle';
    if (result !== null) {
      lastLookAt = result.lookedAt;
      listPages = result.listPages;
      context.df.setCustomStatus({ generation, inFlight: result.inFlight, lastWoken: result.woken.length });
    }
    const pause = result?.nextLookSeconds ?? FAILED_LOOK_PAUSE_SECONDS;
    yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + pause * 1000));
  }
  context.df.continueAsNew({ project: input.project, generation, lastLookAt, listPages } satisfies WatchInput);
  return undefined;
}
