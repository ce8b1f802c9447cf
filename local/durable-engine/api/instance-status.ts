/**
 * Instance status as the Durable Functions HTTP API returns it (and durable-functions'
 * DurableOrchestrationStatus reads it): name, instanceId, runtimeStatus, input, customStatus,
 * output, createdTime, lastUpdatedTime, and with showHistory the summarised `historyEvents`.
 */
import { HISTORY_EVENT_NAMES, HistoryEventType, type HistoryEvent } from '../protocol/history-events';
import type { InstanceRecord, RuntimeStatus } from '../store/instance-record';

export interface InstanceStatus {
  name: string;
  instanceId: string;
  runtimeStatus: RuntimeStatus;
  input: unknown;
  customStatus: unknown;
  output: unknown;
  createdTime: string;
  lastUpdatedTime: string;
  historyEvents?: Record<string, unknown>[];
}

export interface StatusOptions {
  showInput: boolean;
  showHistoryOutput: boolean;
}

export function toInstanceStatus(record: InstanceRecord, options: StatusOptions, history?: HistoryEvent[]): InstanceStatus {
  const status: InstanceStatus = {
    name: record.name,
    instanceId: record.instanceId,
    runtimeStatus: record.runtimeStatus,
    input: options.showInput ? parseJson(record.inputJson) : null,
    customStatus: parseJson(record.customStatusJson),
    output: parseJson(record.outputJson),
    createdTime: toAzureTime(record.createdTime),
    lastUpdatedTime: toAzureTime(record.lastUpdatedTime),
  };
  if (history) {
    const summary = summariseHistory(history, options);
    // Azure's payload names it historyEvents only (durable-functions' client, which reads
    // `history`, therefore shows no history on Azure either).
    status.historyEvents = summary;
  }
  return status;
}

/** Azure's timestamps have whole seconds: 2018-02-28T05:18:49Z. */
function toAzureTime(iso: string): string {
  return iso.replace(/\.\d+Z$/, 'Z');
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined) return null;
  try {
    return JSON.parse(text) ?? null;
  } catch {
    return text;
  }
}

const SHOWN = new Set<number>([
  HistoryEventType.ExecutionStarted,
  HistoryEventType.ExecutionCompleted,
  HistoryEventType.ExecutionTerminated,
  HistoryEventType.TaskCompleted,
  HistoryEventType.TaskFailed,
  HistoryEventType.SubOrchestrationInstanceCompleted,
  HistoryEventType.SubOrchestrationInstanceFailed,
  HistoryEventType.TimerFired,
  HistoryEventType.EventRaised,
  HistoryEventType.ContinueAsNew,
  HistoryEventType.ExecutionSuspended,
  HistoryEventType.ExecutionResumed,
]);

/** The history as the status API shows it: completions joined with what they completed. */
function summariseHistory(history: HistoryEvent[], options: StatusOptions): Record<string, unknown>[] {
  const scheduled = new Map<number, HistoryEvent>();
  for (const event of history) {
    if (event.EventType === HistoryEventType.TaskScheduled || event.EventType === HistoryEventType.SubOrchestrationInstanceCreated) {
      scheduled.set(event.EventId, event);
    }
  }
  return history
    .filter((event) => SHOWN.has(event.EventType))
    .map((event) => {
      const entry: Record<string, unknown> = { EventType: HISTORY_EVENT_NAMES[event.EventType], Timestamp: event.Timestamp };
      const origin = typeof event.TaskScheduledId === 'number' ? scheduled.get(event.TaskScheduledId) : undefined;
      switch (event.EventType) {
        case HistoryEventType.ExecutionStarted:
          entry.FunctionName = event.Name;
          if (options.showInput) entry.Input = parseJson(event.Input as string | undefined);
          break;
        case HistoryEventType.TaskCompleted:
        case HistoryEventType.SubOrchestrationInstanceCompleted:
          entry.FunctionName = origin?.Name;
          if (origin?.InstanceId) entry.InstanceId = origin.InstanceId;
          if (options.showHistoryOutput) entry.Result = parseJson(event.Result as string | undefined);
          entry.ScheduledTime = origin?.Timestamp;
          break;
        case HistoryEventType.TaskFailed:
        case HistoryEventType.SubOrchestrationInstanceFailed:
          entry.FunctionName = origin?.Name;
          if (origin?.InstanceId) entry.InstanceId = origin.InstanceId;
          entry.Reason = event.Reason;
          entry.Details = event.Details;
          entry.ScheduledTime = origin?.Timestamp;
          break;
        case HistoryEventType.TimerFired:
          entry.FireAt = event.FireAt;
          break;
        case HistoryEventType.EventRaised:
          entry.Name = event.Name;
          if (options.showHistoryOutput) entry.Input = parseJson(event.Input as string | undefined);
          break;
        case HistoryEventType.ExecutionCompleted:
          entry.OrchestrationStatus = event.OrchestrationStatus;
          if (options.showHistoryOutput) entry.Result = parseJson(event.Result as string | undefined);
          break;
        case HistoryEventType.ExecutionTerminated:
          entry.Input = event.Input;
          break;
        default:
          break;
      }
      return entry;
    });
}
