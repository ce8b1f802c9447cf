/**
 * stopServer and deleteServer: step until the instance is stopped (or gone), waiting for the
 * workspace watcher's wake (or the fallback timer) in between, bounded by a deadline.
 */
import type * as df from 'durable-functions';
import type { WindDownOutcome } from '../use-cases/advance-wind-down';
import { activityRetry, failureMessage } from './activity-retry';
import { ACTIVITIES, type GiveUpInput, type ServerOrchestrationInput } from './orchestration-names';
import { newWaitState, waitForChange, type WaitState } from './wait-for-change';

export type WindDownKind = 'stop' | 'delete';

export function windDownOrchestrator(kind: WindDownKind) {
  const stepActivity = kind === 'stop' ? ACTIVITIES.stopStep : ACTIVITIES.deleteStep;
  return function* windDownServer(context: df.OrchestrationContext): Generator<df.Task, WindDownOutcome, unknown> {
    const input = context.df.getInput<ServerOrchestrationInput>();
    const deadline = context.df.currentUtcDateTime.getTime() + input.timeoutMinutes * 60_000;
    const waiting: WaitState = newWaitState();
    const giveUp = (code: string, message: string) =>
      context.df.callActivityWithRetry(ACTIVITIES.windDownGiveUp, activityRetry(), { serverId: input.serverId, code, message } satisfies GiveUpInput);
    try {
      let outcome = (yield context.df.callActivityWithRetry(stepActivity, activityRetry(), input.serverId)) as WindDownOutcome;
      while (outcome === 'wait') {
        if (context.df.currentUtcDateTime.getTime() >= deadline) {
          yield giveUp(`${kind}-timeout`, `The ${kind} did not complete within ${input.timeoutMinutes} minutes.`);
          return outcome;
        }
        yield* waitForChange(context, input.serverId, deadline, waiting);
        outcome = (yield context.df.callActivityWithRetry(stepActivity, activityRetry(), input.serverId)) as WindDownOutcome;
      }
      return outcome;
    } catch (error) {
      yield giveUp(`${kind}-error`, failureMessage(error));
      return 'superseded';
    }
  };
}
