/** Reading servers back (use cases behind GET /api/servers and GET /api/servers/{id}), over the in-memory repository. */
import { KEY_CALLER, type Caller } from '../../shared/domain/caller';
import { AppError } from '../../shared/domain/errors';
import type { ServerListQuery } from '../../shared/domain/ports';
import { listServers, serverStatus } from '../../shared/use-cases/read-servers';
import { reachServer } from '../../shared/use-cases/server-access';
import { InMemoryServerRepository } from '../support/in-memory-server-repository';
import { buildServer } from '../support/server-builder';

const ALICE_OID = '11111111-1111-4111-8111-111111111111';
const BOB_OID = '22222222-2222-4222-8222-222222222222';
const hub: Caller = { via: 'token', roles: ['Hub'], objectId: '33333333-3333-4333-8333-333333333333' };
const alice: Caller = { via: 'token', roles: [], objectId: ALICE_OID };
const bob: Caller = { via: 'token', roles: [], objectId: BOB_OID };

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'none';
  } catch (error) {
    return error instanceof AppError ? error.code : String(error);
  }
}

describe('one server, as the caller may see it', () => {
  it('answers the stored server to the hub, the key and its owner', async () => {
    const servers = new InMemoryServerRepository();
    const server = buildServer({ userObjectId: ALICE_OID.toUpperCase(), state: 'Running' });
    await servers.create(server);
    for (const caller of [hub, KEY_CALLER, alice]) {
      expect(await serverStatus({ servers }, caller, server.id)).toMatchObject({ id: server.id, state: 'Running' });
    }
  });

  it('answers server-not-found to the hub for an unknown id', async () => {
    const servers = new InMemoryServerRepository();
    expect(await codeOf(serverStatus({ servers }, hub, 'ci-aaaaaaaaaaaaaaaaaaaaa'))).toBe('server-not-found');
  });

  it("answers forbidden to a person for another person's server and for an unknown id alike", async () => {
    const servers = new InMemoryServerRepository();
    const server = buildServer({ userObjectId: ALICE_OID });
    await servers.create(server);
    expect(await codeOf(serverStatus({ servers }, bob, server.id))).toBe('forbidden');
    expect(await codeOf(serverStatus({ servers }, bob, 'ci-aaaaaaaaaaaaaaaaaaaaa'))).toBe('forbidden');
    // A server spawned without an object id is no person's.
    const anonymous = buildServer({ userObjectId: null });
    await servers.create(anonymous);
    expect(await codeOf(reachServer(servers, alice, anonymous.id))).toBe('forbidden');
  });
});

describe('the listing', () => {
  it('filters by user and never returns a page longer than the configured maximum', async () => {
    const servers = new InMemoryServerRepository();
    for (let i = 0; i < 5; i += 1) await servers.create(buildServer({ user: 'alice', serverName: `s${i}` }));
    await servers.create(buildServer({ user: 'bob' }));
    const query: ServerListQuery = { user: 'alice', limit: 1000 };
    const page = await listServers({ servers }, { pageSizeMax: 3 }, query);
    expect(page.servers).toHaveLength(3);
    expect(page.servers.every((server) => server.user === 'alice')).toBe(true);
  });

  it("keeps the caller's smaller limit", async () => {
    const servers = new InMemoryServerRepository();
    for (let i = 0; i < 4; i += 1) await servers.create(buildServer({ serverName: `s${i}` }));
    const page = await listServers({ servers }, { pageSizeMax: 100 }, { limit: 2 });
    expect(page.servers).toHaveLength(2);
  });
});
