/**
 * Picks which queued messages one episode delivers. Rules, in order:
 *   - a terminal instance drops everything; a redelivered message (its id already in the history),
 *     a completion for a task that is not open, or a message for an old execution is dropped;
 *   - a new execution needs its start message first; until it is there, events wait;
 *   - a terminate goes first, ahead of any event queued before it (as the Durable runtime terminates
 *     without running the orchestrator), so an instance whose episodes keep failing can still be ended;
 *   - a control message (terminate, suspend, resume) is handled on its own episode;
 *   - a suspended instance takes only control messages;
 *   - the batch ends after an event of a retry group, because durable-functions allocates the
 *     retry's sequence numbers when it replays that event and the engine must allocate them after
 *     the new actions of the events before it (see scheduler/task-ledger.ts).
 * Mutates `ledger` (closes delivered tasks).
 */
import { completedTaskId, HistoryEventType, isFailureEvent, type HistoryEvent } from '../protocol/history-events';
import { fromFailureDetails } from '../protocol/failure-info';
import { isControl, type InstanceMessage, type QueuedMessage } from '../protocol/instance-message';
import { isActive, type InstanceRecord } from '../store/instance-record';
import { belongsToRetryGroup, closeTask, type RetryTrigger } from '../scheduler/task-ledger';

export type ControlMessage = Extract<InstanceMessage, { kind: 'terminate' | 'suspend' | 'resume' }>;

export interface MessageBatch {
  /** Ids to delete once the episode commits: delivered and dropped messages. */
  consumed: string[];
  /** The execution starts in this episode. */
  starts: boolean;
  control: ControlMessage | undefined;
  events: HistoryEvent[];
  retryTrigger: RetryTrigger | undefined;
  /** Messages remain that a later episode can take now. */
  hasMore: boolean;
}

export function selectBatch(record: InstanceRecord, history: HistoryEvent[], messages: QueuedMessage[]): MessageBatch {
  const batch: MessageBatch = { consumed: [], starts: false, control: undefined, events: [], retryTrigger: undefined, hasMore: false };
  const delivered = new Set(history.map((event) => event.MessageId).filter(Boolean));
  const timersDue = timerDueTimes(history);
  const needsStart = record.historyCount === 0;
  const dropped = (queued: QueuedMessage) =>
    !isActive(record.runtimeStatus) || delivered.has(queued.id) || isStale(record, queued.message, needsStart)
    || isStaleTimer(queued.message, timersDue);
  // Events of a new execution can only follow its start, wherever the start sits in the queue.
  const startAvailable = !needsStart || messages.some((queued) => queued.message.kind === 'start' && !dropped(queued));
  const eventsWait = record.runtimeStatus === 'Suspended' || !startAvailable;
  let closed = false;

  const terminate = messages.find((queued) => queued.message.kind === 'terminate' && !dropped(queued));
  if (terminate) {
    // What was queued before it is dropped once the instance is terminated (it is no longer active).
    batch.control = terminate.message as ControlMessage;
    batch.consumed.push(...messages.filter((queued) => dropped(queued)).map((queued) => queued.id), terminate.id);
    batch.hasMore = messages.length > batch.consumed.length;
    return batch;
  }

  for (const queued of messages) {
    const { message } = queued;
    if (dropped(queued)) {
      batch.consumed.push(queued.id);
      continue;
    }
    if (closed) {
      batch.hasMore = true;
      continue;
    }
    if (message.kind === 'start') {
      batch.starts = true;
      batch.consumed.push(queued.id);
      continue;
    }
    if (isControl(message)) {
      if (batch.events.length > 0 || batch.starts) batch.hasMore = true;
      else {
        batch.control = message as ControlMessage;
        batch.consumed.push(queued.id);
      }
      closed = true;
      continue;
    }
    if (eventsWait || message.kind !== 'event') continue;
    const event: HistoryEvent = { ...message.event, MessageId: queued.id, IsPlayed: false };
    const taskId = completedTaskId(event);
    if (taskId !== undefined) {
      const endsBatch = belongsToRetryGroup(record.ledger, taskId);
      const closedTask = closeTask(record.ledger, taskId, isFailureEvent(event) ? failureOf(event) : undefined);
      if (!closedTask) {
        batch.consumed.push(queued.id); // duplicate (an activity that ran twice) or stale
        continue;
      }
      batch.retryTrigger = closedTask.retry;
      if (endsBatch) closed = true;
    }
    batch.events.push(event);
    batch.consumed.push(queued.id);
  }
  return batch;
}

/** Nothing in the batch moves the instance forward: its messages wait for a resume or a start. */
export function isIdle(batch: MessageBatch): boolean {
  return !batch.starts && batch.control === undefined && batch.events.length === 0;
}

function isStale(record: InstanceRecord, message: InstanceMessage, needsStart: boolean): boolean {
  if (message.kind === 'start') return message.executionId !== record.executionId || !needsStart;
  if (message.kind === 'event') {
    if (message.executionId !== undefined && message.executionId !== record.executionId) return true;
    return message.event.EventType === HistoryEventType.ExecutionStarted;
  }
  return false;
}

/** When each timer in the history is due (TimerCreated's FireAt by its event id). */
function timerDueTimes(history: HistoryEvent[]): Map<number, string> {
  const due = new Map<number, string>();
  for (const event of history) {
    if (event.EventType === HistoryEventType.TimerCreated && typeof event.FireAt === 'string') due.set(event.EventId, event.FireAt);
  }
  return due;
}

/**
 * A timer message whose due time is not the one the history recorded for that timer was queued by
 * an episode whose history never committed (the host died between the two writes); the episode ran
 * again with a later clock and queued its own. Delivering the old one would fire the timer early.
 */
function isStaleTimer(message: InstanceMessage, timersDue: Map<number, string>): boolean {
  if (message.kind !== 'event' || message.event.EventType !== HistoryEventType.TimerFired) return false;
  const recorded = timersDue.get(Number(message.event.TimerId));
  return recorded !== undefined && Date.parse(recorded) !== Date.parse(String(message.event.FireAt));
}

function failureOf(event: HistoryEvent) {
  return fromFailureDetails(event.FailureDetails) ?? {
    errorType: 'Error',
    errorMessage: typeof event.Reason === 'string' ? event.Reason : 'Task failed',
    stackTrace: typeof event.Details === 'string' ? event.Details : undefined,
  };
}
