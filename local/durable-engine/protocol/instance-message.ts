/**
 * Messages queued for an orchestration instance. A message carrying a history event is delivered
 * into the instance's history in the next episode; control messages change its state.
 */
import type { EntityRequest } from './entity-messages';
import type { HistoryEvent } from './history-events';

export type InstanceMessage =
  /** Begin the execution `executionId` (written by start, continue-as-new and sub-orchestration). */
  | { kind: 'start'; executionId: string }
  /**
   * A completion (task, timer, sub-orchestration) for `executionId`, or an external event, which
   * has no execution id because it goes to whatever execution is current.
   */
  | { kind: 'event'; executionId?: string; event: HistoryEvent }
  /** An operation for a durable entity (the instance is the entity). */
  | { kind: 'entityOperation'; request: EntityRequest }
  | { kind: 'terminate'; reason?: string }
  | { kind: 'suspend'; reason?: string }
  | { kind: 'resume'; reason?: string };

export interface QueuedMessage {
  /** Unique and ordered by due time (the table RowKey). */
  id: string;
  instanceId: string;
  message: InstanceMessage;
}

export function isControl(message: InstanceMessage): boolean {
  return message.kind === 'terminate' || message.kind === 'suspend' || message.kind === 'resume';
}
