/** Counts running jobs against a limit; `idle()` resolves when none run (for a graceful stop). */
export class ConcurrencyLimit {
  #running = 0;
  #idleWaiters: (() => void)[] = [];

  constructor(readonly limit: number) {}

  get available(): number {
    return Math.max(0, this.limit - this.#running);
  }

  get running(): number {
    return this.#running;
  }

  /** Runs `job` in a slot (the caller checks `available` first); `onDone` gets what it threw, if anything. */
  run(job: () => Promise<void>, onDone: (error: unknown) => void): void {
    this.#running++;
    job().then(
      () => this.#finish(onDone, undefined),
      (error: unknown) => this.#finish(onDone, error ?? new Error('job failed')),
    );
  }

  #finish(onDone: (error: unknown) => void, error: unknown): void {
    this.#running--;
    if (this.#running === 0) this.#idleWaiters.splice(0).forEach((resolve) => resolve());
    onDone(error);
  }

  idle(): Promise<void> {
    return this.#running === 0 ? Promise.resolve() : new Promise((resolve) => this.#idleWaiters.push(resolve));
  }
}
