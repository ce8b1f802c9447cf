/**
 * Runs Azurite (blob, queue and table) as a child process (the local runtime's one supervisor,
 * `local/process/child-service.ts`) from this repository's node_modules and waits until every
 * service listens. Port 0 means "any free port": Azurite binds it itself and
 * reports the real port, which we read back, so there is no window for another process to take it.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { ChildServiceStartError, startChildService, type ChildService } from '../process/child-service';
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
  // Azurite reports the ports it bound on its output; it is ready once all three are known.
  const found: Partial<Record<(typeof SERVICES)[number], number>> = {};
  let transcript = '';
  let started = false;
  const onLine = (line: string) => {
    if (!started) transcript += `${line}\n`; // kept for the error of a failed start only
    options.output?.write(`${line}\n`);
    const match = LISTENING.exec(line);
    if (match) found[match[1] as (typeof SERVICES)[number]] = Number(match[2]);
  };
  const cleanup = () => {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  };
  let service: ChildService;
  try {
    service = await startChildService({
      name: 'storage',
      script: args[0],
      args: args.slice(1),
      cwd: scratch ?? location,
      output: onLine,
      ready: async () => SERVICES.every((name) => found[name] !== undefined),
      readyTimeoutMs: options.startTimeoutMs ?? 30_000,
      restart: false,
    });
  } catch (error) {
    cleanup();
    const reason = error instanceof ChildServiceStartError ? error.message.replace(/^storage/, 'Azurite') : `Azurite could not be started: ${String(error)}`;
    throw new AzuriteStartError(`${reason}\n${transcript}`, transcript);
  }
  started = true;
  const ports: AzuritePorts = { blob: found.Blob!, queue: found.Queue!, table: found.Table! };
  const endpoints = toEndpoints(host, ports);
  return {
    ...endpoints,
    connectionString: toConnectionString(endpoints),
    ports,
    location,
    pid: service.process.pid,
    stop: async () => {
      await service.stop();
      cleanup();
    },
  };
}

/** The package's `main` is its VS Code extension; the CLI lives beside it. */
function azuriteCli(): string {
  return join(dirname(require.resolve('azurite/package.json')), 'dist', 'src', 'azurite.js');
}
