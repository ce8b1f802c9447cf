/**
 * Runs the compiled host (`dist/local/host/main.js`) as a child process, the way `npm run
 * start:host` does, and waits for its "Host started" line. Tests can stop it with a signal or
 * kill it hard (SIGKILL) to simulate a crash.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const REPO_ROOT = join(__dirname, '..', '..', '..');
const HOST_MAIN = join(REPO_ROOT, 'dist', 'local', 'host', 'main.js');

export interface HostProcess {
  url: string;
  port: number;
  pid: number;
  /** Everything the host printed so far. */
  output(): string;
  /** SIGTERM and wait for exit; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL (a crash) and wait until the process is gone. */
  crash(): Promise<void>;
  exited: Promise<number | null>;
}

export interface HostProcessOptions {
  appDir: string;
  env?: Record<string, string>;
  port?: number;
  startTimeoutMs?: number;
}

export async function startHostProcess(options: HostProcessOptions): Promise<HostProcess> {
  if (!existsSync(HOST_MAIN)) throw new Error(`${HOST_MAIN} is missing: run "npm run build" before these tests`);
  const child = spawn(process.execPath, [HOST_MAIN, '--app', options.appDir, '--port', String(options.port ?? 0)], {
    cwd: REPO_ROOT,
    env: { ...process.env, LOCAL_HOST_LOG_LEVEL: 'debug', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Host did not start in time. Output:\n${output}`)), options.startTimeoutMs ?? 30_000);
    const check = () => {
      const match = /Host started: http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        child.stdout?.removeListener('data', check);
        resolve(Number(match[1]));
      }
    };
    child.stdout?.on('data', check);
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`Host exited with code ${code} before starting. Output:\n${output}`));
    });
  });

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    pid: child.pid ?? -1,
    output: () => output,
    exited,
    stop: () => signal(child, 'SIGTERM', exited),
    crash: async () => {
      await signal(child, 'SIGKILL', exited);
    },
  };
}

function signal(child: ChildProcess, name: NodeJS.Signals, exited: Promise<number | null>): Promise<number | null> {
  if (child.exitCode === null && child.signalCode === null) child.kill(name);
  return exited;
}
