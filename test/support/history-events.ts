/** Small factories of Durable history events, shaped as the Functions host sends them to the worker. */

export const EventType = {
  ExecutionStarted: 0,
  TaskScheduled: 4,
  TaskCompleted: 5,
  TaskFailed: 6,
  TimerCreated: 10,
  TimerFired: 11,
  OrchestratorStarted: 12,
  OrchestratorCompleted: 13,
  EventRaised: 15,
} as const;

export interface HistoryEvent {
  EventType: number;
  EventId: number;
  IsPlayed: boolean;
  Timestamp: string;
  [field: string]: unknown;
}

const base = (type: number, at: Date, eventId = -1): HistoryEvent => ({
  EventType: type,
  EventId: eventId,
  IsPlayed: false,
  Timestamp: at.toISOString(),
});

export const orchestratorStarted = (at: Date): HistoryEvent => base(EventType.OrchestratorStarted, at);
export const orchestratorCompleted = (at: Date): HistoryEvent => base(EventType.OrchestratorCompleted, at);
export const executionStarted = (at: Date, name: string, input: unknown): HistoryEvent => ({
  ...base(EventType.ExecutionStarted, at),
  Name: name,
  Input: JSON.stringify(input),
});
export const taskScheduled = (at: Date, id: number, name: string): HistoryEvent => ({ ...base(EventType.TaskScheduled, at, id), Name: name });
export const taskCompleted = (at: Date, id: number, result: unknown): HistoryEvent => ({
  ...base(EventType.TaskCompleted, at),
  TaskScheduledId: id,
  Result: JSON.stringify(result ?? null),
});
export const taskFailed = (at: Date, id: number, reason: string): HistoryEvent => ({
  ...base(EventType.TaskFailed, at),
  TaskScheduledId: id,
  Reason: reason,
  Details: reason,
});
export const timerCreated = (at: Date, id: number, fireAt: Date): HistoryEvent => ({
  ...base(EventType.TimerCreated, at, id),
  FireAt: fireAt.toISOString(),
});
export const timerFired = (at: Date, id: number, fireAt: Date): HistoryEvent => ({
  ...base(EventType.TimerFired, at),
  TimerId: id,
  FireAt: fireAt.toISOString(),
});
export const eventRaised = (at: Date, name: string, input: unknown): HistoryEvent => ({
  ...base(EventType.EventRaised, at),
  Name: name,
  Input: JSON.stringify(input ?? null),
});
