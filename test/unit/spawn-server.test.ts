import { isAppError } from '../../shared/domain/errors';
import { serverIdFor } from '../../shared/domain/naming';
import type { Dependencies } from '../../shared/use-cases/dependencies';
import { spawnServer, type SpawnRequest } from '../../shared/use-cases/spawn-server';
import { stopServer } from '../../shared/use-cases/stop-server';
import { InMemoryServerRepository } from '../support/in-memory-server-repository';
import { RecordingOrchestrationControl } from '../support/recording-orchestration-control';
import { ScriptedAmlGateway, SEED_TENANT_ID } from '../support/scripted-aml-gateway';
import { buildServer } from '../support/server-builder';
import { testDependencies, testSettings } from '../support/test-dependencies';

/** alice's object id in the emulator seed. */
const ALICE = 'a11ce000-0000-4000-8000-000000000001';
const BOB = 'b0b00000-0000-4000-8000-000000000002';
const OTHER_TENANT = '7e4a9000-0000-4000-8000-0000000000aa';
const request: SpawnRequest = { user: 'alice', project: 'climate-lab', size: 'Medium', serverName: '', userObjectId: ALICE, tenantId: null };

function setUp(options: { settings?: Record<string, string>; serverId?: Dependencies['serverId'] } = {}) {
  const servers = new InMemoryServerRepository();
  const aml = new ScriptedAmlGateway();
  const deps = testDependencies({ servers, aml, settings: testSettings(options.settings), serverId: options.serverId });
  return { servers, aml, deps, control: new RecordingOrchestrationControl() };
}

const refusal = (promise: Promise<unknown>) => promise.then(() => null, (error: unknown) => error);

describe('spawnServer', () => {
  it('records one server for many concurrent identical spawns', async () => {
    const { servers, deps, control } = setUp();
    const results = await Promise.all(Array.from({ length: 20 }, () => spawnServer(deps, control, request)));
    const ids = new Set(results.map((result) => result.server.id));
    expect(ids.size).toBe(1);
    expect(results.every((result) => result.accepted)).toBe(true);
    expect((await servers.list({ limit: 100 })).servers).toHaveLength(1);
  });

  it('answers the running server without starting anything', async () => {
    const { servers, deps, control } = setUp();
    const { server } = await spawnServer(deps, control, request);
    await servers.update(server.id, (s) => ({ ...s, state: 'Running' }));
    control.requests.length = 0;
    const again = await spawnServer(deps, control, request);
    expect(again.accepted).toBe(false);
    expect(control.requests).toEqual([]);
  });

  it('refuses with 409 and Retry-After while the server is stopping', async () => {
    const { deps, control } = setUp();
    const { server } = await spawnServer(deps, control, request);
    await stopServer(deps, control, server.id, 'user');
    const error = await spawnServer(deps, control, request).catch((caught: unknown) => caught);
    expect(isAppError(error, 'server-busy')).toBe(true);
    expect(isAppError(error) && error.retryAfterSeconds).toBe(deps.settings.busyRetryAfterSeconds);
  });

  it('starts a fresh run for a stopped server, clearing the last run', async () => {
    const { servers, deps, control } = setUp();
    const { server } = await spawnServer(deps, control, request);
    await servers.update(server.id, (s) => ({ ...s, state: 'Stopped', error: { code: 'x', message: 'old' }, stopReason: 'idle' }));
    const again = await spawnServer(deps, control, request);
    expect(again.server).toMatchObject({ state: 'Requested', error: null, stopReason: null });
    expect(again.server.progress).toHaveLength(1);
  });

  it.each([
    ['unknown project', { project: 'no-such-lab' }, 'project-not-found'],
    ['size the region lacks', { size: 'Large' as const }, 'size-unavailable'],
  ])('refuses a %s', async (_name, change, code) => {
    const { deps, control, servers } = setUp();
    const error = await spawnServer(deps, control, { ...request, ...change }).catch((caught: unknown) => caught);
    expect(isAppError(error) && error.code).toBe(code);
    expect((await servers.list({ limit: 10 })).servers).toHaveLength(0);
    expect(control.requests).toEqual([]);
  });
});

