/**
 * Runs Azurite (blob, queue and table) as a child process from this repository's node_modules and
 * waits until every service listens. Port 0 means "any free port": Azurite binds it itself and
 * reports the real port, which we read back, so there is no window for another process to take it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { toConnectionString, toEndpoints, type StorageEndpoints } from './connection-string';

export interface AzuritePorts {
  blob: number;
  queue: number;
  table: number;
}

export interface StartAzuriteOptions {
  /** Data folder (created if missing). Ignored when `inMemory`. Default `.local/azurite`. */
  location?: string;
  /** Keep everything in memory; nothing is written to disk. */
  inMemory?: boolean;
  /** 0 (the default for each service) picks a free port. */
  ports?: Partial<AzuritePorts>;
  /** Listen address, default 127.0.0.1. */
  host?: string;
  /** Give up waiting for Azurite after this long (default 30 s). */
  startTimeoutMs?: number;
  /** Forward Azurite's own output (access log off) to this stream, e.g. process.stdout. */
  output?: NodeJS.WritableStream;
}

export interface AzuriteHandle extends StorageEndpoints {
  connectionString: string;
  ports: AzuritePorts;
  /** Absolute data folder, or undefined in memory. */
  location: string | undefined;
  pid: number | undefined;
  stop(): Promise<void>;
}

export const DEFAULT_AZURITE_PORTS: AzuritePorts = { blob: 10000, queue: 10001, table: 10002 };
export const DEFAULT_AZURITE_LOCATION = '.local/azurite';

const SERVICES = ['Blob', 'Queue', 'Table'] as const;
const LISTENING = /Azurite (Blob|Queue|Table) service is successfully listening at https?:\/\/[^:\s]+:(\d+)/;

export class AzuriteStartError extends Error {
  constructor(message: string, readonly output: string) {
    super(message);
    this.name = 'AzuriteStartError';
  }
}

export async function startAzurite(options: StartAzuriteOptions = {}): Promise<AzuriteHandle> {
  const host = options.host ?? '127.0.0.1';
  const requested: AzuritePorts = { blob: 0, queue: 0, table: 0, ...options.ports };
  // In memory we still give Azurite a scratch working folder, because it may drop files in its cwd.
  const scratch = options.inMemory ? mkdtempSync(join(tmpdir(), 'azurite-')) : undefined;
  const location = options.inMemory ? undefined : resolve(options.location ?? DEFAULT_AZURITE_LOCATION);
  if (location) mkdirSync(location, { recursive: true });

  const args = [
    azuriteCli(),
    '--blobHost', host, '--blobPort', String(requested.blob),
    '--queueHost', host, '--queuePort', String(requested.queue),
    '--tableHost', host, '--tablePort', String(requested.table),
    '--skipApiVersionCheck', '--loose', '--silent', '--disableTelemetry',
    ...(location ? ['--location', location] : ['--inMemoryPersistence', '--extentMemoryLimit', '256']),
  ];
  const child = spawn(process.execPath, args, {
    cwd: scratch ?? location,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const cleanup = () => {
    process.removeListener('exit', killOnExit);
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  };

  let ports: AzuritePorts;
  try {
    ports = await waitUntilListening(child, options.startTimeoutMs ?? 30_000, options.output);
  } catch (error) {
    child.kill('SIGKILL');
    cleanup();
    throw error;
  }
  const endpoints = toEndpoints(host, ports);
  return {
    ...endpoints,
    connectionString: toConnectionString(endpoints),
    ports,
    location,
    pid: child.pid,
    stop: async () => {
      await stopChild(child);
      cleanup();
    },
  };
}

/** The package's `main` is its VS Code extension; the CLI lives beside it. */
function azuriteCli(): string {
  return join(dirname(require.resolve('azurite/package.json')), 'dist', 'src', 'azurite.js');
}

function waitUntilListening(child: ChildProcess, timeoutMs: number, output?: NodeJS.WritableStream): Promise<AzuritePorts> {
  return new Promise((resolvePorts, reject) => {
    const found: Partial<Record<(typeof SERVICES)[number], number>> = {};
    let transcript = '';
    let pending = '';
    const timer = setTimeout(() => fail(`Azurite did not start within ${timeoutMs} ms`), timeoutMs);
    const fail = (message: string) => {
      clearTimeout(timer);
      reject(new AzuriteStartError(`${message}\n${transcript}`, transcript));
    };
    const onData = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      transcript += text;
      output?.write(text);
      pending += text;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        const match = LISTENING.exec(line);
        if (match) found[match[1] as (typeof SERVICES)[number]] = Number(match[2]);
      }
      if (SERVICES.every((service) => found[service] !== undefined)) {
        clearTimeout(timer);
        child.stdout?.removeListener('data', onData);
        if (output) child.stdout?.on('data', (more: Buffer) => output.write(more));
        resolvePorts({ blob: found.Blob!, queue: found.Queue!, table: found.Table! });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      transcript += chunk.toString('utf8');
      output?.write(chunk);
    });
    child.once('error', (error) => fail(`Azurite could not be spawned: ${error.message}`));
    child.once('exit', (code, signal) => fail(`Azurite exited early (code ${code}, signal ${signal})`));
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(force);
      done();
    });
    child.kill('SIGTERM');
  });
}
