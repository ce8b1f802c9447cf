/**
 * provisionServer: create or start the instance, then step again whenever the workspace watcher
 * reports a change of the instance (or the fallback timer fires) until it is Running, failed,
 * cancelled (a stop took over) or past the deadline. Deterministic: all I/O is in the activities,
 * time comes from the orchestration context.
 */
import type * as df from 'durable-functions';
import type { ProvisioningStep } from '../use-cases/advance-provisioning';
import { activityRetry, failureMessage } from './activity-retry';
import { ACTIVITIES, type GiveUpInput, type ProvisionStepInput, type ServerOrchestrationInput } from './orchestration-names';
import { newWaitState, waitForChange, type WaitState } from './wait-for-change';

export function* provisionServerOrchestrator(context: df.OrchestrationContext): Generator<df.Task, ProvisioningStep, unknown> {
  const input = context.df.getInput<ServerOrchestrationInput>();
  const deadline = context.df.currentUtcDateTime.getTime() + input.timeoutMinutes * 60_000;
  const waiting: WaitState = newWaitState();
  let step: ProvisioningStep;
  try {
    step = (yield context.df.callActivityWithRetry(ACTIVITIES.provisionStep, activityRetry(), input.serverId)) as ProvisioningStep;
    while (step.outcome === 'wait' || step.outcome === 'paced') {
      context.df.setCustomStatus(step);
      if (context.df.currentUtcDateTime.getTime() >= deadline) {
        return (yield giveUp(context, { serverId: input.serverId, code: 'provision-timeout', message: `The compute instance did not reach Running within ${input.timeoutMinutes} minutes.` })) as ProvisioningStep;
      }
      if (step.outcome === 'paced' && step.retryAt) {
        // A paced create or start comes back at its turn in the ARM write schedule, not on a change.
        yield context.df.createTimer(new Date(Math.min(deadline, Date.parse(step.retryAt))));
        // The paced step's look at Azure stands until the turn (nothing was sent): the next step takes it.
        const pacedInput: ProvisionStepInput = step.observed === undefined ? input.serverId : { serverId: input.serverId, observed: step.observed };
        step = (yield context.df.callActivityWithRetry(ACTIVITIES.provisionStep, activityRetry(), pacedInput)) as ProvisioningStep;
        continue;
      }
      const change = yield* waitForChange(context, input.serverId, deadline, waiting);
      // A wake that shows the instance carries it: the step uses it instead of reading it again.
      const stepInput: ProvisionStepInput = change?.compute ? { serverId: input.serverId, observed: change.compute } : input.serverId;
      step = (yield context.df.callActivityWithRetry(ACTIVITIES.provisionStep, activityRetry(), stepInput)) as ProvisioningStep;
    }
  } catch (error) {
    return (yield giveUp(context, { serverId: input.serverId, code: 'provision-error', message: failureMessage(error) })) as ProvisioningStep;
  }
  return step;
}

function giveUp(context: df.OrchestrationContext, input: GiveUpInput): df.Task {
  return context.df.callActivityWithRetry(ACTIVITIES.provisionGiveUp, activityRetry(), input);
}
