/**
 * The whole stack started from one Node process, for end-to-end tests and the benchmark: Azurite
 * (in memory) as a child process, the ARM emulator in this process, and the local Functions host
 * as a child process (so a caller can SIGKILL and restart it), all on free loopback ports.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { startArmEmulator, type ArmEmulatorOptions } from '../arm-emulator';
import { startAzurite, type AzuriteHandle } from '../storage';
import { ensureCertificates } from '../tls';
import { DEFAULT_AUDIENCE, startTokenIssuer, type TokenIssuer } from '../token-issuer';
import { emulatorDurations, hostEnvironment } from './stack-environment';

export interface LocalStackOptions {
  /** The Functions app folder (package.json, host.json, dist/); the host is its dist/local/host/main.js. */
  appDir: string;
  functionsKey: string;
  emulator?: ArmEmulatorOptions;
  /** App settings for the host; they win over the stack's endpoints. */
  appSettings?: Record<string, string>;
  /** Lowest-precedence settings (the app's documented defaults, as `npm start` passes them). */
  settingDefaults?: Record<string, string>;
  /**
   * Write the host's output to this file instead of reading it into memory: a benchmark's host logs
   * thousands of lines a second, and reading them would load the process that measures.
   */
  hostLogFile?: string;
}

type Emulator = Awaited<ReturnType<typeof startArmEmulator>>;

/** The host's output kept for error messages; bounded, because a benchmark run logs a lot. */
const HOST_LOG_LIMIT = 200_000;

export class LocalStack {
  private host: ChildProcess | null = null;
  private hostLog = '';
  baseUrl = '';

  private constructor(
    readonly azurite: AzuriteHandle,
    readonly emulator: Emulator,
    /** Mints tokens the host accepts (AUTH_MODE key-or-entra), e.g. `tokenIssuer.mint({ roles: ['Admin'] })`. */
    readonly tokenIssuer: TokenIssuer,
    readonly functionsKey: string,
    private readonly appDir: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly hostLogFile: string | undefined,
  ) {}

  static async start(options: LocalStackOptions): Promise<LocalStack> {
    const tls = await ensureCertificates();
    const azurite = await startAzurite({ inMemory: true });
    let emulator: Emulator;
    let tokenIssuer: TokenIssuer;
    try {
      emulator = await startArmEmulator({ port: 0, dataDir: null, ...options.emulator });
    } catch (error) {
      await azurite.stop();
      throw error;
    }
    try {
      tokenIssuer = await startTokenIssuer({ port: 0, dataDir: null });
    } catch (error) {
      await emulator.stop();
      await azurite.stop();
      throw error;
    }
    const env = hostEnvironment(
      {
        storageConnectionString: azurite.connectionString,
        emulatorUrl: emulator.url,
        caFile: tls.caPath,
        functionsKey: options.functionsKey,
        tokenIssuer: { issuer: tokenIssuer.issuer, jwksUri: tokenIssuer.jwksUri, audience: DEFAULT_AUDIENCE },
      },
      { PATH: process.env.PATH, ...options.appSettings },
      { ...options.settingDefaults, ...emulatorDurations(options.emulator ?? {}) },
    );
    const stack = new LocalStack(azurite, emulator, tokenIssuer, options.functionsKey, options.appDir, env, options.hostLogFile);
    try {
      await stack.startHost();
    } catch (error) {
      await stack.stop();
      throw error;
    }
    return stack;
  }

  async startHost(): Promise<void> {
    const port = await freePort();
    this.baseUrl = `http://127.0.0.1:${port}`;
    const logFd = this.hostLogFile === undefined ? undefined : openSync(this.hostLogFile, 'a');
    const child = spawn(process.execPath, [join(this.appDir, 'dist', 'local', 'host', 'main.js'), '--app', this.appDir, '--port', String(port)], {
      env: this.env,
      stdio: ['ignore', logFd ?? 'pipe', logFd ?? 'pipe'],
    });
    if (logFd !== undefined) closeSync(logFd); // the child holds its own copy
    const remember = (chunk: Buffer) => {
      this.hostLog = (this.hostLog + chunk.toString()).slice(-HOST_LOG_LIMIT);
    };
    child.stdout?.on('data', remember);
    child.stderr?.on('data', remember);
    // A caller that exits without stop() (a failed run, process.exit) must not leave the host behind.
    const killOnExit = () => child.kill('SIGKILL');
    process.once('exit', killOnExit);
    child.once('exit', () => process.removeListener('exit', killOnExit));
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

  /** The host's process id (to profile or watch it), or undefined when it is not running. */
  get hostPid(): number | undefined {
    return this.host?.exitCode === null ? this.host.pid : undefined;
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
    const child = this.host;
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      // A host that does not stop within 10 s is killed; the timer must not outlive the stop.
      const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(kill);
    }
    await this.tokenIssuer.stop();
    await this.emulator.stop();
    await this.azurite.stop();
  }

  log(): string {
    return this.hostLogFile === undefined ? this.hostLog.slice(-20_000) : fileTail(this.hostLogFile, 20_000);
  }

  /** A control-plane request with the function key. */
  async api(method: string, path: string, body?: unknown): Promise<{ status: number; headers: Headers; body: any }> {
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { 'x-functions-key': this.functionsKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
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

function fileTail(path: string, bytes: number): string {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const buffer = Buffer.alloc(Math.min(size, bytes));
    readSync(fd, buffer, 0, buffer.length, size - buffer.length);
    return buffer.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}
