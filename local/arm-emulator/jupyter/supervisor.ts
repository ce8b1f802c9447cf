/**
 * With the emulator's `jupyter` option: a real JupyterLab behind every Running instance. Instance
 * states are derived lazily from timestamps, so a reconcile tick (every second) starts a lab for each
 * Running instance and stops the lab of every instance that is not Running any more (stop, delete,
 * idle shutdown, restart, reset); the lab listener starts one on demand as well. Each tick also reads
 * every lab's own GET /api/status: its `last_activity`, or now while a client is connected to a
 * kernel, is the instance's activity, which holds off Azure ML's idle shutdown.
 */
import * as path from 'node:path';
import type { ComputeRecord } from '../compute-record';
import { servesApplications } from '../lifecycle';
import type { StateStore } from '../state-store';
import { LabProcess, type JupyterStatus } from './lab-process';

/** Activity newer than the recorded one by less than this is not written. */
const ACTIVITY_RESOLUTION_MS = 2000;

export interface JupyterSupervisorOptions {
  python: string;
  /** Where each instance's disk lives: <labsDir>/<name>/. */
  labsDir: string;
  store: StateStore;
  now(): number;
  /** The path JupyterLab serves an instance under (leading and trailing slash). */
  basePathOf(name: string): string;
  tickMs?: number;
}

/** What one lab says about activity, as a time: now while someone is connected, else its last_activity. */
export function activityAt(status: JupyterStatus, now: number): number | null {
  if (status.connections > 0) return now;
  const last = Date.parse(status.last_activity);
  return Number.isNaN(last) ? null : last;
}

export class JupyterSupervisor {
  private readonly labs = new Map<string, LabProcess>();
  private readonly timer: NodeJS.Timeout;
  private ticking = false;
  private closed = false;

  constructor(private readonly options: JupyterSupervisorOptions) {
    this.timer = setInterval(() => void this.tick(), options.tickMs ?? 1000);
    this.timer.unref();
  }

  /** The lab of a Running instance, started if needed, once it answers; null when the instance is not Running. */
  async labFor(name: string): Promise<LabProcess | null> {
    const record = this.options.store.computeNamed(name, null, this.options.now());
    if (!record || !servesApplications(record) || this.closed) return null;
    const lab = this.ensure(record);
    await lab.start();
    return lab;
  }

  /** Running labs, for tests and the README's troubleshooting: name, pid and port. */
  list(): { name: string; pid: number | undefined; port: number }[] {
    return [...this.labs.entries()].map(([name, lab]) => ({ name, pid: lab.pid, port: lab.port }));
  }

  /** Stops every lab (reset). */
  async stopAll(): Promise<void> {
    const labs = [...this.labs.values()];
    this.labs.clear();
    await Promise.all(labs.map((lab) => lab.stop()));
  }

  /** Stops every lab and the ticks (emulator shutdown). */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.stopAll();
  }

  private ensure(record: ComputeRecord): LabProcess {
    const key = record.name.toLowerCase();
    let lab = this.labs.get(key);
    if (!lab) {
      lab = new LabProcess({
        python: this.options.python,
        name: record.name,
        homeDir: path.join(this.options.labsDir, key),
        baseUrl: this.options.basePathOf(record.name),
      });
      this.labs.set(key, lab);
      // A lab that fails to start is reported to whoever opens it (labFor); the tick must not crash.
      lab.start().catch(() => undefined);
    }
    return lab;
  }

  /** One reconcile pass; never overlaps the previous one. */
  async tick(): Promise<void> {
    if (this.ticking || this.closed) return;
    this.ticking = true;
    try {
      const now = this.options.now();
      const running = new Map(
        this.options.store.allComputes(now).filter(servesApplications).map((record) => [record.name.toLowerCase(), record]),
      );
      for (const [key, lab] of [...this.labs.entries()]) {
        if (running.has(key) && !lab.ended) continue;
        // Not Running any more (or the lab died): end it; a Running instance gets a fresh one below.
        this.labs.delete(key);
        await lab.stop();
      }
      for (const record of running.values()) this.ensure(record);
      await Promise.all([...running.values()].map((record) => this.recordActivity(record)));
    } finally {
      this.ticking = false;
    }
  }

  private async recordActivity(record: ComputeRecord): Promise<void> {
    const lab = this.labs.get(record.name.toLowerCase());
    const status = lab ? await lab.status() : null;
    if (status === null) return;
    const now = this.options.now();
    const at = activityAt(status, now);
    // Read again: the instance may have changed while the lab answered.
    const current = this.options.store.computeNamed(record.name, null, now);
    // Seconds matter to an idle time of minutes; writing state.json every tick for an open notebook does not.
    if (at === null || !current || current.state !== 'Running' || at < (current.lastActivityAt ?? 0) + ACTIVITY_RESOLUTION_MS) return;
    this.options.store.putCompute({ ...current, lastActivityAt: Math.min(at, now) });
    this.options.store.commit(now);
  }
}
