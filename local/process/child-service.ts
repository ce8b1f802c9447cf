/**
 * The local runtime's one process supervisor: a piece of the stack (Azurite, the ARM emulator, the
 * token issuer, the Functions host) as a Node child process, with its output routed, a readiness
 * probe, a clean stop (SIGTERM, then SIGKILL after a grace period), no orphan when this process
 * exits, and optional restarts: a piece that exits when nobody asked it to (a crash, SIGKILL, out
 * of memory) is started again after a back-off that doubles up to a bound, as Azure restarts a
 * Functions worker, and the supervisor says so in the piece's output.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, closeSync, openSync } from 'node:fs';
import { createInterface } from 'node:readline';

export interface RestartPolicy {
  /** First delay before a restart (default 1 s); each further crash in a row doubles it. */
  initialDelayMs?: number;
  /** The bound of the back-off (default 30 s). */
  maxDelayMs?: number;
  /** A piece that ran this long before crashing starts the back-off afresh (default 60 s). */
  stableAfterMs?: number;
}

/**
 * Where the child's output (stdout and stderr) goes:
 * - a stream: each line, prefixed with the piece's name (the default: this process's stdout);
 * - a function: each line as it is;
 * - a file: appended by the child itself, never read here (a benchmark's host logs thousands of
 *   lines a second, and reading them would load the process that measures).
 */
export type ChildOutput = NodeJS.WritableStream | ((line: string) => void) | { file: string };

export interface ChildServiceOptions {
  name: string;
  script: string;
  args?: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Resolves true once the service answers. */
  ready: () => Promise<boolean>;
  readyTimeoutMs?: number;
  output?: ChildOutput;
  /** Restart after an unexpected exit (default on, with the default policy); false to let it stay down. */
  restart?: RestartPolicy | false;
}

export interface ChildService {
  name: string;
  /** The process running now (a new one after each restart). */
  readonly process: ChildProcess;
  /** Restarts so far. */
  readonly restarts: number;
  /** Whether the process running now is alive. */
  readonly running: boolean;
  stop(graceMs?: number): Promise<void>;
}

/** The piece did not become ready: it exited first, or the time ran out. */
export class ChildServiceStartError extends Error {
  constructor(message: string, readonly exitCode: number | null) {
    super(message);
    this.name = 'ChildServiceStartError';
  }
}

export async function startChildService(options: ChildServiceOptions): Promise<ChildService> {
  const output = options.output ?? process.stdout;
  const say = (line: string) => writeLine(output, `[stack] ${line}`);
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  const policy = options.restart === false ? null : { initialDelayMs: 1_000, maxDelayMs: 30_000, stableAfterMs: 60_000, ...options.restart };

  let current = spawnChild(options, output);
  let stopping = false;
  let restarts = 0;
  let crashesInARow = 0;
  let restartTimer: NodeJS.Timeout | undefined;

  if (!(await waitReady(current, options.ready, readyTimeoutMs))) {
    current.kill('SIGKILL');
    throw new ChildServiceStartError(
      current.exitCode !== null ? `${options.name} exited with code ${current.exitCode} before it was ready` : `${options.name} was not ready within ${readyTimeoutMs} ms`,
      current.exitCode,
    );
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
    } else if (isRunning(child)) {
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
    get running() {
      return isRunning(current);
    },
    stop: async (graceMs = 10_000) => {
      stopping = true;
      clearTimeout(restartTimer);
      const child = current;
      if (!isRunning(child)) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

function writeLine(output: ChildOutput, line: string): void {
  if (typeof output === 'function') output(line);
  else if ('file' in output) appendFileSync(output.file, `${line}\n`);
  else output.write(`${line}\n`);
}

function spawnChild(options: ChildServiceOptions, output: ChildOutput): ChildProcess {
  const logFd = typeof output === 'object' && 'file' in output ? openSync(output.file, 'a') : undefined;
  const child = spawn(process.execPath, [options.script, ...(options.args ?? [])], {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', logFd ?? 'pipe', logFd ?? 'pipe'],
  });
  if (logFd !== undefined) closeSync(logFd); // the child holds its own copy
  const toLine = typeof output === 'function' ? output : (line: string) => writeLine(output, `[${options.name}] ${line}`);
  for (const stream of [child.stdout, child.stderr]) {
    if (stream) createInterface({ input: stream }).on('line', toLine);
  }
  // A caller that exits without stop() (a failed run, process.exit) must not leave the piece behind.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  child.once('exit', () => process.removeListener('exit', killOnExit));
  return child;
}

/** True once `ready` answers; false if the child exits first or the time runs out. */
async function waitReady(child: ChildProcess, ready: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!isRunning(child)) return false;
    if (await ready().catch(() => false)) return isRunning(child);
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
