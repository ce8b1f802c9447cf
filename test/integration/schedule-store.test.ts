/** Class schedules in Table Storage, against a real Azurite through the real client: round trip, a long list split over properties, ETag updates, delete. */
import { randomUUID } from 'node:crypto';
import { startAzurite, type AzuriteHandle } from '../../local/storage';
import { TableSchedules } from '../../shared/adapters/table/table-schedules';
import type { Schedule } from '../../shared/domain/schedules';

let azurite: AzuriteHandle;

beforeAll(async () => {
  azurite = await startAzurite({ inMemory: true });
});

afterAll(async () => {
  await azurite?.stop();
});

function schedule(id: string, people: number): Schedule {
  return {
    id, project: 'climate-lab', size: 'Small',
    users: Array.from({ length: people }, (_, n) => ({ user: `student-${'x'.repeat(100)}-${n}`, userObjectId: randomUUID(), tenantId: randomUUID() })),
    start: '2026-11-27T08:00:00.000Z', end: '2026-11-27T10:00:00.000Z',
    preparedFor: null, preparedUntil: null, launched: [], endedFor: null, failures: [], createdAt: '2026-11-26T09:00:00.000Z', updatedAt: '2026-11-26T09:00:00.000Z',
  };
}

describe('TableSchedules on Azurite', () => {
  let store: TableSchedules;
  let stateTable = '';

  beforeEach(async () => {
    stateTable = `servers${randomUUID().replace(/-/g, '').slice(0, 12)}`;
    store = new TableSchedules({ connectionString: azurite.connectionString }, stateTable);
    await store.ensureTable();
  });

  it('keeps a class of 500 (more than one property holds) and lists it', async () => {
    const big = schedule('sch-00000000000000000001', 500);
    expect(JSON.stringify(big).length).toBeGreaterThan(60_000);
    await store.create(big);
    await store.create(schedule('sch-00000000000000000002', 1));
    expect(await store.get(big.id)).toEqual(big);
    expect((await store.list()).map((s) => s.id).sort()).toEqual(['sch-00000000000000000001', 'sch-00000000000000000002']);
    expect(await store.get('sch-00000000000000000003')).toBeNull();
  });

  it('updates on the ETag: two writers racing both land, neither is lost', async () => {
    const one = schedule('sch-00000000000000000004', 2);
    await store.create(one);
    const other = new TableSchedules({ connectionString: azurite.connectionString }, stateTable);
    await Promise.all([
      store.update(one.id, (current) => ({ ...current, launched: [...current.launched, 'ci-a'].sort() })),
      other.update(one.id, (current) => ({ ...current, launched: [...current.launched, 'ci-b'].sort() })),
    ]);
    expect((await store.get(one.id))?.launched).toEqual(['ci-a', 'ci-b']);
    expect(await store.update('sch-00000000000000000009', (current) => current)).toBeNull();
  });

  it('deletes once', async () => {
    await store.create(schedule('sch-00000000000000000005', 1));
    expect(await store.delete('sch-00000000000000000005')).toBe(true);
    expect(await store.delete('sch-00000000000000000005')).toBe(false);
    expect(await store.list()).toEqual([]);
  });
});
