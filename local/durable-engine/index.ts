/**
 * A persistent local Durable Functions engine: runs durable-functions orchestrators by their
 * out-of-process protocol (history in, actions out) with state in Table Storage (Azurite), and
 * serves the management HTTP API the durable client calls. Knows nothing of any particular app.
 */
export { DurableEngine } from './durable-engine';
export type { DurableEngineOptions } from './durable-engine';
export type { VersioningOptions, VersionMatchStrategy, VersionFailureStrategy } from './episode/version-match';
export { OrchestrationClient } from './orchestration-client';
export type { ChangeResult, StartNewResult, StatusRequest } from './orchestration-client';
export type { EntityTriggerInput, EntityBatchResult, EntityRequest } from './protocol/entity-messages';
export type {
  ActivityCall,
  DurableFunctionsPort,
  EngineLogger,
  FunctionRunResult,
  OrchestrationTriggerInput,
} from './durable-functions-port';
export { createManagementApi, isValidInstanceId } from './api/management-api';
export type { ManagementApiOptions, ManagementRequest, ManagementResponse } from './api/management-api';
export { durableClientBindingData, managementPayload, INSTANCE_ID_PLACEHOLDER } from './api/management-payload';
export type { DurableClientBindingData, HttpManagementPayload, ManagementLinks } from './api/management-payload';
export type { InstanceStatus } from './api/instance-status';
export { RUNTIME_STATUSES } from './store/instance-record';
export type { RuntimeStatus } from './store/instance-record';
export { HistoryEventType, historyEvents } from './protocol/history-events';
export type { HistoryEvent } from './protocol/history-events';
export { ActionType, flattenActions } from './protocol/actions';
export type { LeafAction, RetryOptionsDto } from './protocol/actions';
export { nextRetryDelayMs } from './scheduler/retry-delay';