describe('spawnServer: who the instance is for (APPLICATION_SHARING_POLICY)', () => {
  it('refuses a Personal spawn without the person\'s object id, before anything is stored or asked of Azure', async () => {
    const { servers, aml, deps, control } = setUp();
    expect(deps.settings.applicationSharingPolicy).toBe('Personal');
    const error = await refusal(spawnServer(deps, control, { ...request, userObjectId: null }));
    expect(isAppError(error, 'user-object-id-required')).toBe(true);
    expect(isAppError(error) && error.status).toBe(400);
    expect(isAppError(error) && error.message).toMatch(/Entra object id .*c\.Authenticator\.enable_auth_state/);
    expect((await servers.list({ limit: 10 })).servers).toEqual([]);
    expect(control.requests).toEqual([]);
    expect(aml.calls).toEqual([]);
  });

  it('refuses it also for a server already stored and running', async () => {
    const { servers, deps, control } = setUp();
    const { server } = await spawnServer(deps, control, request);
    await servers.update(server.id, (s) => ({ ...s, state: 'Running' }));
    const before = await servers.get(server.id);
    const error = await refusal(spawnServer(deps, control, { ...request, userObjectId: null }));
    expect(isAppError(error, 'user-object-id-required')).toBe(true);
    expect(await servers.get(server.id)).toEqual(before);
  });

  it('keeps the tenant the hub sent', async () => {
    const { deps, control } = setUp({ settings: { ENTRA_TENANT_ID: OTHER_TENANT.replace('aa', 'bb') } });
    const { server } = await spawnServer(deps, control, { ...request, tenantId: OTHER_TENANT });
    expect(server).toMatchObject({ userObjectId: ALICE, tenantId: OTHER_TENANT });
  });

  it('takes ENTRA_TENANT_ID for an object id sent without its tenant, without asking Azure', async () => {
    const { aml, deps, control } = setUp({ settings: { ENTRA_TENANT_ID: OTHER_TENANT } });
    const { server } = await spawnServer(deps, control, request);
    expect(server).toMatchObject({ userObjectId: ALICE, tenantId: OTHER_TENANT });
    expect(aml.calls).not.toContain('subscription');
  });

  it("takes the subscription's own tenant when ENTRA_TENANT_ID is not set", async () => {
    const { aml, deps, control } = setUp();
    const { server } = await spawnServer(deps, control, request);
    expect(server).toMatchObject({ userObjectId: ALICE, tenantId: SEED_TENANT_ID });
    expect(aml.calls).toContain('subscription');
  });

  it('with Shared, spawns without an object id and assigns nobody', async () => {
    const { servers, deps, control } = setUp({ settings: { APPLICATION_SHARING_POLICY: 'Shared' } });
    const { server, accepted } = await spawnServer(deps, control, { ...request, userObjectId: null });
    expect(accepted).toBe(true);
    expect(server).toMatchObject({ userObjectId: null, tenantId: null, hubId: 'hub', state: 'Requested' });
    expect((await servers.list({ limit: 10 })).servers).toHaveLength(1);
  });

  it('gives a stopped server stored without an assignee the spawn\'s, so its create assigns the person', async () => {
    const { servers, deps, control } = setUp();
    const id = serverIdFor({ hubId: 'hub', user: 'alice', project: 'climate-lab', vmSize: 'Standard_DS3_v2', serverName: '' });
    await servers.create(buildServer({ id, state: 'Stopped', userObjectId: null, tenantId: null }));
    const { server } = await spawnServer(deps, control, request);
    expect(server).toMatchObject({ id, state: 'Requested', userObjectId: ALICE, tenantId: SEED_TENANT_ID });
  });

  it('fills in the tenant of a stopped server stored with its object id only', async () => {
    const { servers, deps, control } = setUp();
    const id = serverIdFor({ hubId: 'hub', user: 'alice', project: 'climate-lab', vmSize: 'Standard_DS3_v2', serverName: '' });
    await servers.create(buildServer({ id, state: 'Stopped', userObjectId: ALICE.toUpperCase(), tenantId: null }));
    const { server } = await spawnServer(deps, control, request);
    expect(server).toMatchObject({ id, state: 'Requested', userObjectId: ALICE.toUpperCase(), tenantId: SEED_TENANT_ID });
  });
});

describe('spawnServer: an id stored for another server (id-collision)', () => {
  /** Every identity hashes to this one id, as a collision of the real formula would. */
  const COLLIDING_ID = 'ci-0123456789abcdef01234';
  const collide = () => COLLIDING_ID;

  it('stores the hub with the server', async () => {
    const { deps, control } = setUp({ settings: { HUB_ID: 'staging' } });
    const { server } = await spawnServer(deps, control, request);
    expect(server.hubId).toBe('staging');
    expect(server.id).toBe(serverIdFor({ hubId: 'staging', user: 'alice', project: 'climate-lab', vmSize: 'Standard_DS3_v2', serverName: '' }));
  });

  it.each<[string, Partial<SpawnRequest>, Record<string, string>]>([
    ['another user', { user: 'bob', userObjectId: BOB }, {}],
    ['another server name', { serverName: 'gpu-run' }, {}],
    ['another hub', {}, { HUB_ID: 'staging' }],
  ])('refuses %s with 409 id-collision, changing nothing', async (_name, change, settings) => {
    const servers = new InMemoryServerRepository();
    const first = testDependencies({ servers, aml: new ScriptedAmlGateway(), serverId: collide });
    const control = new RecordingOrchestrationControl();
    for (const state of ['Requested', 'Running', 'Stopped', 'Stopping'] as const) {
      const { server } = await spawnServer(first, control, request);
      await servers.update(server.id, (s) => ({ ...s, state }));
      const before = await servers.get(COLLIDING_ID);
      control.requests.length = 0;
      const second = testDependencies({ servers, aml: new ScriptedAmlGateway(), settings: testSettings(settings), serverId: collide });
      const error = await refusal(spawnServer(second, control, { ...request, ...change }));
      expect(isAppError(error, 'id-collision')).toBe(true);
      expect(isAppError(error) && error.status).toBe(409);
      // The other person's name is not told to this one.
      expect(isAppError(error) && error.message).not.toContain("'alice'");
      expect(await servers.get(COLLIDING_ID)).toEqual(before);
      expect(control.requests).toEqual([]);
    }
  });

  it('refuses another project under the same id', async () => {
    const { servers, deps, control } = setUp({ serverId: collide });
    await servers.create(buildServer({ id: COLLIDING_ID, project: 'ocean-lab', state: 'Running', hubId: 'hub' }));
    expect(isAppError(await refusal(spawnServer(deps, control, request)), 'id-collision')).toBe(true);
  });

  it('refuses a server stored before hubs were recorded: it cannot be shown to be this hub\'s', async () => {
    const { servers, deps, control } = setUp({ serverId: collide });
    await servers.create(buildServer({ id: COLLIDING_ID, hubId: null, state: 'Stopped' }));
    expect(isAppError(await refusal(spawnServer(deps, control, request)), 'id-collision')).toBe(true);
    expect(control.requests).toEqual([]);
  });

  it('still answers the same identity its own server', async () => {
    const { deps, control } = setUp({ serverId: collide });
    const first = await spawnServer(deps, control, request);
    const again = await spawnServer(deps, control, request);
    expect(again.server.id).toBe(first.server.id);
  });
});
