/**
 * The actions an orchestrator episode returns. The list is cumulative (every action since the
 * start of the execution), nested by schema version (arrays of arrays, WhenAll/WhenAny compound
 * actions); `flattenActions` gives the leaf actions in the order durable-functions assigned their
 * sequence numbers.
 */
export const ActionType = {
  CallActivity: 0,
  CallActivityWithRetry: 1,
  CallSubOrchestrator: 2,
  CallSubOrchestratorWithRetry: 3,
  ContinueAsNew: 4,
  CreateTimer: 5,
  WaitForExternalEvent: 6,
  CallEntity: 7,
  CallHttp: 8,
  SignalEntity: 9,
  WhenAny: 11,
  WhenAll: 12,
  LockEntities: 13,
  ReleaseEntities: 14,
} as const;

export const ACTION_NAMES: Record<number, string> = Object.fromEntries(Object.entries(ActionType).map(([name, value]) => [value, name]));

/** Retry options as durable-functions serialises its RetryOptions class. */
export interface RetryOptionsDto {
  firstRetryIntervalInMilliseconds: number;
  maxNumberOfAttempts: number;
  backoffCoefficient?: number;
  maxRetryIntervalInMilliseconds?: number;
  retryTimeoutInMilliseconds?: number;
}

export type LeafAction =
  | { actionType: 0; functionName: string; input?: unknown }
  | { actionType: 1; functionName: string; retryOptions: RetryOptionsDto; input?: unknown }
  | { actionType: 2; functionName: string; instanceId?: string; input?: unknown; version?: string }
  | { actionType: 3; functionName: string; retryOptions: RetryOptionsDto; instanceId?: string; input?: unknown; version?: string }
  | { actionType: 4; input?: unknown }
  | { actionType: 5; fireAt: string; isCanceled?: boolean }
  | { actionType: 6; externalEventName: string }
  | { actionType: 7 | 8 | 9 | 13 | 14; [field: string]: unknown };

export class ActionFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ActionFormatError';
  }
}

export function flattenActions(actions: unknown): LeafAction[] {
  const leaves: LeafAction[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    if (typeof node !== 'object' || node === null) throw new ActionFormatError(`Unexpected action ${JSON.stringify(node)}`);
    const action = node as { actionType?: unknown; compoundActions?: unknown };
    if (action.actionType === ActionType.WhenAll || action.actionType === ActionType.WhenAny) {
      visit(action.compoundActions ?? []);
      return;
    }
    if (typeof action.actionType !== 'number' || !(action.actionType in ACTION_NAMES)) {
      throw new ActionFormatError(`Unknown action type in ${JSON.stringify(node)}`);
    }
    leaves.push(node as LeafAction);
  };
  visit(actions ?? []);
  return leaves;
}

/** Whether durable-functions gave this action a sequence number (waits and continue-as-new have none). */
export function consumesSequenceNumber(action: LeafAction): boolean {
  return action.actionType !== ActionType.WaitForExternalEvent && action.actionType !== ActionType.ContinueAsNew
    && action.actionType !== ActionType.LockEntities && action.actionType !== ActionType.ReleaseEntities;
}
