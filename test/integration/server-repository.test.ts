/**
 * The Table Storage repository against a real Azurite, through the real @azure/data-tables clients.
 */
import { TableClient } from '@azure/data-tables';
import type { TableServerRepository } from '../../shared/adapters/table';
import { SERVER_ROW_KEY } from '../../shared/adapters/table/server-entity';
import type { Server, ServerState } from '../../shared/domain/server';
import { startAzurite, type AzuriteHandle } from '../../local/storage';
import { buildServer } from '../support/server-builder';
import { expectAppError, repositoryFixture, withState, type RepositoryFixture } from '../support/table-repository-fixture';

let azurite: AzuriteHandle;

beforeAll(async () => {
  azurite = await startAzurite({ inMemory: true });
});

afterAll(async () => {
  await azurite?.stop();
});

describe('TableServerRepository on Azurite', () => {
  let f: RepositoryFixture;
  beforeAll(async () => {
    f = await repositoryFixture(azurite.connectionString);
  });

  describe('create, point read, replace', () => {
    it('creates a server once and reads it back by id', async () => {
      const server = buildServer({ user: 'carol', userObjectId: '11111111-2222-3333-4444-555555555555' });
      const created = await f.repository.create(server);
      expect(created?.server).toEqual(server);
      expect(created?.etag).toEqual(expect.any(String));

      expect(await f.repository.get(server.id)).toEqual(created);
      expect(await f.repository.create({ ...server, user: 'mallory' })).toBeNull();
      expect((await f.repository.get(server.id))?.server.user).toBe('carol');
    });

    it('answers null for an unknown id, including ids no key could hold', async () => {
      for (const id of ['ci-000000000000000000000', "x' or true or '", 'a/b', 'q?x', '#', '']) {
        expect(await f.repository.get(id)).toBeNull();
      }
    });

    it('replaces with the current ETag and refuses a stale one', async () => {
      const created = await f.repository.create(buildServer());
      if (created === null) throw new Error('not created');
      const running = { ...created.server, state: 'Running' as const, url: 'https://lab.example/', amlState: 'Running' };
      const replaced = await f.repository.replace(running, created.etag);
      expect(replaced.server).toEqual(running);
      expect(replaced.etag).not.toBe(created.etag);

      const error = await expectAppError(f.repository.replace({ ...running, url: null }, created.etag), 'concurrent-update');
      expect(error.status).toBe(409);
      expect((await f.repository.get(running.id))?.server.url).toBe('https://lab.example/');
    });

    it('clears a column when the field becomes null', async () => {
      const created = await f.repository.create(buildServer({ url: 'https://lab.example/', error: { code: 'X', message: 'y' } }));
      if (created === null) throw new Error('not created');
      await f.repository.replace({ ...created.server, url: null, error: null }, created.etag);
      const stored = await f.servers.getEntity(created.server.id, SERVER_ROW_KEY);
      expect(stored).not.toHaveProperty('url');
      expect(stored).not.toHaveProperty('error');
      expect((await f.repository.get(created.server.id))?.server).toMatchObject({ url: null, error: null });
    });

    it('refuses to replace a server that does not exist', async () => {
      await expectAppError(f.repository.replace(buildServer(), 'W/"datetime\'2020-01-01T00%3A00%3A00Z\'"'), 'server-not-found');
    });

    it('stores a long progress list capped, and returns exactly what it stored', async () => {
      const progress = Array.from({ length: 400 }, (_, index) => ({
        at: new Date(Date.UTC(2025, 0, 1, 0, 0, index)).toISOString(),
        progress: Math.min(100, index),
        message: `step ${index} ${'·'.repeat(900)}`,
      }));
      const created = await f.repository.create(buildServer({ progress }));
      const stored = await f.repository.get(created?.server.id ?? '');
      expect(stored?.server).toEqual(created?.server);
      const kept = stored?.server.progress ?? [];
      expect(kept[0]).toEqual(progress[0]);
      expect(kept[kept.length - 1]).toEqual(progress[399]);
      expect(JSON.stringify(kept).length).toBeLessThanOrEqual(30_000);
    });

    it('creating the tables again is harmless', async () => {
      await expect(f.repository.ensureTables()).resolves.toBeUndefined();
    });
  });

  describe('update', () => {
    it('applies the mutation, and writes nothing when it answers null', async () => {
      const created = await f.repository.create(buildServer());
      if (created === null) throw new Error('not created');
      const updated = await f.repository.update(created.server.id, withState('Creating'));
      expect(updated?.server.state).toBe('Creating');
      const untouched = await f.repository.update(created.server.id, () => null);
      expect(untouched).toEqual(updated);
      expect(await f.repository.update('ci-000000000000000000000', withState('Running'))).toBeNull();
    });

    it('lets two racing writers both land: one wins, the other retries on the new ETag', async () => {
      const created = await f.repository.create(buildServer({ state: 'Running', progress: [] }));
      if (created === null) throw new Error('not created');
      const id = created.server.id;
      // Hold the first two reads of this server until both are in flight, so both writers start from one ETag.
      const getEntity = TableClient.prototype.getEntity;
      let release: () => void = () => undefined;
      const bothRead = new Promise<void>((resolve) => (release = resolve));
      let reads = 0;
      const spy = jest.spyOn(TableClient.prototype, 'getEntity').mockImplementation(async function (this: TableClient, ...args) {
        const result = await getEntity.apply(this, args);
        if (args[0] === id && this.tableName === f.servers.tableName) {
          reads += 1;
          if (reads === 2) release();
          if (reads <= 2) await bothRead;
        }
        return result as never;
      });
      const calls: string[] = [];
      const append = (writer: string) => (server: Server): Server => {
        calls.push(writer);
        return { ...server, progress: [...server.progress, { at: new Date().toISOString(), progress: 50, message: writer }] };
      };
      const second = f.another();
      try {
        const [a, b] = await Promise.all([f.repository.update(id, append('A')), second.update(id, append('B'))]);
        // Three mutations: both writers once on the shared ETag, the loser once more on the winner's.
        expect(calls).toHaveLength(3);
        expect(new Set(calls)).toEqual(new Set(['A', 'B']));
        const final = await f.repository.get(id);
        expect(final?.server.progress.map((event) => event.message).sort()).toEqual(['A', 'B']);
        expect([a?.etag, b?.etag]).toContain(final?.etag);
      } finally {
        spy.mockRestore();
      }
    });

    it('keeps every change when many writers race', async () => {
      const created = await f.repository.create(buildServer({ state: 'Running', progress: [] }));
      if (created === null) throw new Error('not created');
      const writers = Array.from({ length: 6 }, (_, index) => `writer-${index}`);
      const patient = f.another({ maxUpdateAttempts: 20 });
      let calls = 0;
      await Promise.all(writers.map((writer) => patient.update(created.server.id, (server) => {
        calls += 1;
        return { ...server, progress: [...server.progress, { at: new Date().toISOString(), progress: 1, message: writer }] };
      })));
      const final = await f.repository.get(created.server.id);
      expect(final?.server.progress.map((event) => event.message).sort()).toEqual(writers);
      expect(calls).toBeGreaterThan(writers.length);
    });

    it('gives up with concurrent-update after a bounded number of attempts', async () => {
      const bounded = await repositoryFixture(azurite.connectionString, { maxUpdateAttempts: 3 });
      const created = await bounded.repository.create(buildServer({ state: 'Running' }));
      if (created === null) throw new Error('not created');
      const id = created.server.id;
      // Someone else writes the server right after each of our reads, so our ETag is always stale.
      const getEntity = TableClient.prototype.getEntity;
      const spy = jest.spyOn(TableClient.prototype, 'getEntity').mockImplementation(async function (this: TableClient, ...args) {
        const result = await getEntity.apply(this, args);
        if (args[0] === id && this.tableName === bounded.servers.tableName) {
          await bounded.servers.updateEntity({ partitionKey: id, rowKey: SERVER_ROW_KEY, lastActivityAt: new Date().toISOString() }, 'Merge');
        }
        return result as never;
      });
      let calls = 0;
      try {
        await expectAppError(bounded.repository.update(id, (server) => {
          calls += 1;
          return { ...server, amlState: 'Running' };
        }), 'concurrent-update');
      } finally {
        spy.mockRestore();
      }
      expect(calls).toBe(3);
    });
  });

  describe('list', () => {
    let listing: RepositoryFixture;
    const ids = { paula: [] as string[], paulaClimateRunning: [] as string[], all: [] as string[] };
    beforeAll(async () => {
      listing = await repositoryFixture(azurite.connectionString);
      const plan: [string, string, ServerState, number][] = [
        ['paula', 'climate-lab', 'Running', 8],
        ['paula', 'climate-lab', 'Stopped', 7],
        ['paula', 'ocean-lab', 'Running', 8],
        ['quentin', 'climate-lab', 'Running', 5],
      ];
      for (const [user, project, state, count] of plan) {
        for (let index = 0; index < count; index += 1) {
          const created = await listing.repository.create(buildServer({ user, project, state }));
          const id = created?.server.id ?? '';
          ids.all.push(id);
          if (user === 'paula') ids.paula.push(id);
          if (user === 'paula' && project === 'climate-lab' && state === 'Running') ids.paulaClimateRunning.push(id);
        }
      }
    });

    async function walk(query: Omit<Parameters<TableServerRepository['list']>[0], 'continuationToken'>) {
      const seen: Server[] = [];
      const pageSizes: number[] = [];
      let continuationToken: string | undefined;
      do {
        const page = await listing.repository.list({ ...query, continuationToken });
        seen.push(...page.servers);
        pageSizes.push(page.servers.length);
        continuationToken = page.continuationToken ?? undefined;
      } while (continuationToken !== undefined && pageSizes.length < 100);
      return { ids: seen.map((server) => server.id), servers: seen, pageSizes };
    }

    it('pages through one user\'s servers with the continuation token', async () => {
      const result = await walk({ user: 'paula', limit: 4 });
      expect(result.ids.sort()).toEqual([...ids.paula].sort());
      expect(new Set(result.ids).size).toBe(result.ids.length);
      expect(result.pageSizes.length).toBeGreaterThanOrEqual(6);
      expect(Math.max(...result.pageSizes)).toBeLessThanOrEqual(4);
      expect(result.pageSizes.slice(0, 5)).toEqual([4, 4, 4, 4, 4]);
    });

    it('combines user, project and state', async () => {
      const result = await walk({ user: 'paula', project: 'climate-lab', state: 'Running', limit: 3 });
      expect(result.ids.sort()).toEqual([...ids.paulaClimateRunning].sort());
      expect(result.servers.every((server) => server.state === 'Running' && server.project === 'climate-lab')).toBe(true);
    });

    it('lists every server without criteria', async () => {
      const result = await walk({ limit: 7 });
      expect(result.ids.sort()).toEqual([...ids.all].sort());
    });

    it.each([
      ['a word', 'not-a-token'],
      ['base64 of an empty object', Buffer.from('{}').toString('base64')],
      ['base64 of a list', Buffer.from('[1]').toString('base64')],
      ['base64 of text', Buffer.from('next page please').toString('base64')],
      ['percent signs', '%%%'],
    ])('turns a malformed continuation token (%s) into invalid-request', async (_name, continuationToken) => {
      const error = await expectAppError(listing.repository.list({ user: 'paula', limit: 5, continuationToken }), 'invalid-request');
      expect(error.status).toBe(400);
      expect(error.errors?.[0]?.field).toBe('continuationToken');
    });

    it('answers a well-formed token that points past the end with an empty page', async () => {
      const continuationToken = Buffer.from(JSON.stringify({ nextPartitionKey: "zz' or ''='" })).toString('base64');
      expect(await listing.repository.list({ user: 'paula', limit: 5, continuationToken })).toEqual({ servers: [], continuationToken: null });
    });

    it.each([0, -1, 2.5, 1001])('refuses limit %p', async (limit) => {
      await expectAppError(listing.repository.list({ limit }), 'invalid-request');
    });
  });

  describe('user names are data, never query syntax', () => {
    const names = ["o'brien", "o''brien", "x' or true or '", "PartitionKey ne ''", "' or user ne '", 'Zoë Ångström', '日本語のユーザー', 'emoji 🚀 user', 'and', ''];
    const idByName = new Map<string, string>();
    let victimId = '';
    beforeAll(async () => {
      victimId = (await f.repository.create(buildServer({ user: 'victim' })))?.server.id ?? '';
      for (const user of names) idByName.set(user, (await f.repository.create(buildServer({ user })))?.server.id ?? '');
    });

    it.each(names)('stores %j literally and lists only that user\'s server', async (user) => {
      const page = await f.repository.list({ user, limit: 50 });
      expect(page.servers.map((server) => server.id)).toEqual([idByName.get(user)]);
      expect(page.servers[0].user).toBe(user);
      expect((await f.repository.get(idByName.get(user) ?? ''))?.server.user).toBe(user);
    });

    it('matches nothing for a name nobody has, whatever it contains', async () => {
      for (const user of ["' or 1 eq 1 or user eq '", "victim' or user eq 'victim", 'VICTIM', 'victim ']) {
        expect((await f.repository.list({ user, limit: 50 })).servers).toEqual([]);
      }
      expect((await f.repository.list({ user: 'victim', limit: 50 })).servers.map((server) => server.id)).toEqual([victimId]);
    });

    it('treats quotes in project filters the same way', async () => {
      expect((await f.repository.list({ user: 'victim', project: "climate-lab' or 'a' eq 'a", limit: 50 })).servers).toEqual([]);
    });
  });

  describe('unreadable entities', () => {
    it('are skipped by the listing and reported, and a point read fails cleanly', async () => {
      const id = 'ci-pppppppppppppppppppp0';
      await f.servers.upsertEntity({ partitionKey: id, rowKey: SERVER_ROW_KEY, user: 'broken-user', state: 'Exploded', progress: '{' });
      const ok = await f.repository.create(buildServer({ user: 'broken-user' }));
      const page = await f.repository.list({ user: 'broken-user', limit: 10 });
      expect(page.servers.map((server) => server.id)).toEqual([ok?.server.id]);
      expect(f.events).toContainEqual({ event: 'server-entity-unreadable', fields: expect.objectContaining({ serverId: id }) });
      const error = await expectAppError(f.repository.get(id), 'internal');
      expect(error.message).toContain(id);
    });
  });
});
