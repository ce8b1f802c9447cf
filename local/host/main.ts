/**
 * `npm run start:host`: the local Functions host.
 *
 *   node dist/local/host/main.js [--app <dir>] [--port 7071] [--hostname 127.0.0.1]
 *
 * --app defaults to the current folder. Environment: FUNCTIONS_KEY (default local-key),
 * AzureWebJobsStorage (default UseDevelopmentStorage=true), LOCAL_HOST_LOG_FORMAT=text|json,
 * LOCAL_HOST_LOG_LEVEL=debug|info|warn|error, LOCAL_DURABLE_ACTIVITY_LEASE_SECONDS (30),
 * LOCAL_DURABLE_POLL_SECONDS (5), LOCAL_HOST_BANNER=0 (no function list at start-up),
 * LOCAL_HOST_BODY_TIMEOUT_SECONDS (30; a slower request body gets 408),
 * LOCAL_HOST_RESPONSE_TIMEOUT_SECONDS (230, Azure's; a slower function's caller gets 502),
 * FUNCTIONS_REQUEST_BODY_SIZE_LIMIT (bytes, as on Azure; default 100 MB; a larger body gets 413).
 * Values in <app>/local.settings.json count as environment.
 * Ctrl-C (SIGINT) or SIGTERM stops it gracefully; a second signal exits at once.
 */
import { parseArgs } from 'node:util';
import { startHost, type RunningHost } from './host';
import { createLogger, parseLogLevel } from './logger';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      app: { type: 'string', default: process.cwd() },
      port: { type: 'string', default: '7071' },
      hostname: { type: 'string', default: '127.0.0.1' },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number, got ${values.port}`);
  const format = process.env.LOCAL_HOST_LOG_FORMAT === 'json' ? 'json' : 'text';
  const logger = createLogger({ format, level: parseLogLevel(process.env.LOCAL_HOST_LOG_LEVEL) });
  // The last net: a rejection nothing handled (a bug, or an app's fire-and-forget call) is logged
  // and the host carries on serving, as the Functions host outlives a worker's stray failure.
  // Failures are handled where they arise; this only keeps one that slipped through from ending the API.
  process.on('unhandledRejection', (reason) => {
    logger.error('host.unhandled-rejection', `A promise rejection was not handled (the host carries on): ${describeReason(reason)}`);
  });

  // Signals are handled from the start: one that arrives while starting stops the host once it is up.
  let host: RunningHost | undefined;
  let signals = 0;
  const stop = () => {
    host?.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error('host.stop-failed', error instanceof Error ? error.message : String(error));
        process.exit(1);
      },
    );
  };
  const shutdown = (signal: NodeJS.Signals) => {
    signals++;
    if (signals > 1) process.exit(1);
    logger.info('host.stopping', `${signal} received: stopping (again to exit at once)`);
    stop();
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);

  host = await startHost({
    appDir: values.app ?? process.cwd(),
    port,
    hostname: values.hostname,
    logger,
    banner: format === 'text' && process.env.LOCAL_HOST_BANNER !== '0',
    bodyTimeoutMs: secondsSetting('LOCAL_HOST_BODY_TIMEOUT_SECONDS'),
    responseTimeoutMs: secondsSetting('LOCAL_HOST_RESPONSE_TIMEOUT_SECONDS'),
    durable: {
      activityLeaseMs: secondsSetting('LOCAL_DURABLE_ACTIVITY_LEASE_SECONDS'),
      idlePollMs: secondsSetting('LOCAL_DURABLE_POLL_SECONDS'),
    },
  });
  if (signals > 0) stop();
}

function describeReason(reason: unknown): string {
  return reason instanceof Error ? `${reason.name}: ${reason.message}${reason.stack ? `\n${reason.stack}` : ''}` : String(reason);
}

function secondsSetting(name: string): number | undefined {
  const value = process.env[name];
  if (value === undefined || value === '') return undefined;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new Error(`${name} must be a positive number of seconds, got ${value}`);
  return seconds * 1000;
}

main().catch((error: unknown) => {
  console.error(`Host failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
