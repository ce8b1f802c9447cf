/**
 * The engine's mirror of durable-functions' sequence numbering, retry policy and message
 * batching, fed with small action lists and events (no storage, no functions).
 */
import { ActionType, flattenActions, HistoryEventType, historyEvents, nextRetryDelayMs, type LeafAction } from '../../../local/durable-engine';
import { selectBatch } from '../../../local/durable-engine/episode/message-batch';
import { planNewActions } from '../../../local/durable-engine/scheduler/action-planner';
import { noWork } from '../../../local/durable-engine/scheduler/planned-work';
import { planRetry } from '../../../local/durable-engine/scheduler/retry-planner';
import { closeTask, emptyLedger } from '../../../local/durable-engine/scheduler/task-ledger';
import { newInstanceRecord } from '../../../local/durable-engine/episode/instance-starter';
import type { QueuedMessage } from '../../../local/durable-engine/protocol/instance-message';

const now = new Date('2025-01-01T00:00:00Z');
const activity = (name: string, input?: unknown): LeafAction => ({ actionType: ActionType.CallActivity, functionName: name, input });
const retrying = (name: string, maxNumberOfAttempts: number): LeafAction => ({
  actionType: ActionType.CallActivityWithRetry,
  functionName: name,
  retryOptions: { firstRetryIntervalInMilliseconds: 1000, maxNumberOfAttempts },
});
const timer = (fireAt: string): LeafAction => ({ actionType: ActionType.CreateTimer, fireAt, isCanceled: false });
const waitFor = (name: string): LeafAction => ({ actionType: ActionType.WaitForExternalEvent, externalEventName: name });

describe('flattenActions', () => {
  it('flattens per-yield arrays and WhenAll/WhenAny compound actions in order', () => {
    const actions = [[activity('a'), { actionType: ActionType.WhenAll, compoundActions: [activity('b'), { actionType: ActionType.WhenAny, compoundActions: [activity('c'), timer('2025-01-01T00:01:00Z')] }] }]];
    expect(flattenActions(actions).map((action) => ('functionName' in action ? action.functionName : action.actionType))).toEqual(['a', 'b', 'c', ActionType.CreateTimer]);
  });

  it('rejects what is not an action', () => {
    expect(() => flattenActions([[{ actionType: 99 }]])).toThrow(/Unknown action type/);
  });
});

describe('planNewActions', () => {
  it('numbers tasks like durable-functions: waits and continue-as-new take no number', () => {
    const ledger = emptyLedger();
    const work = noWork();
    const plan = planNewActions(ledger, [activity('a', '"x"'), waitFor('go'), timer('2025-01-01T00:05:00Z'), activity('b', { n: 1 })], work, { instanceId: 'i', now });
    expect(plan.events.map((event) => [event.EventType, event.EventId])).toEqual([[4, 0], [10, 1], [4, 2]]);
    expect(work.activities).toEqual([
      { taskId: 0, name: 'a', inputJson: '"x"' },
      { taskId: 2, name: 'b', inputJson: '{"n":1}' },
    ]);
    expect(work.timers).toEqual([{ timerId: 1, fireAt: new Date('2025-01-01T00:05:00Z') }]);
    expect(ledger).toMatchObject({ actionCount: 4, nextId: 3 });
  });

  it('only plans actions past those already planned (the list is cumulative)', () => {
    const ledger = emptyLedger();
    planNewActions(ledger, [activity('a')], noWork(), { instanceId: 'i', now });
    const work = noWork();
    planNewActions(ledger, [activity('a'), activity('b')], work, { instanceId: 'i', now });
    expect(work.activities.map((item) => [item.name, item.taskId])).toEqual([['b', 1]]);
  });

  it('gives sub-orchestrations deterministic child ids unless one is given', () => {
    const work = noWork();
    planNewActions(emptyLedger(), [
      { actionType: ActionType.CallSubOrchestrator, functionName: 'child', input: 'raw' },
      { actionType: ActionType.CallSubOrchestrator, functionName: 'child', instanceId: 'mine' },
    ], work, { instanceId: 'parent', now });
    expect(work.subOrchestrations).toEqual([
      { taskId: 0, name: 'child', instanceId: 'parent:0', inputJson: '"raw"' },
      { taskId: 1, name: 'child', instanceId: 'mine', inputJson: undefined },
    ]);
  });

  it('reports entity locks and durable HTTP actions as unsupported', () => {
    const locks = planNewActions(emptyLedger(), [{ actionType: ActionType.LockEntities, entities: [] }], noWork(), { instanceId: 'i', now });
    expect(locks.unsupported).toMatch(/LockEntities/);
    const http = planNewActions(emptyLedger(), [{ actionType: ActionType.CallHttp, httpRequest: {} }], noWork(), { instanceId: 'i', now });
    expect(http.unsupported).toMatch(/CallHttp/);
  });

  it('numbers entity calls and signals, records EventSent with the request id, and queues the operations', () => {
    const ledger = emptyLedger();
    const work = noWork();
    const plan = planNewActions(
      ledger,
      [
        { actionType: ActionType.SignalEntity, instanceId: '@counter@k', operation: 'add', input: 5 },
        { actionType: ActionType.CallEntity, instanceId: '@counter@k', operation: 'get' },
      ],
      work,
      { instanceId: 'i', executionId: 'e1', now },
    );
    expect(plan.unsupported).toBeUndefined();
    expect(plan.events.map((event) => [event.EventType, event.EventId, event.InstanceId, event.Name])).toEqual([
      [HistoryEventType.EventSent, 0, '@counter@k', 'add'],
      [HistoryEventType.EventSent, 1, '@counter@k', 'get'],
    ]);
    expect(work.entityOperations.map((operation) => operation.request)).toEqual([
      { id: expect.any(String), op: 'add', signal: true, input: '5', parent: undefined },
      { id: expect.any(String), op: 'get', signal: false, input: undefined, parent: { instanceId: 'i', executionId: 'e1' } },
    ]);
    expect(JSON.parse(String(plan.events[1]!.Input)).id).toBe(work.entityOperations[1]!.request.id);
    expect(ledger.nextId).toBe(2);
  });

  it('takes continue-as-new input, JSON-encoded strings as they come', () => {
    expect(planNewActions(emptyLedger(), [{ actionType: ActionType.ContinueAsNew, input: { n: 2 } }], noWork(), { instanceId: 'i', now }).continueAsNew).toEqual({ inputJson: '{"n":2}' });
  });
});

