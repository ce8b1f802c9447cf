/**
 * One instance's JupyterLab: a `jupyter lab` process on a free loopback port, its base URL the
 * instance's lab path (/instances/<name>/) so that the lab listener forwards paths unchanged. Token
 * and password are off: it listens on 127.0.0.1 only and is reached through the lab listener.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import * as path from 'node:path';

/** jupyter_server's GET /api/status. */
export interface JupyterStatus {
  started: string;
  last_activity: string;
  connections: number;
  kernels: number;
}

/**
 * Runs JupyterLab in the same interpreter, and ends it when the emulator that started it is gone
 * (its parent changes), so a killed emulator leaves no lab behind.
 */
const LAUNCHER = `
import os, signal, sys, threading, time
parent = os.getppid()
def watch_parent():
    while True:
        time.sleep(1)
        if os.getppid() != parent:
            os.kill(os.getpid(), signal.SIGTERM)
            return
threading.Thread(target=watch_parent, daemon=True).start()
from jupyterlab.labapp import main
sys.argv = ["jupyter-lab"] + sys.argv[1:]
sys.exit(main())
`;

const OUTPUT_LIMIT = 20_000;

/** JupyterLab settings of every local lab (labconfig/default_setting_overrides.json). */
const LAB_SETTINGS = {
  '@jupyterlab/apputils-extension:notification': { fetchNews: 'false', checkForUpdates: false },
};

export interface LabProcessOptions {
  python: string;
  /** The compute instance name. */
  name: string;
  /** The instance's disk: notebooks, and Jupyter's own config and runtime files. */
  homeDir: string;
  /** Path prefix JupyterLab serves under, e.g. /instances/ci-…/ (leading and trailing slash). */
  baseUrl: string;
}

export class LabProcess {
  private child: ChildProcess | null = null;
  private output = '';
  private readyPromise: Promise<void> | null = null;
  private stopped = false;
  /** The start failed (exited or did not answer): not retried while the instance stays Running. */
  failed = false;
  port = 0;

  constructor(private readonly options: LabProcessOptions) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Stopped, or exited after it had started: a Running instance needs a new one. Starting is not ended. */
  get ended(): boolean {
    return this.stopped || (this.child !== null && !this.running && !this.failed);
  }

  /** The last lines JupyterLab wrote, for error pages and messages. */
  log(): string {
    return this.output.slice(-4000);
  }

  /** Starts the process once; resolves when its API answers, rejects when it exits or does not answer in time. */
  start(timeoutMs = 120_000): Promise<void> {
    this.readyPromise ??= this.launch(timeoutMs).catch(async (error: unknown) => {
      this.failed = true;
      if (this.child && this.running) this.child.kill('SIGKILL');
      throw error;
    });
    return this.readyPromise;
  }

  private async launch(timeoutMs: number): Promise<void> {
    const { python, homeDir, baseUrl } = this.options;
    const notebooks = path.join(homeDir, 'notebooks');
    for (const dir of [notebooks, path.join(homeDir, 'jupyter-config', 'labconfig'), path.join(homeDir, 'jupyter-runtime')]) mkdirSync(dir, { recursive: true });
    // No "get notified about Jupyter news?" prompt and no calls to jupyter.org from a local lab.
    writeFileSync(path.join(homeDir, 'jupyter-config', 'labconfig', 'default_setting_overrides.json'), `${JSON.stringify(LAB_SETTINGS, null, 2)}\n`);
    this.port = await freeLoopbackPort();
    if (this.stopped) throw new Error(`JupyterLab for ${this.options.name} was stopped before it started.`);
    const args = [
      '-c', LAUNCHER,
      '--no-browser',
      '--ServerApp.ip=127.0.0.1',
      `--ServerApp.port=${this.port}`,
      '--ServerApp.port_retries=0',
      `--ServerApp.base_url=${baseUrl}`,
      `--ServerApp.root_dir=${notebooks}`,
      '--IdentityProvider.token=',
      '--PasswordIdentityProvider.hashed_password=',
      '--ServerApp.allow_remote_access=False',
      // A container often runs as root; the lab is the person's own, as on the instance.
      '--ServerApp.allow_root=True',
      '--LabApp.news_url=None',
      '--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate',
    ];
    const child = spawn(python, args, {
      env: {
        ...process.env,
        // The instance's own Jupyter settings, not the person's ~/.jupyter.
        JUPYTER_CONFIG_DIR: path.join(homeDir, 'jupyter-config'),
        JUPYTER_RUNTIME_DIR: path.join(homeDir, 'jupyter-runtime'),
        PYTHONUNBUFFERED: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const remember = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-OUTPUT_LIMIT);
    };
    child.stdout?.on('data', remember);
    child.stderr?.on('data', remember);
    child.once('error', (error) => remember(Buffer.from(`\n${error.message}\n`)));
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`JupyterLab for ${this.options.name} exited while starting:\n${this.log()}`);
      if ((await this.status()) !== null) return;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`JupyterLab for ${this.options.name} did not answer within ${Math.round(timeoutMs / 1000)} s:\n${this.log()}`);
  }

  /** The server's own activity report, or null when it does not answer. */
  async status(): Promise<JupyterStatus | null> {
    if (!this.running || this.port === 0) return null;
    try {
      const response = await fetch(`http://127.0.0.1:${this.port}${this.options.baseUrl}api/status`, { signal: AbortSignal.timeout(5000) });
      if (!response.ok) return null;
      return (await response.json()) as JupyterStatus;
    } catch {
      return null;
    }
  }

  /** Ends the process: SIGTERM (JupyterLab shuts its kernels down), SIGKILL after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopped = true;
    const child = this.child;
    if (child === null || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(kill);
  }
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
