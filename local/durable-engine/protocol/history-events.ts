/**
 * Orchestration history events in the shape durable-functions replays (Durable Task Framework
 * names: `EventType`, `EventId`, `IsPlayed`, `Timestamp`, ...). Completions refer to the sequence
 * number of the task they complete (`TaskScheduledId`, `TimerId`); external events match by `Name`.
 */
import type { FailureInfo } from './failure-info';
import { toFailureDetails } from './failure-info';

export const HistoryEventType = {
  ExecutionStarted: 0,
  ExecutionCompleted: 1,
  ExecutionFailed: 2,
  ExecutionTerminated: 3,
  TaskScheduled: 4,
  TaskCompleted: 5,
  TaskFailed: 6,
  SubOrchestrationInstanceCreated: 7,
  SubOrchestrationInstanceCompleted: 8,
  SubOrchestrationInstanceFailed: 9,
  TimerCreated: 10,
  TimerFired: 11,
  OrchestratorStarted: 12,
  OrchestratorCompleted: 13,
  EventSent: 14,
  EventRaised: 15,
  ContinueAsNew: 16,
  GenericEvent: 17,
  HistoryState: 18,
  ExecutionSuspended: 19,
  ExecutionResumed: 20,
} as const;

export type HistoryEventTypeValue = (typeof HistoryEventType)[keyof typeof HistoryEventType];

export const HISTORY_EVENT_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(HistoryEventType).map(([name, value]) => [value, name]),
);

export interface HistoryEvent {
  EventType: HistoryEventTypeValue;
  EventId: number;
  IsPlayed: boolean;
  Timestamp: string;
  /** The queued message that delivered this event; lets a redelivery be recognised and dropped. */
  MessageId?: string;
  [field: string]: unknown;
}

function event(type: HistoryEventTypeValue, at: Date, fields: Record<string, unknown> = {}, eventId = -1): HistoryEvent {
  return { EventType: type, EventId: eventId, IsPlayed: false, Timestamp: at.toISOString(), ...fields };
}

export interface ParentLink {
  instanceId: string;
  executionId: string;
  taskId: number;
  name: string;
}

export const historyEvents = {
  orchestratorStarted: (at: Date) => event(HistoryEventType.OrchestratorStarted, at),
  orchestratorCompleted: (at: Date) => event(HistoryEventType.OrchestratorCompleted, at),
  executionStarted: (at: Date, f: { name: string; version?: string; input: string | undefined; instanceId: string; executionId: string; parent?: ParentLink }) =>
    event(HistoryEventType.ExecutionStarted, at, {
      Name: f.name,
      Version: f.version,
      Input: f.input,
      OrchestrationInstance: { InstanceId: f.instanceId, ExecutionId: f.executionId },
      ParentInstance: f.parent
        ? { Name: f.parent.name, TaskScheduleId: f.parent.taskId, OrchestrationInstance: { InstanceId: f.parent.instanceId, ExecutionId: f.parent.executionId } }
        : undefined,
    }),
  taskScheduled: (at: Date, id: number, name: string, input: string | undefined) =>
    event(HistoryEventType.TaskScheduled, at, { Name: name, Input: input }, id),
  taskCompleted: (at: Date, id: number, result: string) => event(HistoryEventType.TaskCompleted, at, { TaskScheduledId: id, Result: result }),
  taskFailed: (at: Date, id: number, reason: string, failure: FailureInfo) =>
    event(HistoryEventType.TaskFailed, at, { TaskScheduledId: id, Reason: reason, Details: failure.stackTrace ?? '', FailureDetails: toFailureDetails(failure) }),
  subOrchestrationCreated: (at: Date, id: number, name: string, instanceId: string, input: string | undefined, version?: string) =>
    event(HistoryEventType.SubOrchestrationInstanceCreated, at, { Name: name, InstanceId: instanceId, Input: input, Version: version }, id),
  subOrchestrationCompleted: (at: Date, id: number, result: string) =>
    event(HistoryEventType.SubOrchestrationInstanceCompleted, at, { TaskScheduledId: id, Result: result }),
  subOrchestrationFailed: (at: Date, id: number, reason: string, failure: FailureInfo) =>
    event(HistoryEventType.SubOrchestrationInstanceFailed, at, {
      TaskScheduledId: id,
      Reason: reason,
      Details: failure.stackTrace ?? '',
      FailureDetails: toFailureDetails(failure),
    }),
  timerCreated: (at: Date, id: number, fireAt: Date) => event(HistoryEventType.TimerCreated, at, { FireAt: fireAt.toISOString() }, id),
  timerFired: (at: Date, id: number, fireAt: string) => event(HistoryEventType.TimerFired, at, { TimerId: id, FireAt: fireAt }),
  eventRaised: (at: Date, name: string, input: string | undefined) => event(HistoryEventType.EventRaised, at, { Name: name, Input: input }),
  executionCompleted: (at: Date, status: 'Completed' | 'Failed', result: string | undefined, failure?: FailureInfo) =>
    event(HistoryEventType.ExecutionCompleted, at, {
      OrchestrationStatus: status,
      Result: result,
      FailureDetails: failure ? toFailureDetails(failure) : undefined,
    }),
  eventSent: (at: Date, id: number, targetInstanceId: string, name: string, input: string) =>
    event(HistoryEventType.EventSent, at, { InstanceId: targetInstanceId, Name: name, Input: input }, id),
  executionTerminated: (at: Date, reason: string | undefined) => event(HistoryEventType.ExecutionTerminated, at, { Input: reason }),
  continueAsNew: (at: Date, input: string | undefined) => event(HistoryEventType.ContinueAsNew, at, { Result: input }),
  executionSuspended: (at: Date, reason: string | undefined) => event(HistoryEventType.ExecutionSuspended, at, { Reason: reason }),
  executionResumed: (at: Date, reason: string | undefined) => event(HistoryEventType.ExecutionResumed, at, { Reason: reason }),
};

/** The sequence number a completion event refers to, if it is one. */
export function completedTaskId(event: HistoryEvent): number | undefined {
  switch (event.EventType) {
    case HistoryEventType.TaskCompleted:
    case HistoryEventType.TaskFailed:
    case HistoryEventType.SubOrchestrationInstanceCompleted:
    case HistoryEventType.SubOrchestrationInstanceFailed:
      return typeof event.TaskScheduledId === 'number' ? event.TaskScheduledId : undefined;
    case HistoryEventType.TimerFired:
      return typeof event.TimerId === 'number' ? event.TimerId : undefined;
    default:
      return undefined;
  }
}

export function isFailureEvent(event: HistoryEvent): boolean {
  return event.EventType === HistoryEventType.TaskFailed || event.EventType === HistoryEventType.SubOrchestrationInstanceFailed;
}