describe('retries', () => {
  it('follows a failed attempt with a retry timer, then a new attempt with the next number, after new actions', () => {
    const ledger = emptyLedger();
    planNewActions(ledger, [retrying('flaky', 3), activity('other')], noWork(), { instanceId: 'i', now });
    // Attempt 0 fails: the retry timer gets the next number (2).
    const failure = { errorType: 'Error', errorMessage: 'boom' };
    const closed = closeTask(ledger, 0, failure);
    expect(closed?.retry).toEqual({ kind: 'attemptFailed', group: 0, failure });
    const work = noWork();
    const events = planRetry(ledger, closed!.retry!, work, 'i', now);
    expect(events.map((event) => [event.EventType, event.EventId])).toEqual([[10, 2]]);
    expect(work.timers).toEqual([{ timerId: 2, fireAt: new Date(now.getTime() + 1000) }]);
    // The timer fires: the second attempt is task 3.
    const fired = closeTask(ledger, 2, undefined);
    const next = noWork();
    planRetry(ledger, fired!.retry!, next, 'i', now);
    expect(next.activities).toEqual([{ taskId: 3, name: 'flaky', inputJson: undefined }]);
  });

  it('waits for a last timer after the final attempt and then schedules nothing more', () => {
    const ledger = emptyLedger();
    planNewActions(ledger, [retrying('flaky', 1)], noWork(), { instanceId: 'i', now });
    const failed = closeTask(ledger, 0, { errorType: 'Error', errorMessage: 'x' });
    const work = noWork();
    planRetry(ledger, failed!.retry!, work, 'i', now);
    expect(work.timers).toHaveLength(1);
    const fired = closeTask(ledger, 1, undefined);
    const after = noWork();
    expect(planRetry(ledger, fired!.retry!, after, 'i', now)).toEqual([]);
    expect(after).toEqual(noWork());
    expect(ledger.retries).toEqual({});
  });

  it('fails remaining attempts at once when the retry timeout has passed', () => {
    const ledger = emptyLedger();
    planNewActions(ledger, [{ ...(retrying('flaky', 5) as object), retryOptions: { firstRetryIntervalInMilliseconds: 1000, maxNumberOfAttempts: 5, retryTimeoutInMilliseconds: 500 } } as LeafAction], noWork(), { instanceId: 'i', now });
    const later = new Date(now.getTime() + 1000);
    const failure = { errorType: 'Error', errorMessage: 'slow' };
    const work = noWork();
    planRetry(ledger, closeTask(ledger, 0, failure)!.retry!, work, 'i', later);
    expect(work.timers[0]!.fireAt).toEqual(later);
    const next = noWork();
    planRetry(ledger, closeTask(ledger, 1, undefined)!.retry!, next, 'i', later);
    expect(next.activities).toEqual([]);
    expect(next.immediateFailures).toEqual([{ taskId: 2, kind: 'activity', name: 'flaky', failure }]);
  });

  it.each([
    [{ firstRetryIntervalInMilliseconds: 1000, maxNumberOfAttempts: 5 }, [1000, 1000, 1000]],
    [{ firstRetryIntervalInMilliseconds: 1000, maxNumberOfAttempts: 5, backoffCoefficient: 2 }, [1000, 2000, 4000]],
    [{ firstRetryIntervalInMilliseconds: 1000, maxNumberOfAttempts: 5, backoffCoefficient: 3, maxRetryIntervalInMilliseconds: 5000 }, [1000, 3000, 5000]],
  ])('computes delays like the Durable Task Framework for %j', (options, expected) => {
    expect([1, 2, 3].map((failures) => nextRetryDelayMs(options, failures, 0, 0))).toEqual(expected);
  });

  it('gives up (zero delay) once the retry timeout has passed since the first attempt', () => {
    const options = { firstRetryIntervalInMilliseconds: 1000, maxNumberOfAttempts: 5, retryTimeoutInMilliseconds: 3000 };
    expect(nextRetryDelayMs(options, 1, 0, 2999)).toBe(1000);
    expect(nextRetryDelayMs(options, 1, 0, 3000)).toBe(0);
  });
});

