/**
 * The local stack for end-to-end tests: Azurite (in memory) and the ARM emulator in this process,
 * the local Functions host as a child process (so a test can SIGKILL and restart it), all on free ports.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { startArmEmulator, type ArmEmulatorOptions } from '../../local/arm-emulator';
import { startAzurite, type AzuriteHandle } from '../../local/storage';
import { ensureCertificates } from '../../local/tls';
import { hostEnvironment } from '../../local/stack/stack-environment';

const REPO = resolve(__dirname, '..', '..');
export const TEST_KEY = 'e2e-key';

/** App settings that make a test run in seconds rather than minutes. */
export const FAST_APP_SETTINGS: Record<string, string> = {
  PROVISION_POLL_SECONDS: '0.5',
  STOP_POLL_SECONDS: '0.5',
  BUSY_RETRY_AFTER_SECONDS: '1',
  IDLE_SWEEP_SCHEDULE: '0 0 0 1 1 *', // effectively never, unless a test asks for it
  LOCAL_DURABLE_POLL_SECONDS: '0.2',
};

export interface StackOptions {
  emulator?: ArmEmulatorOptions;
  appSettings?: Record<string, string>;
}

type Emulator = Awaited<ReturnType<typeof startArmEmulator>>;

export class LocalStack {
  private host: ChildProcess | null = null;
  private hostLog: string[] = [];
  baseUrl = '';

  private constructor(
    readonly azurite: AzuriteHandle,
    readonly emulator: Emulator,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  static async start(options: StackOptions = {}): Promise<LocalStack> {
    const tls = await ensureCertificates();
    const azurite = await startAzurite({ inMemory: true });
    const emulator = await startArmEmulator({ port: 0, dataDir: null, createSeconds: 3, startSeconds: 2, stopSeconds: 1, deleteSeconds: 1, ...options.emulator });
    const env = hostEnvironment(
      { storageConnectionString: azurite.connectionString, emulatorUrl: emulator.url, caFile: tls.caPath, functionsKey: TEST_KEY },
      { PATH: process.env.PATH, ...FAST_APP_SETTINGS, ...options.appSettings },
    );
    const stack = new LocalStack(azurite, emulator, env);
    await stack.startHost();
    return stack;
  }

  async startHost(): Promise<void> {
    const port = await freePort();
    this.baseUrl = `http://127.0.0.1:${port}`;
    const child = spawn(process.execPath, [join(REPO, 'dist', 'local', 'host', 'main.js'), '--app', REPO, '--port', String(port)], {
      env: this.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const remember = (chunk: Buffer) => this.hostLog.push(chunk.toString());
    child.stdout?.on('data', remember);
    child.stderr?.on('data', remember);
    this.host = child;
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`host exited early:\n${this.log()}`);
      const healthy = await fetch(`${this.baseUrl}/api/health`).then((r) => r.ok, () => false);
      if (healthy) return;
      await sleep(200);
    }
    throw new Error(`host did not answer within 60 s:\n${this.log()}`);
  }

  /** Kills the host as a crash would: no shutdown, no flush. */
  async killHost(): Promise<void> {
    const child = this.host;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    if (this.host && this.host.exitCode === null) {
      const exited = new Promise((resolve) => this.host?.once('exit', resolve));
      this.host.kill('SIGTERM');
      await Promise.race([exited, sleep(10_000)]);
      this.host.kill('SIGKILL');
    }
    await this.emulator.stop();
    await this.azurite.stop();
  }

  log(): string {
    return this.hostLog.join('').slice(-20_000);
  }

  /** A control-plane request with the function key. */
  async api(method: string, path: string, body?: unknown): Promise<{ status: number; headers: Headers; body: any }> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { 'x-functions-key': TEST_KEY, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
  }

  async emulatorJson(method: string, path: string, body?: unknown): Promise<any> {
    const response = await fetch(`${this.emulator.url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return text ? JSON.parse(text) : null;
  }

  /** Polls the server until `until` holds or the time runs out; returns the last server seen. */
  async waitForServer(id: string, until: (server: any) => boolean, timeoutMs = 60_000): Promise<any> {
    const deadline = Date.now() + timeoutMs;
    let last: any = null;
    while (Date.now() < deadline) {
      const response = await this.api('GET', `/api/servers/${id}`).catch(() => null);
      if (response?.status === 200) {
        last = response.body;
        if (until(last)) return last;
      }
      await sleep(250);
    }
    throw new Error(`server ${id} did not reach the expected state; last seen ${JSON.stringify(last)}\n${this.log()}`);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
