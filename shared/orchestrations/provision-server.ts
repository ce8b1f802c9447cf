/**
 * provisionServer: create or start the instance, then poll it with durable timers until it is
 * Running, failed, cancelled (a stop took over) or past the deadline. Deterministic: all I/O is in
 * the activities, time comes from the orchestration context.
 */
import type * as df from 'durable-functions';
import type { ProvisioningStep } from '../use-cases/advance-provisioning';
import { ACTIVITIES, type GiveUpInput, type ServerOrchestrationInput } from '../adapters/durable/orchestration-names';
import { activityRetry, failureMessage } from './activity-retry';

export function* provisionServerOrchestrator(context: df.OrchestrationContext): Generator<df.Task, ProvisioningStep, ProvisioningStep> {
  const input = context.df.getInput<ServerOrchestrationInput>();
  const deadline = context.df.currentUtcDateTime.getTime() + input.timeoutMinutes * 60_000;
  let step: ProvisioningStep;
  try {
    step = yield context.df.callActivityWithRetry(ACTIVITIES.provisionStep, activityRetry(), input.serverId);
    while (step.outcome === 'wait' || step.outcome === 'paced') {
      context.df.setCustomStatus(step);
      const now = context.df.currentUtcDateTime.getTime();
      if (now >= deadline) {
        return yield giveUp(context, { serverId: input.serverId, code: 'provision-timeout', message: `The compute instance did not reach Running within ${input.timeoutMinutes} minutes.` });
      }
      // A paced create or start comes back at its turn in the ARM write schedule, not after a poll.
      const wakeAt = step.outcome === 'paced' && step.retryAt ? Date.parse(step.retryAt) : now + input.pollSeconds * 1000;
      yield context.df.createTimer(new Date(Math.min(deadline, wakeAt)));
      step = yield context.df.callActivityWithRetry(ACTIVITIES.provisionStep, activityRetry(), input.serverId);
    }
  } catch (error) {
    return yield giveUp(context, { serverId: input.serverId, code: 'provision-error', message: failureMessage(error) });
  }
  return step;
}

function giveUp(context: df.OrchestrationContext, input: GiveUpInput): df.Task {
  return context.df.callActivityWithRetry(ACTIVITIES.provisionGiveUp, activityRetry(), input);
}
