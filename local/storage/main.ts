/**
 * `npm run start:storage`: Azurite on its default ports (10000-10002) with data under
 * `.local/azurite`, until Ctrl-C.
 *
 *   node dist/local/storage/main.js [--location <dir>] [--in-memory]
 *                                   [--blob-port n] [--queue-port n] [--table-port n] [--host addr]
 */
import { parseArgs } from 'node:util';
import { DEFAULT_AZURITE_LOCATION, DEFAULT_AZURITE_PORTS, startAzurite } from './azurite-launcher';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      location: { type: 'string', default: DEFAULT_AZURITE_LOCATION },
      'in-memory': { type: 'boolean', default: false },
      'blob-port': { type: 'string', default: String(DEFAULT_AZURITE_PORTS.blob) },
      'queue-port': { type: 'string', default: String(DEFAULT_AZURITE_PORTS.queue) },
      'table-port': { type: 'string', default: String(DEFAULT_AZURITE_PORTS.table) },
      host: { type: 'string', default: '127.0.0.1' },
    },
  });
  const azurite = await startAzurite({
    location: values.location,
    inMemory: values['in-memory'],
    host: values.host,
    ports: {
      blob: toPort(values['blob-port'], 'blob-port'),
      queue: toPort(values['queue-port'], 'queue-port'),
      table: toPort(values['table-port'], 'table-port'),
    },
  });
  console.log(`Azurite ready (${azurite.location ? `data in ${azurite.location}` : 'in memory'})`);
  console.log(`  blob  ${azurite.blobUrl}\n  queue ${azurite.queueUrl}\n  table ${azurite.tableUrl}`);
  console.log(`  AzureWebJobsStorage=${azurite.connectionString}`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping Azurite`);
    azurite.stop().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

function toPort(value: string | undefined, name: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--${name} must be a port number, got ${value}`);
  return port;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
