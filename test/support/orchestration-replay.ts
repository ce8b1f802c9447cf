/**
 * Drives an orchestrator through durable-functions' own replay, episode by episode, as the Durable
 * extension would: history in, actions out. Activities run in-process (the test decides what they
 * do) and durable timers advance a virtual clock, so a 25-minute run takes milliseconds.
 */
import { InvocationContext } from '@azure/functions';
import type * as df from 'durable-functions';
import {
  eventRaised, executionStarted, orchestratorCompleted, orchestratorStarted, taskCompleted, taskFailed,
  taskScheduled, timerCreated, timerFired, type HistoryEvent,
} from './history-events';

// The worker's entry point for one episode; reached by deep require (durable-functions exports no other way in).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createOrchestrator } = require('durable-functions/lib/src/util/testingUtils') as {
  createOrchestrator: (fn: df.OrchestrationHandler) => (trigger: unknown, context: InvocationContext) => Promise<EpisodeResult>;
};

interface Action {
  actionType: number;
  functionName?: string;
  /** WaitForExternalEvent's event name. */
  externalEventName?: string;
  compoundActions?: Action[];
  input?: unknown;
  fireAt?: string | Date;
  retryOptions?: { firstRetryIntervalInMilliseconds: number; maxNumberOfAttempts: number; backoffCoefficient: number };
}

/** Task.any / Task.all arrive as compound actions; the extension schedules their leaves. */
function leaves(actions: Action[]): Action[] {
  return actions.flatMap((action) => (action.compoundActions ? leaves(action.compoundActions) : [action]));
}

interface EpisodeResult {
  isDone: boolean;
  actions: Action[][];
  output: unknown;
  customStatus?: unknown;
}

export type ActivityImplementation = (input: unknown, now: Date) => Promise<unknown>;

export interface ReplayOptions {
  name: string;
  input: unknown;
  start: Date;
  activities: Record<string, ActivityImplementation>;
  /** Called whenever the virtual clock moves, so fakes can follow it. */
  onTime?: (now: Date) => void;
  maxEpisodes?: number;
  /**
   * Asked whenever the orchestrator waits for an external event: the event to raise and when, or
   * null. An event due before the timers the orchestrator created with it wins (the timers never
   * fire, as when the orchestrator cancels them); otherwise the timers fire first.
   */
  raiseEvent?: (wait: { name: string; now: Date; timerFiresAt: Date | null }) => { input: unknown; at: Date } | null;
}

export interface ActivityCall {
  name: string;
  input: unknown;
  at: Date;
  failed: boolean;
}

export interface RaisedEvent {
  name: string;
  input: unknown;
  at: Date;
}

export interface ReplayResult {
  status: 'Completed' | 'Failed' | 'Waiting' | 'ContinuedAsNew';
  /** With status ContinuedAsNew: the next generation's input. */
  continuedAsNew?: unknown;
  events: RaisedEvent[];
  output: unknown;
  error: string | null;
  calls: ActivityCall[];
  timers: Date[];
  customStatuses: unknown[];
  history: HistoryEvent[];
  episodes: number;
  end: Date;
}

const CALL_ACTIVITY = 0;
const CALL_ACTIVITY_WITH_RETRY = 1;
const CONTINUE_AS_NEW = 4;
const CREATE_TIMER = 5;
const WAIT_FOR_EXTERNAL_EVENT = 6;

