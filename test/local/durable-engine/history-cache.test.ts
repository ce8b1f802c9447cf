/**
 * The engine replays an orchestration from the history it keeps in memory: an episode that
 * committed its events extends the cached history, so the next episode of that instance reads no
 * history rows (Azurite answers a query by scanning the whole table, which a burst of 1,000 runs
 * cannot afford). What was not committed is never served from memory.
 */
import { startAzurite, type AzuriteHandle } from '../../../local/storage';
import { openEngineTables } from '../../../local/durable-engine/store/engine-tables';
import { HistoryStore } from '../../../local/durable-engine/store/history-store';
import { LargeTextStore } from '../../../local/durable-engine/store/large-text';
import { BlobContainer, parseConnectionString } from '../../../local/durable-engine/store/storage-account';
import { historyEvents, type HistoryEvent } from '../../../local/durable-engine/protocol/history-events';

let azurite: AzuriteHandle;
let counter = 0;

beforeAll(async () => {
  azurite = await startAzurite({ inMemory: true });
});

afterAll(async () => {
  await azurite?.stop();
});

async function openStore(): Promise<{ store: HistoryStore; queries: () => number }> {
  const hub = `historycache${++counter}`;
  const tables = await openEngineTables(azurite.connectionString, hub);
  const blobs = new BlobContainer(parseConnectionString(azurite.connectionString), `${hub}-large`);
  await blobs.ensureExists();
  const listEntities = jest.spyOn(tables.history, 'listEntities');
  return { store: new HistoryStore(tables.history, new LargeTextStore(blobs)), queries: () => listEntities.mock.calls.length };
}

const events = (...names: string[]): HistoryEvent[] => names.map((name) => historyEvents.eventRaised(new Date('2026-12-03T10:00:00Z'), name, '1'));

describe('the history cache', () => {
  it('serves the next episode from memory once an episode committed its events', async () => {
    const { store, queries } = await openStore();
    const first = events('a', 'b');
    await store.append('run-1', 'x1', 0, first);
    store.committed('run-1', 'x1', 0, first);
    const second = events('c');
    await store.append('run-1', 'x1', 2, second);
    store.committed('run-1', 'x1', 2, second);

    const loaded = await store.load('run-1', 'x1', 3);
    expect(loaded.map((event) => event.Name)).toEqual(['a', 'b', 'c']);
    expect(queries()).toBe(0);
  });

  it('reads the rows it did not see committed, and only those', async () => {
    const { store, queries } = await openStore();
    const first = events('a', 'b');
    await store.append('run-2', 'x1', 0, first);
    store.committed('run-2', 'x1', 0, first);
    // Another engine process (or an episode this one did not run) appended and committed these.
    await store.append('run-2', 'x1', 2, events('c', 'd'));

    const loaded = await store.load('run-2', 'x1', 4);
    expect(loaded.map((event) => event.Name)).toEqual(['a', 'b', 'c', 'd']);
    expect(queries()).toBe(1);
  });

  it('ignores a commit that does not continue the cached history', async () => {
    const { store } = await openStore();
    const first = events('a');
    await store.append('run-3', 'x1', 0, first);
    store.committed('run-3', 'x1', 0, first);
    await store.append('run-3', 'x1', 1, events('b'));
    // A gap (the commit of index 1 was never seen): memory must not claim index 2 follows index 0.
    store.committed('run-3', 'x1', 2, events('c'));
    await store.append('run-3', 'x1', 2, events('c'));

    const loaded = await store.load('run-3', 'x1', 3);
    expect(loaded.map((event) => event.Name)).toEqual(['a', 'b', 'c']);
  });
});
