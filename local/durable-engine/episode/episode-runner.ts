/**
 * One orchestration episode for one instance: read the instance, its history and its due messages;
 * pick a batch; replay the orchestrator with the new events; then write, in this order, the new
 * history rows, the decided work, the instance row (ETag-conditional: the commit point) and finally
 * delete the consumed messages. A crash anywhere before the commit leaves the messages queued and
 * the episode simply runs again.
 */
import type { DurableFunctionsPort, EngineLogger, OrchestrationTriggerInput } from '../durable-functions-port';
import type { HistoryEvent } from '../protocol/history-events';
import { parseOrchestratorFailure, parseOrchestratorState, type EpisodeOutcome } from '../protocol/orchestrator-state';
import { failureFromThrown } from '../protocol/failure-info';
import type { InstanceRecord } from '../store/instance-record';
import type { InstanceStore, PreparedInstance } from '../store/instance-store';
import type { HistoryStore } from '../store/history-store';
import type { WorkItemStore } from '../store/work-item-store';
import { decideControl, decideEpisode, decideFailure, episodeStartEvents, type EpisodeDecision } from './episode-decision';
import { isEntityId } from '../protocol/entity-messages';
import { EntityRunner } from './entity-runner';
import { isIdle, selectBatch } from './message-batch';
import { matchVersion, type VersioningOptions } from './version-match';
import type { WorkWriter } from './work-writer';

/** done: nothing left now; more: run again at once; idle: messages wait (suspended / no start yet); conflict: lost a race. */
export type EpisodeResult = 'done' | 'more' | 'idle' | 'conflict';

/** Timer limits handed to durable-functions. With no 6-day queue limit locally, every timer is a short one. */
export const TIMER_SETTINGS = {
  maximumShortTimerDuration: '36500.00:00:00',
  longRunningTimerIntervalDuration: '3.00:00:00',
} as const;

/** OOProc replay schema: V3 (legacy field) and V4 (new field), as the current extension sends. */
export const SCHEMA_VERSIONS = { upperSchemaVersion: 2, upperSchemaVersionNew: 3 } as const;

export interface EpisodeRunnerDependencies {
  instances: InstanceStore;
  history: HistoryStore;
  workItems: WorkItemStore;
  writer: WorkWriter;
  port: DurableFunctionsPort;
  logger: EngineLogger;
  versioning?: VersioningOptions;
}

interface PreparedEpisode {
  instance: PreparedInstance;
  /** The history rows this episode appends. */
  newEvents: HistoryEvent[];
}

/** Storage refusals that a retry cannot fix (too large, invalid), as a reason for the instance's failure. */
function unstorableReason(error: unknown): string | undefined {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  if (status !== 400 && status !== 413) return undefined;
  const detail = error instanceof Error ? error.message.split('\n')[0] : String(error);
  return `The orchestration's state could not be stored (storage answered ${status}: ${detail}).`;
}

export class EpisodeRunner {
  readonly entities: EntityRunner;

  constructor(private readonly deps: EpisodeRunnerDependencies) {
    this.entities = new EntityRunner(deps);
  }

