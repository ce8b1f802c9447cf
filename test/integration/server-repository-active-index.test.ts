/**
 * The active index of the Table Storage repository against a real Azurite: maintained across
 * lifecycle transitions, safe against racing writers, read page by page, cleaned by `listActive`.
 */
import { TableClient } from '@azure/data-tables';
import { ActiveIndex, ACTIVE_PARTITION } from '../../shared/adapters/table/active-index';
import { SERVER_ROW_KEY } from '../../shared/adapters/table/server-entity';
import type { ServerState } from '../../shared/domain/server';
import { startAzurite, type AzuriteHandle } from '../../local/storage';
import { buildServer } from '../support/server-builder';
import { indexedIds, repositoryFixture, withState } from '../support/table-repository-fixture';

let azurite: AzuriteHandle;

beforeAll(async () => {
  azurite = await startAzurite({ inMemory: true });
});

afterAll(async () => {
  await azurite?.stop();
});

const fixture = () => repositoryFixture(azurite.connectionString);

describe('the active index', () => {
  it('follows the server through its lifecycle', async () => {
    const { repository, index } = await fixture();
    const created = await repository.create(buildServer({ state: 'Requested' }));
    const id = created?.server.id ?? '';
    const steps: [ServerState, boolean][] = [
      ['Creating', true], ['Running', true], ['Stopping', true], ['Stopped', false],
      ['Starting', true], ['Running', true], ['Failed', false], ['Deleting', true], ['Deleted', false],
    ];
    expect(await indexedIds(index)).toEqual([id]);
    for (const [state, active] of steps) {
      await repository.update(id, withState(state));
      expect({ state, indexed: await indexedIds(index) }).toEqual({ state, indexed: active ? [id] : [] });
      expect({ state, active: (await repository.listActive()).map((server) => server.id) }).toEqual({ state, active: active ? [id] : [] });
    }
  });

  it('does not index a server created at rest', async () => {
    const { repository, index } = await fixture();
    await repository.create(buildServer({ state: 'Stopped' }));
    expect(await indexedIds(index)).toEqual([]);
    expect(await repository.listActive()).toEqual([]);
  });

  it('keeps the row when a write back to active lands between a stop and its clean-up', async () => {
    const { repository, index, another } = await fixture();
    const created = await repository.create(buildServer({ state: 'Running' }));
    const id = created?.server.id ?? '';
    const competitor = another();
    // Right after the stop is stored, and before its clean-up reads the index, a spawn writes the server back to Starting.
    const read = ActiveIndex.prototype.read;
    let interleaved = false;
    const spy = jest.spyOn(ActiveIndex.prototype, 'read').mockImplementation(async function (this: InstanceType<typeof ActiveIndex>, rowId: string) {
      if (!interleaved && rowId === id) {
        interleaved = true;
        await competitor.update(id, withState('Starting'));
      }
      return read.call(this, rowId);
    });
    try {
      await repository.update(id, withState('Stopped'));
    } finally {
      spy.mockRestore();
    }
    expect(interleaved).toBe(true);
    expect((await repository.get(id))?.server.state).toBe('Starting');
    expect(await indexedIds(index)).toEqual([id]);
    expect((await repository.listActive()).map((server) => server.id)).toEqual([id]);
  });

  it('keeps the row while a writer that upserted it has yet to store the server', async () => {
    const { repository, index, servers } = await fixture();
    const created = await repository.create(buildServer({ state: 'Running' }));
    const id = created?.server.id ?? '';
    const read = ActiveIndex.prototype.read;
    let resting = '';
    const spy = jest.spyOn(ActiveIndex.prototype, 'read').mockImplementation(async function (this: InstanceType<typeof ActiveIndex>, rowId: string) {
      if (resting === '' && rowId === id) {
        // A second writer read the stopped server and upserted its intent; its main write comes later.
        resting = (await servers.getEntity(id, SERVER_ROW_KEY)).etag;
        await this.markActive(buildServer({ id, state: 'Starting' }), resting, new Date());
      }
      return read.call(this, rowId);
    });
    let stopped;
    try {
      stopped = await repository.update(id, withState('Stopped'));
    } finally {
      spy.mockRestore();
    }
    if (stopped == null) throw new Error('not stored');
    expect(stopped.etag).toBe(resting);
    expect(await indexedIds(index)).toEqual([id]);
    // The second writer's main write now succeeds, and the server is still indexed.
    await repository.replace({ ...stopped.server, state: 'Starting' }, resting);
    expect((await repository.listActive()).map((server) => server.id)).toEqual([id]);
  });

  it('lists only servers not at rest and cleans up rows that no write needs', async () => {
    const { repository, index, servers, events } = await fixture();
    const running = await repository.create(buildServer({ state: 'Running' }));
    const stopped = await repository.create(buildServer({ state: 'Stopped' }));
    const failed = await repository.create(buildServer({ state: 'Failed' }));
    const now = Date.now();
    const row = (id: string, baseEtag: string, minutesAgo: number) => ({
      partitionKey: ACTIVE_PARTITION, rowKey: id, state: 'Running', baseEtag, intentAt: new Date(now - minutesAgo * 60_000).toISOString(),
    });
    const unreadableId = 'ci-pppppppppppppppppppp1';
    await servers.upsertEntity({ partitionKey: unreadableId, rowKey: SERVER_ROW_KEY, state: 'Running' });
    const stale = [
      row(stopped?.server.id ?? '', 'W/"older"', 0), // written on an older ETag: that write cannot land
      row('ci-000000000000000000gone', 'W/"x"', 0), // the server does not exist and no create is pending
      row('ci-00000000000000000gone2', '', 10), // a create that never happened
    ];
    const kept = [
      row(failed?.server.id ?? '', failed?.etag ?? '', 0), // a writer is about to write on top of the current ETag
      row('ci-00000000000000000fresh', '', 0), // a create in flight
      row(unreadableId, 'W/"y"', 0), // cannot tell: keep
    ];
    for (const entity of [...stale, ...kept]) await index.upsertEntity(entity, 'Replace');

    const active = await repository.listActive();
    expect(active.map((server) => server.id)).toEqual([running?.server.id]);
    expect(await indexedIds(index)).toEqual([running?.server.id ?? '', ...kept.map((entity) => entity.rowKey)].sort());
    expect(events.filter((entry) => entry.event === 'active-index-row-dropped')).toHaveLength(stale.length);
    expect(events).toContainEqual({ event: 'server-entity-unreadable', fields: expect.objectContaining({ serverId: unreadableId }) });
  });

  it("lists one user's, or one project and size's, active servers, reading only those", async () => {
    const { repository } = await fixture();
    const alice = await repository.create(buildServer({ user: 'alice', state: 'Running' }));
    await repository.create(buildServer({ user: 'alice', state: 'Stopped' }));
    const aliceGpu = await repository.create(buildServer({ user: 'alice', size: 'GPU', state: 'Creating' }));
    const bobGpu = await repository.create(buildServer({ user: 'bob', size: 'GPU', state: 'Running' }));
    await repository.create(buildServer({ user: 'bob', project: 'ocean-lab', size: 'GPU', state: 'Running' }));
    for (let i = 0; i < 10; i += 1) await repository.create(buildServer({ user: `user-${i}`, state: 'Running' }));
    const ids = (servers: { id: string }[]) => servers.map((server) => server.id).sort();

    const reads = jest.spyOn(TableClient.prototype, 'getEntity');
    try {
      expect(ids(await repository.listActive({ user: 'alice' }))).toEqual(ids([alice!.server, aliceGpu!.server]));
      expect(reads).toHaveBeenCalledTimes(2);
      expect(ids(await repository.listActive({ project: 'climate-lab', size: 'GPU' }))).toEqual(ids([aliceGpu!.server, bobGpu!.server]));
      expect(await repository.listActive({ user: "o'brien" })).toEqual([]);
    } finally {
      reads.mockRestore();
    }
    expect(await repository.listActive()).toHaveLength(14);
  });

  it('reads every page of the index', async () => {
    const { repository, index } = await fixture();
    // 1,200 pending creates (kept, not returned) sort before the one running server, which lands on the second page.
    for (let batch = 0; batch < 12; batch += 1) {
      await index.submitTransaction(Array.from({ length: 100 }, (_, offset) => ['upsert', {
        partitionKey: ACTIVE_PARTITION,
        rowKey: `ci-0${String(batch * 100 + offset).padStart(20, '0')}`,
        state: 'Requested', baseEtag: '', intentAt: new Date().toISOString(),
      }] as const));
    }
    const running = await repository.create(buildServer({ id: 'ci-pppppppppppppppppppp9', state: 'Running' }));
    expect((await repository.listActive()).map((server) => server.id)).toEqual([running?.server.id]);
    expect(await indexedIds(index)).toHaveLength(1201);
  });
});