describe('selectBatch', () => {
  const record = () => ({ ...newInstanceRecord({ instanceId: 'i', name: 'o', inputJson: undefined }, now), runtimeStatus: 'Running' as const, historyCount: 3 });
  const message = (id: string, body: QueuedMessage['message']): QueuedMessage => ({ id, instanceId: 'i', message: body });
  const completed = (id: number) => ({ kind: 'event' as const, executionId: undefined, event: historyEvents.taskCompleted(now, id, '1') });

  it('delivers open completions and external events, and drops duplicates and stale executions', () => {
    const instance = record();
    planNewActions(instance.ledger, [activity('a'), activity('b')], noWork(), { instanceId: 'i', now });
    const batch = selectBatch(instance, [], [
      message('m1', { ...completed(0), executionId: instance.executionId }),
      message('m2', { ...completed(0), executionId: instance.executionId }), // the activity ran twice
      message('m3', { ...completed(1), executionId: 'an-old-execution' }),
      message('m4', { kind: 'event', event: historyEvents.eventRaised(now, 'go', '"yes"') }),
    ]);
    expect(batch.events.map((event) => event.MessageId)).toEqual(['m1', 'm4']);
    expect(batch.consumed).toEqual(['m1', 'm2', 'm3', 'm4']);
  });

  it('ends the batch after an event of a retry group', () => {
    const instance = record();
    planNewActions(instance.ledger, [retrying('flaky', 3), activity('b')], noWork(), { instanceId: 'i', now });
    const failedAttempt = { kind: 'event' as const, event: historyEvents.taskFailed(now, 0, 'r', { errorType: 'Error', errorMessage: 'x' }) };
    const batch = selectBatch(instance, [], [message('m1', failedAttempt), message('m2', completed(1))]);
    expect(batch.events.map((event) => event.MessageId)).toEqual(['m1']);
    expect(batch.retryTrigger).toMatchObject({ kind: 'attemptFailed', group: 0 });
    expect(batch.hasMore).toBe(true);
  });

  it('handles a control message on its own and holds events while suspended', () => {
    const instance = { ...record(), runtimeStatus: 'Suspended' as const };
    const batch = selectBatch(instance, [], [message('m1', { kind: 'event', event: historyEvents.eventRaised(now, 'go', undefined) }), message('m2', { kind: 'resume' })]);
    expect(batch.control).toEqual({ kind: 'resume' });
    expect(batch.events).toEqual([]);
    expect(batch.consumed).toEqual(['m2']);
  });

  it('takes a terminate ahead of the events queued before it', () => {
    const instance = record();
    planNewActions(instance.ledger, [activity('a')], noWork(), { instanceId: 'i', now });
    const batch = selectBatch(instance, [], [
      message('m1', { ...completed(0), executionId: instance.executionId }),
      message('m2', { kind: 'event', event: historyEvents.eventRaised(now, 'go', undefined) }),
      message('m3', { kind: 'terminate', reason: 'stop' }),
    ]);
    expect(batch.control).toEqual({ kind: 'terminate', reason: 'stop' });
    expect(batch.events).toEqual([]);
    expect(batch.consumed).toEqual(['m3']);
    expect(batch.hasMore).toBe(true);
  });

  it('ignores a message already in the history (redelivered after a crash)', () => {
    const instance = record();
    const delivered = { ...historyEvents.eventRaised(now, 'go', undefined), MessageId: 'm1' };
    const batch = selectBatch(instance, [delivered], [message('m1', { kind: 'event', event: historyEvents.eventRaised(now, 'go', undefined) })]);
    expect(batch.events).toEqual([]);
    expect(batch.consumed).toEqual(['m1']);
  });

  it('starts a new execution before delivering its events, whatever their order', () => {
    const instance = { ...record(), historyCount: 0, runtimeStatus: 'Pending' as const };
    const batch = selectBatch(instance, [], [
      message('m1', { kind: 'event', event: historyEvents.eventRaised(now, 'early', undefined) }),
      message('m2', { kind: 'start', executionId: instance.executionId }),
    ]);
    expect(batch.starts).toBe(true);
    expect(batch.events.map((event) => event.Name)).toEqual(['early']);
  });
});
