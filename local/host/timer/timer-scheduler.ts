/**
 * Runs the app's timer functions on their schedules. Like Azure's singleton timer, one function
 * never overlaps itself: the next occurrence is computed after the previous run finishes. Timer
 * state (last/next run) is kept in memory only; `runOnStartup` runs the function once at start.
 */
import type { FunctionInvoker } from '../core/function-invoker';
import type { RegisteredFunction } from '../core/function-registry';
import type { Logger } from '../logger';
import type { AppSettings } from '../app-settings';
import { parseTimerSchedule, type TimerSchedule } from './timer-schedule';

/** setTimeout's ceiling; longer waits are chained. */
const MAX_DELAY_MS = 2 ** 31 - 1;
/** How late a run may start before Azure would call it past due. */
const PAST_DUE_MS = 5_000;

interface TimerJob {
  fn: RegisteredFunction;
  schedule: TimerSchedule;
  runOnStartup: boolean;
  last: Date | undefined;
  timeout: NodeJS.Timeout | undefined;
  running: Promise<void> | undefined;
}

export class TimerScheduler {
  readonly #jobs: TimerJob[] = [];
  /**
   * Timer functions whose schedule is invalid or names a missing setting. Like Azure, the host
   * reports them "in error" and runs everything else.
   */
  readonly errors: { name: string; message: string }[] = [];
  #stopped = false;

  constructor(functions: RegisteredFunction[], settings: AppSettings, private readonly invoker: FunctionInvoker, private readonly logger: Logger) {
    for (const fn of functions) {
      try {
        this.#jobs.push({
          fn,
          schedule: parseTimerSchedule(String(fn.trigger.schedule ?? ''), settings),
          runOnStartup: fn.trigger.runOnStartup === true,
          last: undefined,
          timeout: undefined,
          running: undefined,
        });
      } catch (error) {
        this.errors.push({ name: fn.name, message: error instanceof Error ? error.message : String(error) });
      }
    }
  }

  get jobs(): ReadonlyArray<{ name: string; expression: string }> {
    return this.#jobs.map((job) => ({ name: job.fn.name, expression: job.schedule.expression }));
  }

  start(): void {
    for (const job of this.#jobs) {
      if (job.runOnStartup) this.run(job, new Date(), 'Timer fired at startup (runOnStartup)');
      else this.arm(job);
    }
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const job of this.#jobs) clearTimeout(job.timeout);
    await Promise.all(this.#jobs.map((job) => job.running));
  }

  private arm(job: TimerJob): void {
    if (this.#stopped) return;
    const due = job.schedule.next(new Date());
    const wait = (): void => {
      const remaining = due.getTime() - Date.now();
      if (remaining > 0) {
        job.timeout = setTimeout(wait, Math.min(remaining, MAX_DELAY_MS));
        return;
      }
      this.run(job, due, `Timer fired at ${new Date().toISOString()}`);
    };
    this.logger.debug('timer.scheduled', `Next run of '${job.fn.name}' at ${due.toISOString()}`, { function: job.fn.name });
    wait();
  }

  private run(job: TimerJob, scheduled: Date, reason: string): void {
    if (this.#stopped) return;
    const now = new Date();
    const next = job.schedule.next(now);
    const timerInfo = {
      Schedule: { AdjustForDST: true },
      ScheduleStatus: {
        Last: (job.last ?? new Date(0)).toISOString(),
        Next: next.toISOString(),
        LastUpdated: now.toISOString(),
      },
      IsPastDue: now.getTime() - scheduled.getTime() > PAST_DUE_MS,
    };
    job.last = now;
    job.running = this.invoker
      .invoke(job.fn, { triggerData: { json: JSON.stringify(timerInfo) }, reason })
      .then(
        () => undefined,
        () => undefined, // logged by the invoker; a failed run does not stop the schedule
      )
      .finally(() => {
        job.running = undefined;
        this.arm(job);
      });
  }
}
