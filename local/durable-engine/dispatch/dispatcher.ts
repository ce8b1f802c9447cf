/**
 * The engine's worker loop. Each pass finds instances with due messages and activities free to
 * claim, and starts episodes and activities up to their concurrency limits (one episode per
 * instance at a time). Between passes it sleeps until the next timer is due, a local change wakes
 * it (`notify`), or a slow poll comes round for work written by another process or a lease that
 * expired; it never spins.
 */
import type { EngineLogger } from '../durable-functions-port';
import type { EpisodeRunner } from '../episode/episode-runner';
import type { ActivityItem, WorkItemStore } from '../store/work-item-store';
import type { ActivityRunner } from './activity-runner';
import { ConcurrencyLimit } from './concurrency-limit';

export interface DispatcherOptions {
  maxConcurrentActivities: number;
  maxConcurrentOrchestrations: number;
  leaseMs: number;
  /** Longest sleep without a local wake-up. */
  idlePollMs: number;
  owner: string;
}

export interface DispatcherDependencies {
  workItems: WorkItemStore;
  episodes: EpisodeRunner;
  activities: ActivityRunner;
  logger: EngineLogger;
}

/** After a failed episode (storage hiccup, bug), wait before trying that instance again. */
const ERROR_BACKOFF_MS = 2_000;
/** An instance whose messages cannot progress (suspended, start missing) is looked at again after this, or when notified. */
const PARK_MS = 30_000;

export class Dispatcher {
  readonly #orchestrations: ConcurrencyLimit;
  readonly #activities: ConcurrencyLimit;
  readonly #busy = new Set<string>();
  readonly #notifiedWhileBusy = new Set<string>();
  readonly #notBefore = new Map<string, number>();
  readonly #runningActivities = new Map<string, ActivityItem>();
  #wake: (() => void) | undefined;
  #wakePending = false;
  #stopped = false;
  #loop: Promise<void> | undefined;

  constructor(private readonly deps: DispatcherDependencies, private readonly options: DispatcherOptions) {
    this.#orchestrations = new ConcurrencyLimit(options.maxConcurrentOrchestrations);
    this.#activities = new ConcurrencyLimit(options.maxConcurrentActivities);
  }

  start(): void {
    this.#loop ??= this.loop();
  }

  /** New local work, possibly for `instanceId`: look again now. */
  notify(instanceId?: string): void {
    if (instanceId !== undefined) {
      this.#notBefore.delete(instanceId);
      if (this.#busy.has(instanceId)) this.#notifiedWhileBusy.add(instanceId);
    }
    this.#wakePending = true;
    this.#wake?.();
  }

  /**
   * Stops taking work and waits up to `graceMs` for running episodes and activities. Activities
   * still running then are released, so a restarted host runs them again without waiting out the lease.
   */
  async stop(graceMs: number): Promise<void> {
    this.#stopped = true;
    this.#wake?.();
    await this.#loop;
    const idle = Promise.all([this.#orchestrations.idle(), this.#activities.idle()]);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([idle, new Promise((resolve) => (timer = setTimeout(resolve, graceMs)))]);
    clearTimeout(timer);
    for (const item of this.#runningActivities.values()) {
      await this.deps.workItems.release(item).catch(() => undefined);
    }
  }

  /**
   * Never rejects: every storage call of a pass, and of working out how long to sleep, is inside the
   * try, so storage going away (Azurite killed, a network cut) is logged and retried, not a rejection
   * that nothing awaits until stop() and that would end the host.
   */
  private async loop(): Promise<void> {
    while (!this.#stopped) {
      this.#wakePending = false;
      let sleepMs: number | undefined; // undefined: work was started, look again at once
      try {
        const started = await this.pass();
        if (this.#stopped) break;
        if (!started) sleepMs = await this.untilNextWork();
      } catch (error) {
        this.deps.logger.error('durable.dispatch-failed', `Polling for durable work failed: ${describe(error)}`);
        sleepMs = ERROR_BACKOFF_MS;
      }
      if (sleepMs !== undefined) await this.sleep(sleepMs);
    }
  }

  /** One look for work; true if anything was started. */
  private async pass(): Promise<boolean> {
    const now = Date.now();
    let started = false;
    if (this.#orchestrations.available > 0) {
      const instances = await this.deps.workItems.instancesWithDueMessages(now, 1000);
      for (const instanceId of instances) {
        if (this.#orchestrations.available === 0 || this.#stopped) break;
        if (this.#busy.has(instanceId) || (this.#notBefore.get(instanceId) ?? 0) > now) continue;
        this.startEpisode(instanceId);
        started = true;
      }
    }
    if (this.#activities.available > 0) {
      const candidates = await this.deps.workItems.claimableActivities(now, this.#activities.available + this.#runningActivities.size);
      for (const item of candidates) {
        if (this.#activities.available === 0 || this.#stopped) break;
        if (this.#runningActivities.has(item.id)) continue;
        const etag = await this.deps.workItems.lease(item, this.options.owner, Date.now() + this.options.leaseMs);
        if (!etag) continue; // another worker took it
        this.startActivity({ ...item, etag, owner: this.options.owner });
        started = true;
      }
    }
    return started;
  }

  private startEpisode(instanceId: string): void {
    this.#busy.add(instanceId);
    let result: Awaited<ReturnType<EpisodeRunner['run']>> = 'done';
    this.#orchestrations.run(
      async () => {
        result = await this.deps.episodes.run(instanceId);
      },
      (error) => {
        this.#busy.delete(instanceId);
        const notified = this.#notifiedWhileBusy.delete(instanceId);
        if (error) {
          this.deps.logger.error('durable.episode-failed', `Episode of ${instanceId} failed: ${describe(error)}`, { instanceId });
          this.#notBefore.set(instanceId, Date.now() + ERROR_BACKOFF_MS);
        } else if (result === 'idle' && !notified) {
          this.#notBefore.set(instanceId, Date.now() + PARK_MS);
        }
        this.notify();
      },
    );
  }

  private startActivity(item: ActivityItem): void {
    this.#runningActivities.set(item.id, item);
    this.#activities.run(
      () => this.deps.activities.run(item),
      (error) => {
        this.#runningActivities.delete(item.id);
        if (error) {
          // Left leased: it runs again when the lease expires.
          this.deps.logger.error('durable.activity-dispatch-failed', `Activity '${item.name}' of ${item.instanceId} could not be completed: ${describe(error)}`);
        }
        this.notify();
      },
    );
  }

  /** Milliseconds until the earliest known future work, bounded by the idle poll. */
  private async untilNextWork(): Promise<number> {
    const now = Date.now();
    let next = now + this.options.idlePollMs;
    const due = await this.deps.workItems.nextMessageDueMs(now);
    if (due !== undefined) next = Math.min(next, due);
    for (const [instanceId, until] of this.#notBefore) {
      if (until > now) next = Math.min(next, until);
      else this.#notBefore.delete(instanceId);
    }
    return Math.max(0, next - Date.now());
  }

  private sleep(ms: number): Promise<void> {
    if (this.#wakePending || this.#stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = () => {
        this.#wake = undefined;
        done();
      };
    });
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
