/**
 * The watch list on Table Storage (Azurite): an enrolment is one atomic write of the entry and the
 * watcher record, so a watcher that read the list before it cannot go off duty; the record's
 * conditional writes let exactly one of many racing enrolments put the next watcher on duty.
 */
import { TableClient } from '@azure/data-tables';
import { randomUUID } from 'node:crypto';
import { TableWatchList } from '../../shared/adapters/table/table-watch-list';
import type { WatchEntry } from '../../shared/domain/watch-list';
import { startAzurite, type AzuriteHandle } from '../../local/storage';

let azurite: AzuriteHandle;

beforeAll(async () => {
  azurite = await startAzurite({ inMemory: true });
});
afterAll(async () => {
  await azurite.stop();
});

async function freshList(): Promise<TableWatchList> {
  const name = `watch${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const list = new TableWatchList(TableClient.fromConnectionString(azurite.connectionString, name, { allowInsecureConnection: true }));
  await list.ensureTable();
  return list;
}

const entry = (serverId: string, at = '2026-11-26T09:00:00.000Z'): WatchEntry => ({
  serverId,
  run: 'provision',
  serverState: 'Creating',
  seen: 'Creating',
  dueAt: '2026-11-26T09:03:00.000Z',
  launch: { kind: 'create', startedAt: at, expectedSeconds: 360, sizeLabel: 'Small' },
  awaitsLaunch: null,
  enrolledAt: at,
  fallbackSeconds: 180,
});

describe('the watch list in Table Storage', () => {
  it('reads back what a run enrolled, with the record of the watcher', async () => {
    const list = await freshList();
    const record = await list.enrol('Climate-Lab', entry('ci-0000000000000000000a1'));
    expect(record).toMatchObject({ onDuty: false, generation: 0 });
    expect(await list.claim('climate-lab', record)).toBe(1);
    const { record: read, entries } = await list.read('climate-lab');
    expect(read).toMatchObject({ onDuty: true, generation: 1 });
    expect(entries).toEqual([{ ...entry('ci-0000000000000000000a1'), version: expect.any(String) }]);
    expect((await list.read('ocean-lab')).entries).toEqual([]);
  });

  it('keeps the launch a stop or delete waits on, and its absence', async () => {
    const list = await freshList();
    const deleting: WatchEntry = {
      ...entry('ci-0000000000000000000e1'), run: 'delete', serverState: 'Deleting', seen: 'absent', launch: null, awaitsLaunch: '2026-11-26T08:59:58.000Z',
    };
    await list.enrol('climate-lab', deleting);
    await list.enrol('climate-lab', entry('ci-0000000000000000000e2'));
    const { entries } = await list.read('climate-lab');
    expect(entries).toEqual([{ ...deleting, version: expect.any(String) }, { ...entry('ci-0000000000000000000e2'), version: expect.any(String) }]);
    // Enrolled again once the launch is answered: the refreshed entry awaits nothing.
    await list.enrol('climate-lab', { ...deleting, awaitsLaunch: null });
    expect((await list.read('climate-lab')).entries[0]).toMatchObject({ serverId: 'ci-0000000000000000000e1', awaitsLaunch: null });
  });

  it('a watcher cannot go off duty over an enrolment that came after its read', async () => {
    const list = await freshList();
    await list.claim('climate-lab', await list.record('climate-lab'));
    const seen = await list.read('climate-lab'); // the watcher finds nothing waiting...
    expect(seen.entries).toEqual([]);
    await list.enrol('climate-lab', entry('ci-0000000000000000000b1')); // ...a run enrols...
    expect(await list.release('climate-lab', seen.record)).toBe(false); // ...so it stays on duty
    const again = await list.read('climate-lab');
    expect(again.entries.map((e) => e.serverId)).toEqual(['ci-0000000000000000000b1']);
  });

  it('an enrolment after the release finds the watcher off duty, and exactly one of many racing ones claims the next', async () => {
    const list = await freshList();
    await list.claim('climate-lab', await list.record('climate-lab'));
    expect(await list.release('climate-lab', (await list.read('climate-lab')).record)).toBe(true);
    const records = await Promise.all(Array.from({ length: 20 }, (_, i) => list.enrol('climate-lab', entry(`ci-00000000000000000c${String(i).padStart(3, '0')}`))));
    expect(records.every((record) => !record.onDuty)).toBe(true);
    // Each claims with the record it read after its write (the last write's version is among them):
    // one claim wins, every other one finds the record changed.
    const claims = await Promise.all(records.map((record) => list.claim('climate-lab', record)));
    expect(claims.filter((claim) => claim !== null)).toEqual([2]);
    expect(await list.record('climate-lab')).toMatchObject({ onDuty: true, generation: 2 });
  });

  it('removes an entry only as it was read: a run that enrolled again stays', async () => {
    const list = await freshList();
    await list.enrol('climate-lab', entry('ci-0000000000000000000d1'));
    const [stale] = (await list.read('climate-lab')).entries;
    await list.enrol('climate-lab', entry('ci-0000000000000000000d1', '2026-11-26T09:01:00.000Z'));
    await list.remove('climate-lab', stale!);
    expect((await list.read('climate-lab')).entries.map((e) => e.enrolledAt)).toEqual(['2026-11-26T09:01:00.000Z']);
    const [fresh] = (await list.read('climate-lab')).entries;
    await list.remove('climate-lab', fresh!);
    await list.remove('climate-lab', fresh!); // twice is no error
    expect((await list.read('climate-lab')).entries).toEqual([]);
  });
});
