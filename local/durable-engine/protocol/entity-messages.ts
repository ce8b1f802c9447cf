/**
 * Durable entities as the Durable Functions extension addresses them: an entity is an instance
 * whose id is `@{name, lower case}@{key}`; each operation is a request message (a call waits for
 * a response, a signal does not); a call's response reaches the orchestration as an EventRaised
 * named after the request id, carrying `{result, exceptionType?}`.
 */
export interface EntityRequest {
  /** Unique per request; the orchestration's EventSent carries it and its response is named after it. */
  id: string;
  op: string;
  signal: boolean;
  /** The operation input as JSON text. */
  input?: string;
  /** The calling orchestration, for a call. */
  /** An empty execution id means whichever execution is current. */
  parent?: { instanceId: string; executionId: string };
}

/** What an entity row keeps: whether the entity exists and its state as JSON text. */
export interface EntityStateRecord {
  exists: boolean;
  state?: string;
}

export function entitySchedulerId(name: string, key: string): string {
  return `@${name.toLowerCase()}@${key}`;
}

export function isEntityId(instanceId: string): boolean {
  return instanceId.startsWith('@') && instanceId.indexOf('@', 1) > 1;
}

export function parseEntityId(schedulerId: string): { name: string; key: string } {
  const at = schedulerId.indexOf('@', 1);
  return { name: schedulerId.slice(1, at), key: schedulerId.slice(at + 1) };
}

/** The entity trigger's value (durable-functions' DurableEntityBindingInfo). */
export interface EntityTriggerInput {
  self: { name: string; key: string };
  exists: boolean;
  state: string | undefined;
  batch: { id: string; name: string; signal: boolean; input: string | undefined }[];
}

/** What durable-functions' entity function returns (its EntityState). */
export interface EntityBatchResult {
  entityExists: boolean;
  entityState?: string;
  results: { isError: boolean; duration: number; startTime: number; result?: string }[];
  signals: { target: { name: string; key: string }; name: string; input?: string; requestId?: string }[];
}
