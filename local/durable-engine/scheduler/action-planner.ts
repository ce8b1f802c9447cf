/**
 * Turns the new leaf actions of an episode (those past `ledger.actionCount`) into history events
 * and work, allocating sequence numbers in the order durable-functions did.
 */
import { randomUUID } from 'node:crypto';
import type { EntityRequest } from '../protocol/entity-messages';
import { ACTION_NAMES, ActionType, consumesSequenceNumber, type LeafAction, type RetryOptionsDto } from '../protocol/actions';
import { historyEvents, type HistoryEvent } from '../protocol/history-events';
import type { PlannedWork } from './planned-work';
import { allocate, type RetryGroup, type TaskLedger } from './task-ledger';

export interface ActionPlanContext {
  instanceId: string;
  /** The execution a call's response goes back to (undefined: whichever is current). */
  executionId?: string;
  now: Date;
}

export interface ActionPlan {
  events: HistoryEvent[];
  /** Set when the orchestrator called continueAsNew: the next execution's input as JSON. */
  continueAsNew?: { inputJson: string | undefined };
  /** Set when an action this engine cannot run was requested (entities, durable HTTP). */
  unsupported?: string;
}

/** Mutates `ledger` and `work`. */
export function planNewActions(ledger: TaskLedger, actions: LeafAction[], work: PlannedWork, context: ActionPlanContext): ActionPlan {
  const plan: ActionPlan = { events: [] };
  const { now } = context;
  for (const action of actions.slice(ledger.actionCount)) {
    switch (action.actionType) {
      case ActionType.CallActivity:
      case ActionType.CallActivityWithRetry: {
        const inputJson = encodedInputJson(action.input);
        const taskId = allocate(ledger, { kind: 'activity', name: action.functionName });
        if (action.actionType === ActionType.CallActivityWithRetry) {
          ledger.open[taskId]!.group = taskId;
          ledger.retries[taskId] = retryGroup('activity', action.functionName, inputJson, undefined, action.retryOptions, now);
        }
        plan.events.push(historyEvents.taskScheduled(now, taskId, action.functionName, inputJson));
        work.activities.push({ taskId, name: action.functionName, inputJson });
        break;
      }
      case ActionType.CallSubOrchestrator:
      case ActionType.CallSubOrchestratorWithRetry: {
        const inputJson = action.input === undefined ? undefined : JSON.stringify(action.input);
        const taskId = allocate(ledger, { kind: 'subOrchestration', name: action.functionName });
        const instanceId = action.instanceId || subOrchestrationInstanceId(context.instanceId, taskId);
        const version = action.version || undefined;
        if (action.actionType === ActionType.CallSubOrchestratorWithRetry) {
          ledger.open[taskId]!.group = taskId;
          ledger.retries[taskId] = { ...retryGroup('subOrchestration', action.functionName, inputJson, action.instanceId || undefined, action.retryOptions, now), version };
        }
        plan.events.push(historyEvents.subOrchestrationCreated(now, taskId, action.functionName, instanceId, inputJson, version));
        work.subOrchestrations.push({ taskId, name: action.functionName, instanceId, inputJson, version });
        break;
      }
      case ActionType.CreateTimer: {
        const fireAt = new Date(action.fireAt);
        const timerId = allocate(ledger, { kind: 'timer' });
        plan.events.push(historyEvents.timerCreated(now, timerId, fireAt));
        work.timers.push({ timerId, fireAt });
        break;
      }
      case ActionType.WaitForExternalEvent:
        // Matched by name when the event arrives; nothing to schedule.
        break;
      case ActionType.CallEntity:
      case ActionType.SignalEntity: {
        // Numbered like other tasks; the EventSent carries the request id the response will be named after.
        const taskId = ledger.nextId++;
        const target = String(action.instanceId ?? '');
        const operation = String(action.operation ?? '');
        const request: EntityRequest = {
          id: randomUUID(),
          op: operation,
          signal: action.actionType === ActionType.SignalEntity,
          input: action.input === undefined || action.input === null ? undefined : JSON.stringify(action.input),
          parent: action.actionType === ActionType.CallEntity ? { instanceId: context.instanceId, executionId: context.executionId ?? '' } : undefined,
        };
        plan.events.push(historyEvents.eventSent(now, taskId, target, operation, JSON.stringify(request)));
        work.entityOperations.push({ targetInstanceId: target, request });
        break;
      }
      case ActionType.ContinueAsNew:
        plan.continueAsNew = { inputJson: encodedInputJson(action.input) };
        break;
      default:
        if (consumesSequenceNumber(action)) ledger.nextId++;
        plan.unsupported ??= `The local durable engine does not support ${ACTION_NAMES[action.actionType]} ` +
          '(entity locks, critical sections and durable HTTP are not implemented; callEntity and signalEntity are).';
    }
  }
  ledger.actionCount = Math.max(ledger.actionCount, actions.length);
  return plan;
}

/** durable-functions JSON-encodes string inputs of activities and continueAsNew; other values travel raw. */
export function encodedInputJson(input: unknown): string | undefined {
  if (input === undefined) return undefined;
  return typeof input === 'string' ? input : JSON.stringify(input);
}

/** Deterministic, readable child ids when the orchestrator gives none. */
export function subOrchestrationInstanceId(parentInstanceId: string, taskId: number): string {
  return `${parentInstanceId}:${taskId}`;
}

function retryGroup(
  kind: RetryGroup['kind'],
  name: string,
  inputJson: string | undefined,
  instanceId: string | undefined,
  options: RetryOptionsDto,
  now: Date,
): RetryGroup {
  return { kind, name, inputJson, instanceId, options, failures: 0, firstAttemptAtMs: now.getTime(), givenUp: false };
}
