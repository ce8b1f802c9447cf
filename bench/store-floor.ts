/**
 * The floor under the spawn POST on this machine: the Table round trips of a spawn, sent straight
 * to the stack's Azurite by as many spawns at once as the wave had, with nothing else done (no
 * HTTP request in, no host, no validation, no Durable API call). Two sequences:
 *   - `spawn`, what a first spawn sends today: the point read of its server, the query of the
 *     user's quota places, its quota place, its server row, and the start of its orchestration
 *     (the instance row and the first message);
 *   - `minimum`, the least issue 12 asks of a spawn: one conditional write and the start of the
 *     orchestration (no read, no quota).
 *
 * The spawn POST cannot answer faster than its sequence does here: the gap between the two is the
 * host's share, and a goal below the minimum's floor asks for a faster store or machine, not a
 * change of code.
 */
import { odata, RestError, TableClient } from '@azure/data-tables';
import { percentile } from './percentiles';

export type FloorSequence = 'spawn' | 'minimum';

export interface StoreFloor {
  sequence: FloorSequence;
  /** Table round trips in each spawn's sequence. */
  roundTrips: number;
  p50Ms: number;
  p95Ms: number;
  errors: number;
  /** The first failed sequence's error, to say why when errors > 0. */
  firstError: string | null;
}

const TABLE_PREFIX = 'benchstorefloor';

type Sequence = (table: TableClient, key: string) => Promise<void>;

const SEQUENCES: Record<FloorSequence, { roundTrips: number; send: Sequence }> = {
  spawn: { roundTrips: 6, send: spawnSequence },
  minimum: { roundTrips: 3, send: minimumSequence },
};

/**
 * For each sequence, one unmeasured burst first (this process's SDK code and sockets warm up, as
 * the host's were by the time it served the wave), then the measured one. Each burst writes to a
 * table of its own, created empty, so no burst meets the rows of another.
 */
export async function measureStoreFloors(connectionString: string, spawns: number): Promise<StoreFloor[]> {
  const floors: StoreFloor[] = [];
  const run = Date.now().toString(36);
  for (const sequence of ['spawn', 'minimum'] as const) {
    const { roundTrips, send } = SEQUENCES[sequence];
    await inFreshTable(connectionString, `${TABLE_PREFIX}${sequence}warm${run}`, (table) => burst(table, spawns, send));
    const { latenciesMs, errors, firstError } = await inFreshTable(connectionString, `${TABLE_PREFIX}${sequence}${run}`, (table) => burst(table, spawns, send));
    floors.push({ sequence, roundTrips, p50Ms: percentile(latenciesMs, 50), p95Ms: percentile(latenciesMs, 95), errors, firstError });
  }
  return floors;
}

async function inFreshTable<T>(connectionString: string, name: string, use: (table: TableClient) => Promise<T>): Promise<T> {
  const table = TableClient.fromConnectionString(connectionString, name, { allowInsecureConnection: true });
  await table.createTable();
  try {
    return await use(table);
  } finally {
    await table.deleteTable();
  }
}

interface Burst {
  latenciesMs: number[];
  errors: number;
  firstError: string | null;
}

async function burst(table: TableClient, spawns: number, sequence: Sequence): Promise<Burst> {
  const latenciesMs: number[] = [];
  let errors = 0;
  let firstError: string | null = null;
  await Promise.all(Array.from({ length: spawns }, async (_, i) => {
    const started = performance.now();
    try {
      await sequence(table, String(i));
      latenciesMs.push(performance.now() - started);
    } catch (error) {
      errors += 1;
      firstError ??= error instanceof Error ? error.message : String(error);
    }
  }));
  return { latenciesMs, errors, firstError };
}

/** A first spawn's requests, in the order the spawn sends them. */
async function spawnSequence(table: TableClient, key: string): Promise<void> {
  const server = `server-${key}`;
  const quota = `quota-${key}`;
  try {
    await table.getEntity(server, 'server');
  } catch (error) {
    if (!(error instanceof RestError && error.statusCode === 404)) throw error;
  }
  await table.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${quota}` } }).byPage().next();
  await table.createEntity({ partitionKey: quota, rowKey: '000', Holder: server });
  await minimumSequence(table, key);
}

/** The server row, written only if absent, and the orchestration's start. */
async function minimumSequence(table: TableClient, key: string): Promise<void> {
  await table.createEntity({ partitionKey: `server-${key}`, rowKey: 'server', State: 'Requested' });
  await table.createEntity({ partitionKey: `instance-${key}`, rowKey: '', RuntimeStatus: 'Pending' });
  await table.createEntity({ partitionKey: `message-${key}`, rowKey: '0', Kind: 'ExecutionStarted' });
}
