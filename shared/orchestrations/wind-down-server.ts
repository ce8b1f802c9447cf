/**
 * stopServer and deleteServer: step until the instance is stopped (or gone), waiting on durable
 * timers in between, bounded by a deadline.
 */
import type * as df from 'durable-functions';
import type { WindDownOutcome } from '../use-cases/advance-wind-down';
import { ACTIVITIES, type GiveUpInput, type ServerOrchestrationInput } from '../adapters/durable/orchestration-names';
import { activityRetry, failureMessage } from './activity-retry';

export type WindDownKind = 'stop' | 'delete';

export function windDownOrchestrator(kind: WindDownKind) {
  const stepActivity = kind === 'stop' ? ACTIVITIES.stopStep : ACTIVITIES.deleteStep;
  return function* windDownServer(context: df.OrchestrationContext): Generator<df.Task, WindDownOutcome, WindDownOutcome> {
    const input = context.df.getInput<ServerOrchestrationInput>();
    const deadline = context.df.currentUtcDateTime.getTime() + input.timeoutMinutes * 60_000;
    const giveUp = (code: string, message: string) =>
      context.df.callActivityWithRetry(ACTIVITIES.windDownGiveUp, activityRetry(), { serverId: input.serverId, code, message } satisfies GiveUpInput);
    try {
      let outcome: WindDownOutcome = yield context.df.callActivityWithRetry(stepActivity, activityRetry(), input.serverId);
      while (outcome === 'wait') {
        const now = context.df.currentUtcDateTime.getTime();
        if (now >= deadline) {
          yield giveUp(`${kind}-timeout`, `The ${kind} did not complete within ${input.timeoutMinutes} minutes.`);
          return outcome;
        }
        yield context.df.createTimer(new Date(Math.min(deadline, now + input.pollSeconds * 1000)));
        outcome = yield context.df.callActivityWithRetry(stepActivity, activityRetry(), input.serverId);
      }
      return outcome;
    } catch (error) {
      yield giveUp(`${kind}-error`, failureMessage(error));
      return 'superseded';
    }
  };
}
