/**
 * One piece of the stack as a child process: its output prefixed with its name, a readiness probe,
 * and a clean stop (SIGTERM, then SIGKILL after a grace period).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

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
}

export interface ChildService {
  name: string;
  process: ChildProcess;
  stop(graceMs?: number): Promise<void>;
}

export async function startChildService(options: ChildServiceOptions): Promise<ChildService> {
  const child = spawn(process.execPath, [options.script, ...(options.args ?? [])], {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = options.output ?? process.stdout;
  for (const stream of [child.stdout, child.stderr]) {
    if (stream) createInterface({ input: stream }).on('line', (line) => output.write(`[${options.name}] ${line}\n`));
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + (options.readyTimeoutMs ?? 60_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${options.name} exited with code ${child.exitCode} before it was ready`);
    if (await options.ready().catch(() => false)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${options.name} was not ready within ${options.readyTimeoutMs ?? 60_000} ms`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    name: options.name,
    process: child,
    stop: async (graceMs = 10_000) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
