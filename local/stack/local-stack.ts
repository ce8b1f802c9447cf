/**
 * The whole stack started from one Node process, for end-to-end tests and the benchmark: Azurite
 * (in memory) as a child process, the ARM emulator in this process, and the local Functions host
 * as a child process (so a caller can SIGKILL and restart it), all on free loopback ports. The
 * host runs under the local runtime's one supervisor (`local/process/child-service.ts`), without
 * restarts: a test that kills the host starts it again itself.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { startArmEmulator, type ArmEmulatorOptions } from '../arm-emulator';
import { startChildService, type ChildService } from '../process/child-service';
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
  private host: ChildService | null = null;
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
    const remember = (line: string) => {
      this.hostLog = (this.hostLog + line + '\n').slice(-HOST_LOG_LIMIT);
    };
    try {
      this.host = await startChildService({
        name: 'host',
        script: join(this.appDir, 'dist', 'local', 'host', 'main.js'),
        args: ['--app', this.appDir, '--port', String(port)],
        env: this.env,
        output: this.hostLogFile === undefined ? remember : { file: this.hostLogFile },
        ready: () => fetch(`${this.baseUrl}/api/health`).then((r) => r.ok, () => false),
        readyTimeoutMs: 60_000,
        restart: false,
      });
    } catch (error) {
      throw new Error(`${error instanceof Error ? error.message : String(error)}:\n${this.log()}`);
    }
  }

  /** The host's process id (to profile or watch it), or undefined when it is not running. */
  get hostPid(): number | undefined {
    return this.host?.running ? this.host.process.pid : undefined;
  }

  /** Kills the host as a crash would: no shutdown, no flush. */
  async killHost(): Promise<void> {
    const child = this.host?.process;
    if (!child || !this.host?.running) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  async stop(): Promise<void> {
    // A host that does not stop within 10 s is killed.
    await this.host?.stop(10_000);
    await this.tokenIssuer.stop();
    await this.emulator.stop();
    await this.azurite.stop();
  }

  log(): string {
    return this.hostLogFile === undefined ? this.hostLog.slice(-20_000) : fileTail(this.hostLogFile, 20_000);
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
