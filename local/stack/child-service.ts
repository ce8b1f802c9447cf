/**
 * One piece of the stack as a child process: its output prefixed with its name, a readiness probe,
 * a clean stop (SIGTERM, then SIGKILL after a grace period), and a supervisor: a piece that exits
 * when nobody asked it to (a crash, SIGKILL, out of memory) is started again after a back-off that
 * doubles up to a bound, as Azure restarts a Functions worker, and the stack says so in its output.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface RestartPolicy {
  /** First delay before a restart (default 1 s); each further crash in a row doubles it. */
  initialDelayMs?: number;
  /** The bound of the back-off (default 30 s). */
  maxDelayMs?: number;
  /** A piece that ran this long before crashing starts the back-off afresh (default 60 s). */
  stableAfterMs?: number;
}

export interface ChildServiceOptions {
  name: string;
  script: string;
  args?: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Resolves true once the service answers. */
  ready: () => Promise<boolean>;
  readyTimeoutMs?: number;
  output?: NodeJS.WritableStream;
  /** Restart after an unexpected exit (default on, with the default policy); false to let it stay down. */
  restart?: RestartPolicy | false;
}

export interface ChildService {
  name: string;
  /** The process running now (a new one after each restart). */
  readonly process: ChildProcess;
  /** Restarts so far. */
  readonly restarts: number;
  stop(graceMs?: number): Promise<void>;
}

export async function startChildService(options: ChildServiceOptions): Promise<ChildService> {
  const output = options.output ?? process.stdout;
  const say = (line: string) => output.write(`[stack] ${line}\n`);
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  const policy = options.restart === false ? null : { initialDelayMs: 1_000, maxDelayMs: 30_000, stableAfterMs: 60_000, ...options.restart };

  let current = spawnChild(options, output);
  let stopping = false;
  let restarts = 0;
  let crashesInARow = 0;
  let restartTimer: NodeJS.Timeout | undefined;

  if (!(await waitReady(current, options.ready, readyTimeoutMs))) {
    current.kill('SIGKILL');
    throw new Error(current.exitCode !== null ? `${options.name} exited with code ${current.exitCode} before it was ready` : `${options.name} was not ready within ${readyTimeoutMs} ms`);
  }

  const supervise = (child: ChildProcess, startedAt: number) => {
    child.once('exit', (code, signal) => {
      if (stopping || !policy) return;
      const upMs = Date.now() - startedAt;
      if (upMs >= policy.stableAfterMs) crashesInARow = 0;
      const delayMs = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** crashesInARow);
      crashesInARow++;
      say(`${options.name} exited unexpectedly (${signal ? `signal ${signal}` : `code ${code}`}) after ${(upMs / 1000).toFixed(1)} s; restarting it in ${(delayMs / 1000).toFixed(1)} s (restart ${restarts + 1})`);
      restartTimer = setTimeout(() => void restart(), delayMs);
    });
  };

  const restart = async () => {
    if (stopping) return;
    restarts++;
    const child = spawnChild(options, output);
    current = child;
    supervise(child, Date.now());
    if (await waitReady(child, options.ready, readyTimeoutMs)) {
      if (!stopping) say(`${options.name} is back (restart ${restarts})`);
    } else if (child.exitCode === null && child.signalCode === null) {
      say(`${options.name} was not ready within ${readyTimeoutMs} ms after restart ${restarts}; killing it`);
      child.kill('SIGKILL'); // its exit schedules the next attempt
    }
  };

  supervise(current, Date.now());
  return {
    name: options.name,
    get process() {
      return current;
    },
    get restarts() {
      return restarts;
    },
    stop: async (graceMs = 10_000) => {
      stopping = true;
      clearTimeout(restartTimer);
      const child = current;
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

function spawnChild(options: ChildServiceOptions, output: NodeJS.WritableStream): ChildProcess {
  const child = spawn(process.execPath, [options.script, ...(options.args ?? [])], {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout, child.stderr]) {
    if (stream) createInterface({ input: stream }).on('line', (line) => output.write(`[${options.name}] ${line}\n`));
  }
  return child;
}

/** True once `ready` answers; false if the child exits first or the time runs out. */
async function waitReady(child: ChildProcess, ready: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) return false;
    if (await ready().catch(() => false)) return child.exitCode === null && child.signalCode === null;
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
