/**
 * What the engine needs from a Functions host: which orchestrators and activities exist, and a way
 * to run one. The engine speaks the durable-functions out-of-process protocol through this port and
 * knows nothing of HTTP, the worker or the programming model.
 */
import type { EntityTriggerInput } from './protocol/entity-messages';
import type { HistoryEvent } from './protocol/history-events';
import type { LocalLogEvent } from '../log-events';

/** The orchestration trigger's value, as the Durable Functions extension sends it. */
export interface OrchestrationTriggerInput {
  history: HistoryEvent[];
  input: unknown;
  instanceId: string;
  isReplaying: boolean;
  parentInstanceId: string | null;
  upperSchemaVersion: number;
  upperSchemaVersionNew: number;
  maximumShortTimerDuration: string;
  longRunningTimerIntervalDuration: string;
  defaultHttpAsyncRequestSleepTimeMillseconds: number;
}

/** What the function returned (already decoded from the invocation response) or threw. */
export type FunctionRunResult = { returned: unknown } | { thrown: unknown };

export interface ActivityCall {
  name: string;
  /** The input as JSON text (durable-functions pre-encodes string inputs), or undefined. */
  inputJson: string | undefined;
  instanceId: string;
  taskId: number;
}

export interface DurableFunctionsPort {
  hasOrchestrator(name: string): boolean;
  hasActivity(name: string): boolean;
  hasEntity(name: string): boolean;
  runEntity(name: string, input: EntityTriggerInput): Promise<FunctionRunResult>;
  runOrchestrator(name: string, input: OrchestrationTriggerInput): Promise<FunctionRunResult>;
  runActivity(call: ActivityCall): Promise<FunctionRunResult>;
}

/** Structured log sink, only catalogued events; the host's logger fits. */
export interface EngineLogger {
  debug(event: LocalLogEvent, message: string, fields?: Record<string, string | number | boolean | undefined>): void;
  info(event: LocalLogEvent, message: string, fields?: Record<string, string | number | boolean | undefined>): void;
  warn(event: LocalLogEvent, message: string, fields?: Record<string, string | number | boolean | undefined>): void;
  error(event: LocalLogEvent, message: string, fields?: Record<string, string | number | boolean | undefined>): void;
}