  async run(instanceId: string): Promise<EpisodeResult> {
    const { instances, history, workItems, logger } = this.deps;
    const now = new Date();
    if (isEntityId(instanceId)) {
      const due = await workItems.dueMessagesFor(instanceId, now.getTime());
      return due.length === 0 ? 'done' : this.entities.run(instanceId, due);
    }
    const stored = await instances.get(instanceId);
    const messages = await workItems.dueMessagesFor(instanceId, now.getTime());
    if (messages.length === 0) return 'done';
    if (!stored) {
      await workItems.deleteMessages(messages.map((message) => message.id));
      return 'done';
    }
    const record: InstanceRecord = structuredClone(stored.record);
    const past = await history.load(instanceId, record.executionId, record.historyCount);
    const batch = selectBatch(record, past, messages);
    if (isIdle(batch)) {
      if (batch.consumed.length === 0) return 'idle';
      await workItems.deleteMessages(batch.consumed);
      return batch.hasMore ? 'more' : 'done';
    }

    let startEvents: HistoryEvent[] = [];
    let decision: EpisodeDecision;
    const version = matchVersion(record.version, this.deps.versioning);
    if (!batch.control && version.kind === 'reject') {
      // Left queued for a worker whose version accepts it (Reject), as the Durable runtime does; a
      // terminate still applies, since selectBatch takes it first and it runs no orchestrator code.
      logger.warn('durable.version-rejected', `Instance ${instanceId} not run: ${version.reason}`, { instanceId });
      return 'idle';
    }
    if (batch.control) decision = decideControl(record, batch.control, now);
    else if (version.kind === 'fail') {
      startEvents = episodeStartEvents(record, { ...batch, events: [] }, now);
      decision = decideFailure(record, { errorType: 'VersionMismatch', errorMessage: version.reason }, now);
    } else {
      startEvents = episodeStartEvents(record, batch, now);
      const outcome = await this.replay(record, past, startEvents);
      decision = decideEpisode(record, batch, outcome, now);
    }

    let prepared: PreparedEpisode;
    try {
      prepared = await this.prepare(record, startEvents, decision);
    } catch (error) {
      const reason = unstorableReason(error);
      if (reason === undefined) throw error;
      // Nothing of this episode was written yet but history rows past the committed count, which are ignored.
      logger.error('durable.episode-unstorable', `Instance ${instanceId} failed: ${reason}`, { instanceId });
      startEvents = episodeStartEvents(record, { ...batch, events: [] }, now);
      decision = decideFailure(record, { errorType: 'OrchestrationStateNotStored', errorMessage: reason }, now);
      prepared = await this.prepare(record, startEvents, decision);
    }
    await this.deps.writer.write(record, decision, now);
    if ((await instances.replace(prepared.instance, stored.etag, stored)) === undefined) {
      logger.warn('durable.episode-conflict', `Instance ${instanceId} changed during its episode; it will be replayed`, { instanceId });
      return 'conflict';
    }
    if (decision.replacedExecutionId === undefined) history.committed(instanceId, record.executionId, record.historyCount, prepared.newEvents);
    await workItems.deleteMessages(batch.consumed);
    this.logTransition(stored.record, decision);
    if (decision.replacedExecutionId !== undefined) {
      history.deleteAllExcept(instanceId, decision.next.executionId).catch((error: unknown) => {
        logger.warn('durable.cleanup-failed', `Could not delete the previous execution's history: ${String(error)}`, { instanceId });
      });
      return 'more';
    }
    return batch.hasMore ? 'more' : 'done';
  }

  /**
   * Stores what can be stored before the commit without side effects: the instance row's long
   * values (blobs) and the new history rows. Work is written only after this succeeded.
   */
  private async prepare(record: InstanceRecord, startEvents: HistoryEvent[], decision: EpisodeDecision): Promise<PreparedEpisode> {
    const newEvents = [...startEvents, ...decision.events];
    if (decision.replacedExecutionId === undefined) decision.next.historyCount = record.historyCount + newEvents.length;
    const instance = await this.deps.instances.prepare(decision.next);
    if (decision.replacedExecutionId === undefined) {
      await this.deps.history.append(record.instanceId, record.executionId, record.historyCount, newEvents);
    }
    return { instance, newEvents };
  }

  private async replay(record: InstanceRecord, past: HistoryEvent[], newEvents: HistoryEvent[]): Promise<EpisodeOutcome> {
    const { port } = this.deps;
    if (!port.hasOrchestrator(record.name)) {
      return {
        kind: 'failed',
        failure: { errorType: 'FunctionNotFound', errorMessage: `The function '${record.name}' doesn't exist, is disabled, or is not an orchestrator function.` },
        state: undefined,
      };
    }
    const input: OrchestrationTriggerInput = {
      history: [...past.map((event) => ({ ...event, IsPlayed: true })), ...newEvents],
      input: record.inputJson === undefined ? null : JSON.parse(record.inputJson),
      instanceId: record.instanceId,
      isReplaying: past.length > 0,
      parentInstanceId: record.parent?.instanceId ?? null,
      ...SCHEMA_VERSIONS,
      ...TIMER_SETTINGS,
      defaultHttpAsyncRequestSleepTimeMillseconds: 30_000,
    };
    const result = await port.runOrchestrator(record.name, input);
    if ('thrown' in result) {
      const { failure, state } = parseOrchestratorFailure(result.thrown);
      return { kind: 'failed', failure, state };
    }
    try {
      return { kind: 'returned', state: parseOrchestratorState(result.returned) };
    } catch (error) {
      return { kind: 'failed', failure: failureFromThrown(error), state: undefined };
    }
  }

  private logTransition(before: InstanceRecord, decision: EpisodeDecision): void {
    const after = decision.next;
    const fields = { instanceId: after.instanceId, orchestration: after.name };
    if (decision.replacedExecutionId !== undefined) {
      this.deps.logger.info('durable.continued-as-new', `Orchestration '${after.name}' (${after.instanceId}) continued as new`, fields);
    } else if (before.runtimeStatus !== after.runtimeStatus) {
      const level = after.runtimeStatus === 'Failed' ? 'warn' : 'info';
      const detail = after.runtimeStatus === 'Failed' && after.outputJson ? `: ${JSON.parse(after.outputJson) as string}` : '';
      this.deps.logger[level]('durable.status', `Orchestration '${after.name}' (${after.instanceId}) is ${after.runtimeStatus}${detail}`, fields);
    }
  }
}