export async function replayOrchestration(orchestrator: df.OrchestrationHandler, options: ReplayOptions): Promise<ReplayResult> {
  const run = createOrchestrator(orchestrator);
  let now = options.start;
  const advance = (to: Date) => {
    if (to > now) now = to;
    options.onTime?.(now);
  };
  options.onTime?.(now);
  const history: HistoryEvent[] = [orchestratorStarted(now), executionStarted(now, options.name, options.input)];
  const calls: ActivityCall[] = [];
  const timers: Date[] = [];
  const customStatuses: unknown[] = [];
  const events: RaisedEvent[] = [];
  let handled = 0;
  let sequence = 0;

  for (let episode = 1; episode <= (options.maxEpisodes ?? 500); episode++) {
    let result: EpisodeResult;
    try {
      result = await run(triggerInput(history, options), new InvocationContext({ functionName: options.name }));
    } catch (error) {
      return { status: 'Failed', output: null, error: error instanceof Error ? error.message : String(error), calls, timers, events, customStatuses, history, episodes: episode, end: now };
    }
    if (result.customStatus !== undefined) customStatuses.push(result.customStatus);
    const continued = leaves(result.actions.flat()).find((action) => action.actionType === CONTINUE_AS_NEW) as (Action & { input?: unknown }) | undefined;
    if (result.isDone && continued) {
      return { status: 'ContinuedAsNew', continuedAsNew: continued.input, output: null, error: null, calls, timers, events, customStatuses, history, episodes: episode, end: now };
    }
    if (result.isDone) return { status: 'Completed', output: result.output, error: null, calls, timers, events, customStatuses, history, episodes: episode, end: now };
    const actions = leaves(result.actions.flat());
    const fresh = actions.slice(handled);
    handled = actions.length;
    if (fresh.length === 0) return { status: 'Waiting', output: null, error: null, calls, timers, events, customStatuses, history, episodes: episode, end: now };

    history.push(orchestratorCompleted(now));
    const completions: HistoryEvent[] = [];
    const wait = fresh.find((action) => action.actionType === WAIT_FOR_EXTERNAL_EVENT);
    const freshTimers = fresh.filter((action) => action.actionType === CREATE_TIMER).map((action) => new Date(action.fireAt as string | Date));
    const timerFiresAt = freshTimers.length > 0 ? new Date(Math.min(...freshTimers.map((at) => at.getTime()))) : null;
    const raised = wait && options.raiseEvent?.({ name: wait.externalEventName ?? '', now, timerFiresAt });
    const eventWins = raised && (timerFiresAt === null || raised.at < timerFiresAt);
    for (const action of fresh) {
      if (action.actionType === WAIT_FOR_EXTERNAL_EVENT) {
        if (eventWins) {
          advance(raised.at);
          events.push({ name: action.externalEventName ?? '', input: raised.input, at: now });
          completions.push(eventRaised(now, action.externalEventName ?? '', raised.input));
        }
      } else if (action.actionType === CREATE_TIMER && eventWins) {
        const fireAt = new Date(action.fireAt as string | Date);
        timers.push(fireAt);
        history.push(timerCreated(now, sequence++, fireAt)); // created, never fired: the event won
      } else if (action.actionType === CREATE_TIMER) {
        const id = sequence++;
        const fireAt = new Date(action.fireAt as string | Date);
        timers.push(fireAt);
        history.push(timerCreated(now, id, fireAt));
        advance(fireAt);
        completions.push(timerFired(now, id, fireAt));
      } else if (action.actionType === CALL_ACTIVITY || action.actionType === CALL_ACTIVITY_WITH_RETRY) {
        sequence = await runActivity(action, sequence, { history, completions, calls, options, now: () => now, advance });
      } else {
        throw new Error(`replayOrchestration: action type ${action.actionType} is not simulated`);
      }
    }
    history.push(orchestratorStarted(now), ...completions);
  }
  throw new Error('replayOrchestration: too many episodes');
}

interface ActivityScope {
  history: HistoryEvent[];
  completions: HistoryEvent[];
  calls: ActivityCall[];
  options: ReplayOptions;
  now: () => Date;
  advance: (to: Date) => void;
}

/** Runs one activity action, with the extension's retry protocol: TaskFailed, then a TimerFired per retry. */
async function runActivity(action: Action, sequence: number, scope: ActivityScope): Promise<number> {
  const name = action.functionName ?? '';
  const implementation = scope.options.activities[name];
  if (!implementation) throw new Error(`replayOrchestration: no activity named ${name}`);
  const input = typeof action.input === 'string' ? JSON.parse(action.input) : action.input;
  const retry = action.actionType === CALL_ACTIVITY_WITH_RETRY ? action.retryOptions : undefined;
  const attempts = retry?.maxNumberOfAttempts ?? 1;
  let delay = retry?.firstRetryIntervalInMilliseconds ?? 0;
  for (let attempt = 1; ; attempt++) {
    const id = sequence++;
    scope.history.push(taskScheduled(scope.now(), id, name));
    try {
      const value = await implementation(input, scope.now());
      scope.calls.push({ name, input, at: scope.now(), failed: false });
      scope.completions.push(taskCompleted(scope.now(), id, value));
      return sequence;
    } catch (error) {
      scope.calls.push({ name, input, at: scope.now(), failed: true });
      scope.completions.push(taskFailed(scope.now(), id, error instanceof Error ? error.message : String(error)));
      if (!retry) return sequence;
      const timerId = sequence++;
      scope.advance(new Date(scope.now().getTime() + delay));
      scope.completions.push(timerFired(scope.now(), timerId, scope.now()));
      delay *= retry.backoffCoefficient;
      if (attempt >= attempts) return sequence;
    }
  }
}

function triggerInput(history: HistoryEvent[], options: ReplayOptions) {
  return {
    history: structuredClone(history),
    input: options.input,
    instanceId: `test-${options.name}`,
    isReplaying: false,
    parentInstanceId: '',
    upperSchemaVersion: 2,
    upperSchemaVersionNew: 3,
    maximumShortTimerDuration: '6.00:00:00',
    longRunningTimerIntervalDuration: '3.00:00:00',
    defaultHttpAsyncRequestSleepTimeMillseconds: 30000,
  };
}
