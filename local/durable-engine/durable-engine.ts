/**
 * The local Durable engine: the one place that wires storage, episode runner, activity runner and
 * dispatcher together. Persistent in Table Storage (Azurite), so a host killed mid-orchestration
 * resumes every instance from its history when it starts again.
 */
import { randomUUID } from 'node:crypto';
import { availableParallelism, hostname } from 'node:os';
import { ActivityRunner } from './dispatch/activity-runner';
import { Dispatcher } from './dispatch/dispatcher';
import type { DurableFunctionsPort, EngineLogger } from './durable-functions-port';
import { EpisodeRunner } from './episode/episode-runner';
import type { VersioningOptions } from './episode/version-match';
import { InstanceStarter } from './episode/instance-starter';
import { WorkWriter } from './episode/work-writer';
import { OrchestrationClient } from './orchestration-client';
import { openEngineTables } from './store/engine-tables';
import { HistoryStore } from './store/history-store';
import { InstanceStore } from './store/instance-store';
import { LargeTextStore, largeMessagesContainerName } from './store/large-text';
import { BlobContainer, parseConnectionString } from './store/storage-account';
import { WorkItemStore } from './store/work-item-store';

export interface DurableEngineOptions {
  connectionString: string;
  /** Task hub name; prefixes the tables. */
  hubName: string;
  /**
   * host.json's setting: with NonRunningStates (the default here) starting an instance id that is
   * still Pending/Running/Suspended is a conflict; with AnyState it replaces that instance.
   */
  overridableExistingInstanceStates?: 'NonRunningStates' | 'AnyState';
  port: DurableFunctionsPort;
  logger: EngineLogger;
  /** Default 10 × processors, as host.json's maxConcurrentActivityFunctions. */
  maxConcurrentActivities?: number;
  /** Default 10 × processors, as host.json's maxConcurrentOrchestratorFunctions. */
  maxConcurrentOrchestrations?: number;
  /** How long a claimed activity stays ours without renewal (default 30 s); a crash re-runs it after this. */
  activityLeaseMs?: number;
  /** Longest sleep without local news (default 5 s). */
  idlePollMs?: number;
  /** How long `stop` waits for running work (default 10 s). */
  stopGraceMs?: number;
  /** host.json defaultVersion, versionMatchStrategy, versionFailureStrategy. */
  versioning?: VersioningOptions;
}

export class DurableEngine {
  readonly client: OrchestrationClient;
  readonly hubName: string;
  readonly #dispatcher: Dispatcher;
  readonly #instances: InstanceStore;
  readonly #workItems: WorkItemStore;
  readonly #owner: string;
  readonly #options: DurableEngineOptions;

  private constructor(options: DurableEngineOptions, stores: { instances: InstanceStore; history: HistoryStore; workItems: WorkItemStore }) {
    this.#options = options;
    this.hubName = options.hubName;
    this.#instances = stores.instances;
    this.#owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    const notify = (instanceId?: string) => this.#dispatcher.notify(instanceId);
    // Every message queued by this process wakes the dispatcher for its instance.
    this.#workItems = stores.workItems;
    this.#workItems.onEnqueue = notify;
    const { port, logger } = options;
    const starter = new InstanceStarter({
      ...stores,
      logger,
      notify,
      replaceRunning: options.overridableExistingInstanceStates === 'AnyState',
      defaultVersion: options.versioning?.defaultVersion,
    });
    const writer = new WorkWriter(stores.workItems, starter);
    const cores = availableParallelism();
    const leaseMs = options.activityLeaseMs ?? 30_000;
    this.#dispatcher = new Dispatcher(
      {
        workItems: stores.workItems,
        episodes: new EpisodeRunner({ ...stores, writer, port, logger, versioning: options.versioning }),
        activities: new ActivityRunner({ instances: stores.instances, workItems: stores.workItems, port, logger, owner: this.#owner, leaseMs, notify }),
        logger,
      },
      {
        maxConcurrentActivities: options.maxConcurrentActivities ?? 10 * cores,
        maxConcurrentOrchestrations: options.maxConcurrentOrchestrations ?? 10 * cores,
        leaseMs,
        idlePollMs: options.idlePollMs ?? 5_000,
        owner: this.#owner,
      },
    );
    this.client = new OrchestrationClient({ ...stores, starter, port });
  }

  /** Opens (creating if needed) the task hub's tables. */
  static async open(options: DurableEngineOptions): Promise<DurableEngine> {
    const tables = await openEngineTables(options.connectionString, options.hubName);
    const largeMessages = new BlobContainer(parseConnectionString(options.connectionString), largeMessagesContainerName(options.hubName));
    await largeMessages.ensureExists();
    const texts = new LargeTextStore(largeMessages);
    return new DurableEngine(options, {
      instances: new InstanceStore(tables.instances, texts),
      history: new HistoryStore(tables.history, texts),
      workItems: new WorkItemStore(tables.workItems, texts),
    });
  }

  /** Recovers what a crash may have left half-done, then starts taking work. */
  async start(): Promise<void> {
    for (const record of await this.#instances.listNotStarted()) {
      await this.#workItems.enqueueMessage(record.instanceId, { kind: 'start', executionId: record.executionId });
    }
    await this.reclaimLeasesOfDeadProcesses();
    this.#dispatcher.start();
  }

  async stop(): Promise<void> {
    await this.#dispatcher.stop(this.#options.stopGraceMs ?? 10_000);
  }

  /**
   * A lease held by a process of this machine that no longer exists (a host killed with SIGKILL)
   * is released at once instead of waiting for it to expire.
   */
  private async reclaimLeasesOfDeadProcesses(): Promise<void> {
    const here = hostname();
    for (const item of await this.#workItems.leasedActivities(Date.now(), 10_000)) {
      const [host, pid] = item.owner.split(':');
      if (host === here && Number(pid) !== process.pid && !processAlive(Number(pid))) {
        await this.#workItems.release(item);
        this.#options.logger.info('durable.activity-reclaimed', `Activity '${item.name}' of ${item.instanceId} was running in a process that died; it will run again`, {
          instanceId: item.instanceId,
        });
      }
    }
  }
}

function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
