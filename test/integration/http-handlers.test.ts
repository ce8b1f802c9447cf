/**
 * Every HTTP route, called as the worker calls it, over the real Table repository (Azurite):
 * good input, bad input (4xx problem+json, nothing stored changes) and the contract in openapi.yaml.
 */
import { AppError } from '../../shared/domain/errors';
import { TableServerRepository } from '../../shared/adapters/table';
import { httpFunctions, TestRoot } from '../support/app-root';
import type { Dependencies } from '../../shared/use-cases/dependencies';
import { startAzurite, type AzuriteHandle } from '../../local/storage';
import { invoke, invokeConforming } from '../support/http-invoke';
import { RecordingOrchestrationControl } from '../support/recording-orchestration-control';
import { ScriptedAmlGateway, SEED_TENANT_ID } from '../support/scripted-aml-gateway';
import { testDependencies, testSettings } from '../support/test-dependencies';

const testRoot = new TestRoot();
const { activity, remove, health, list, notFound, options, spawn, status, stop } = httpFunctions(testRoot.root);

let azurite: AzuriteHandle;
let deps: Dependencies;
let repository: TableServerRepository;
let control: RecordingOrchestrationControl;
let table = 0;

beforeAll(async () => {
  azurite = await startAzurite({ inMemory: true });
});
afterAll(async () => {
  await azurite.stop();
});
beforeEach(async () => {
  repository = new TableServerRepository({ connectionString: azurite.connectionString, tableName: `handlers${++table}` });
  await repository.ensureTables();
  deps = testDependencies({ servers: repository, aml: new ScriptedAmlGateway() });
  control = new RecordingOrchestrationControl();
  testRoot.use(deps, () => control);
});

/** alice's object id in the emulator seed: instances are Personal, so a spawn names the person. */
const ALICE_OID = 'a11ce000-0000-4000-8000-000000000001';
const spawnBody = { user: 'alice', project: 'climate-lab', size: 'Medium', userObjectId: ALICE_OID };
const spawnCall = (body: unknown) => invokeConforming('spawn', spawn, { method: 'POST', path: '/api/servers', body });
/** Where a person may land on any project. */
const STANDARD_APPS = [{ id: 'jupyterlab', name: 'JupyterLab' }, { id: 'jupyter', name: 'Jupyter' }, { id: 'vscode', name: 'VS Code' }];
const everything = async () => (await repository.list({ limit: 1000 })).servers;

describe('POST /api/servers (spawn)', () => {
  it('answers 202 with Location, and the same server again for the same inputs', async () => {
    const first = await spawnCall(spawnBody);
    expect(first.status).toBe(202);
    const server = first.body as { id: string; state: string; vmSize: string };
    expect(first.headers.location).toBe(`/api/servers/${server.id}`);
    expect(server).toMatchObject({ state: 'Requested', vmSize: 'Standard_DS3_v2' });
    const again = await spawnCall(spawnBody);
    expect((again.body as { id: string }).id).toBe(server.id);
    expect(await everything()).toHaveLength(1);
    expect(control.requests).toEqual([`provision ${server.id}`, `provision ${server.id}`]);
  });

  it('answers 200 when the server is already running', async () => {
    const { body } = await spawnCall(spawnBody);
    const id = (body as { id: string }).id;
    await repository.update(id, (s) => ({ ...s, state: 'Running', url: 'https://x/lab' }));
    const again = await spawnCall(spawnBody);
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ id, state: 'Running' });
  });

  it('answers 409 with Retry-After while the server is stopping', async () => {
    const { body } = await spawnCall(spawnBody);
    await repository.update((body as { id: string }).id, (s) => ({ ...s, state: 'Stopping' }));
    const busy = await spawnCall(spawnBody);
    expect(busy.status).toBe(409);
    expect(busy.headers['retry-after']).toBe(String(deps.settings.busyRetryAfterSeconds));
  });

  it.each<[string, { body?: unknown; rawBody?: string; headers?: Record<string, string> }, number, string?]>([
    ['missing field', { body: { user: 'alice', size: 'Small' } }, 400, 'project'],
    ['extra field', { body: { ...spawnBody, admin: true } }, 400, 'admin'],
    ['wrong type', { body: { ...spawnBody, size: 3 } }, 400, 'size'],
    ['unknown size', { body: { ...spawnBody, size: 'Huge' } }, 400, 'size'],
    ['quote in project', { body: { ...spawnBody, project: "climate' or true or '" } }, 400, 'project'],
    ['OData in project', { body: { ...spawnBody, project: "PartitionKey ne ''" } }, 400, 'project'],
    ['path in project', { body: { ...spawnBody, project: '../ocean-lab' } }, 400, 'project'],
    ['control character in user', { body: { ...spawnBody, user: 'ali\nce' } }, 400, 'user'],
    ['user too long', { body: { ...spawnBody, user: 'a'.repeat(129) } }, 400, 'user'],
    ['bad server name', { body: { ...spawnBody, serverName: 'a/b' } }, 400, 'serverName'],
    ['object id not a GUID', { body: { ...spawnBody, userObjectId: "' or 1 eq 1" } }, 400, 'userObjectId'],
    ['malformed JSON', { rawBody: '{"user": "alice",' }, 400, 'body'],
    ['JSON that is not an object', { rawBody: '[1,2]' }, 400],
    ['empty body', { rawBody: '' }, 400, 'body'],
    ['1 MB body', { body: { ...spawnBody, user: 'x'.repeat(1024 * 1024) } }, 413],
    ['a body that is not JSON', { rawBody: 'user=alice', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, 415],
    ['unknown project', { body: { ...spawnBody, project: 'no-such-lab' } }, 404],
    ['size the region lacks', { body: { ...spawnBody, size: 'GPU' } }, 409],
  ])('refuses %s with a problem and stores nothing', async (...[, call, expected, field]) => {
    const response = await invokeConforming('spawn', spawn, { method: 'POST', path: '/api/servers', ...call });
    expect(response.status).toBe(expected);
    expect(response.headers['content-type']).toBe('application/problem+json');
    const problem = response.body as { status: number; detail: string; errors?: { field: string }[] };
    expect(problem.status).toBe(expected);
    expect(problem.detail).not.toMatch(/\n\s+at /); // no stack trace
    if (field) expect(problem.errors?.map((error) => error.field).join(' ')).toContain(field);
    expect(await everything()).toEqual([]);
    expect(control.requests).toEqual([]);
  });

  it('refuses a spawn without the object id while instances are Personal: 400 user-object-id-required, nothing stored', async () => {
    const { userObjectId: _omitted, ...withoutObjectId } = spawnBody;
    const response = await spawnCall(withoutObjectId);
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.body).toMatchObject({ code: 'user-object-id-required', status: 400 });
    expect((response.body as { detail: string }).detail).toMatch(/Entra object id \(userObjectId\)\. Enable c\.Authenticator\.enable_auth_state with Entra ID sign-in/);
    expect(await everything()).toEqual([]);
    expect(control.requests).toEqual([]);
  });

  it('with APPLICATION_SHARING_POLICY=Shared, spawns without an object id', async () => {
    testRoot.use({ ...deps, settings: testSettings({ APPLICATION_SHARING_POLICY: 'Shared' }) }, () => control);
    const { userObjectId: _omitted, ...withoutObjectId } = spawnBody;
    const response = await spawnCall(withoutObjectId);
    expect(response.status).toBe(202);
    expect((await everything()).map((server) => [server.userObjectId, server.tenantId])).toEqual([[null, null]]);
  });

  it("stores the object id with the subscription's tenant when the hub sends no tenant", async () => {
    const response = await spawnCall(spawnBody);
    expect(response.status).toBe(202);
    expect((await everything()).map((server) => [server.hubId, server.userObjectId, server.tenantId])).toEqual([['hub', ALICE_OID, SEED_TENANT_ID]]);
  });

  it('answers 409 id-collision, changing nothing, when the id is stored for another server', async () => {
    const colliding = 'ci-0123456789abcdef01234';
    testRoot.use({ ...deps, serverId: () => colliding }, () => control);
    expect((await spawnCall(spawnBody)).status).toBe(202);
    await repository.update(colliding, (s) => ({ ...s, state: 'Running', url: 'https://x/lab' }));
    const before = await everything();
    control.requests.length = 0;
    const response = await spawnCall({ ...spawnBody, user: 'bob', userObjectId: 'b0b00000-0000-4000-8000-000000000002' });
    expect(response.status).toBe(409);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.body).toMatchObject({ code: 'id-collision', status: 409 });
    expect(JSON.stringify(response.body)).not.toContain('https://x/lab');
    expect(await everything()).toEqual(before);
    expect(control.requests).toEqual([]);
  });

  it.each(["o'brien", "x' or true or '", "PartitionKey ne ''", 'Zoë Ångström', 'ユーザー'])(
    'treats the user name %p as plain characters, matched literally', async (user) => {
      const mine = await spawnCall({ ...spawnBody, user });
      expect(mine.status).toBe(202);
      await spawnCall({ ...spawnBody, user: 'bob' });
      const listed = await invokeConforming('list', list, { method: 'GET', path: '/api/servers', query: { user } });
      const servers = (listed.body as { servers: { user: string; id: string }[] }).servers;
      expect(servers.map((s) => s.user)).toEqual([user]);
      expect(servers[0].id).toBe((mine.body as { id: string }).id);
    },
  );
});

async function spawned(overrides: Record<string, unknown> = {}): Promise<string> {
  const { body } = await spawnCall({ ...spawnBody, ...overrides });
  return (body as { id: string }).id;
}

describe('GET /api/servers/{id} (status)', () => {
  it('reads one server', async () => {
    const id = await spawned();
    const response = await invokeConforming('status', status, { method: 'GET', path: `/api/servers/${id}`, params: { id } });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id, user: 'alice', state: 'Requested' });
    expect(response.body).not.toHaveProperty('userObjectId');
  });

  it.each([['unknown id', 'ci-aaaaaaaaaaaaaaaaaaaaa', 404], ['id off the pattern', 'ci-zz', 400], ['path segments', '../ci-aaaa', 400],
    ['OData', "' or PartitionKey ne '", 400]])('answers %s with a problem', async (_name, id, expected) => {
    const response = await invokeConforming('status', status, { method: 'GET', path: `/api/servers/x`, params: { id } });
    expect(response.status).toBe(expected);
  });
});

describe('POST /api/servers/{id}/stop', () => {
  it('moves a provisioning server to Stopping, cancels the spawn, and answers 200 once at rest', async () => {
    const id = await spawned();
    const response = await invokeConforming('stop', stop, { method: 'POST', path: `/api/servers/${id}/stop`, params: { id }, body: { reason: 'admin' } });
    expect(response.status).toBe(202);
    expect(response.body).toMatchObject({ state: 'Stopping', stopReason: 'admin' });
    expect(control.requests).toEqual(expect.arrayContaining([`cancel ${id}`, `stop ${id}`]));
    await repository.update(id, (s) => ({ ...s, state: 'Stopped' }));
    const again = await invokeConforming('stop', stop, { method: 'POST', path: `/api/servers/${id}/stop`, params: { id } });
    expect(again.status).toBe(200);
  });

  it.each([['unknown reason', { reason: 'because' }, 400], ['extra field', { reason: 'user', force: true }, 400]])(
    'refuses %s and leaves the server as it was', async (_name, body, expected) => {
      const id = await spawned();
      const before = await everything();
      const response = await invokeConforming('stop', stop, { method: 'POST', path: `/api/servers/${id}/stop`, params: { id }, body });
      expect(response.status).toBe(expected);
      expect(await everything()).toEqual(before);
    },
  );

  it('answers 404 for an unknown server', async () => {
    const id = 'ci-bbbbbbbbbbbbbbbbbbbbb';
    expect((await invokeConforming('stop', stop, { method: 'POST', path: `/api/servers/${id}/stop`, params: { id } })).status).toBe(404);
  });
});

describe('DELETE /api/servers/{id}', () => {
  it('moves the server to Deleting and starts the delete', async () => {
    const id = await spawned();
    const response = await invokeConforming('delete', remove, { method: 'DELETE', path: `/api/servers/${id}`, params: { id } });
    expect(response.status).toBe(202);
    expect(response.body).toMatchObject({ state: 'Deleting' });
    expect(control.requests).toContain(`delete ${id}`);
  });

  it('answers 404 for an unknown server', async () => {
    const id = 'ci-ccccccccccccccccccccc';
    expect((await invokeConforming('delete', remove, { method: 'DELETE', path: `/api/servers/${id}`, params: { id } })).status).toBe(404);
  });
});

describe('POST /api/servers/{id}/activity', () => {
  it('records the last activity, only ever forwards', async () => {
    const id = await spawned();
    const post = (lastActivity: string) =>
      invokeConforming('activity', activity, { method: 'POST', path: `/api/servers/${id}/activity`, params: { id }, body: { lastActivity } });
    expect((await post('2026-11-26T10:00:00Z')).status).toBe(204);
    expect((await post('2026-11-26T09:00:00+00:00')).status).toBe(204);
    expect((await repository.get(id))?.server.lastActivityAt).toBe('2026-11-26T10:00:00.000Z');
  });

  it.each([['not a date', { lastActivity: 'yesterday' }], ['missing', {}]])('refuses %s', async (_name, body) => {
    const id = await spawned();
    const response = await invokeConforming('activity', activity, { method: 'POST', path: `/api/servers/${id}/activity`, params: { id }, body });
    expect(response.status).toBe(400);
    expect((await repository.get(id))?.server.lastActivityAt).toBeNull();
  });
});

describe('GET /api/servers (list)', () => {
  it('filters by user, project and state, and pages with a continuation token', async () => {
    for (const user of ['u1', 'u2', 'u3']) await spawned({ user });
    await spawned({ user: 'u1', size: 'Small' });
    const byUser = await invokeConforming('list', list, { method: 'GET', path: '/api/servers', query: { user: 'u1' } });
    expect((byUser.body as { servers: unknown[] }).servers).toHaveLength(2);
    const firstPage = await invokeConforming('list', list, { method: 'GET', path: '/api/servers', query: { limit: '3', state: 'Requested' } });
    const page = firstPage.body as { servers: unknown[]; continuationToken: string | null };
    expect(page.servers).toHaveLength(3);
    expect(page.continuationToken).not.toBeNull();
    const next = await invokeConforming('list', list, {
      method: 'GET', path: '/api/servers', query: { limit: '3', state: 'Requested', continuationToken: page.continuationToken ?? '' },
    });
    expect((next.body as { servers: unknown[] }).servers).toHaveLength(1);
  });

  it.each([
    ['unknown state', { state: 'Sleeping' }], ['limit 0', { limit: '0' }], ['limit not a number', { limit: 'ten' }],
    ['unknown parameter', { filter: "PartitionKey ne ''" }], ['malformed token', { continuationToken: "' or true" }],
    ['OData in project', { project: "x' or '1' eq '1" }],
  ])('refuses %s', async (_name, query) => {
    expect((await invokeConforming('list', list, { method: 'GET', path: '/api/servers', query })).status).toBe(400);
  });
});

describe('GET /api/options', () => {
  it('lists the projects and the sizes their region serves', async () => {
    const response = await invokeConforming('options', options, { method: 'GET', path: '/api/options', query: { user: 'alice' } });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      projects: [{
        name: 'climate-lab', location: 'westeurope', apps: STANDARD_APPS,
        budget: { budget: null, spent: 0, currency: 'USD', month: '2026-11', status: 'ok' },
      }],
      sizes: [
        { label: 'Small', vmSize: 'Standard_DS1_v2', gpu: false, vcpus: 1, memoryGB: 3.5, gpus: 0 },
        { label: 'Medium', vmSize: 'Standard_DS3_v2', gpu: false, vcpus: 4, memoryGB: 14, gpus: 0 },
      ],
    });
  });

  it("adds the administrator's description of a size (SIZE_<LABEL>_DESCRIPTION)", async () => {
    deps = testDependencies({ servers: repository, aml: new ScriptedAmlGateway(), settings: testSettings({ SIZE_MEDIUM_DESCRIPTION: 'For bigger data sets' }) });
    testRoot.use(deps, () => control);
    const response = await invokeConforming('options', options, { method: 'GET', path: '/api/options', query: { user: 'alice' } });
    const sizes = (response.body as { sizes: { label: string; description?: string }[] }).sizes;
    expect(sizes.map((size) => [size.label, size.description])).toEqual([['Small', undefined], ['Medium', 'For bigger data sets']]);
  });

  it('refuses a request without a user', async () => {
    expect((await invokeConforming('options', options, { method: 'GET', path: '/api/options' })).status).toBe(400);
  });
});

describe('health and unknown routes', () => {
  it('answers health', async () => {
    expect((await invokeConforming('health', health, { method: 'GET', path: '/api/health' })).body).toEqual({ status: 'ok' });
  });

  it('answers a path no function serves with a problem+json 404', async () => {
    const response = await invoke(notFound, { method: 'GET', path: '/api/nothing/here' });
    expect(response.status).toBe(404);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.body).toMatchObject({ code: 'route-not-found', status: 404 });
  });
});

describe('unexpected failures', () => {
  it('become a generic 500 problem without internals', async () => {
    const broken = { ...deps, servers: { ...repository, get: async () => { throw new Error('secret connection AccountKey=abc'); } } };
    testRoot.use(broken as unknown as Dependencies, () => control);
    const id = 'ci-ddddddddddddddddddddd';
    const response = await invokeConforming('status', status, { method: 'GET', path: `/api/servers/${id}`, params: { id } });
    expect(response.status).toBe(500);
    expect(JSON.stringify(response.body)).not.toContain('AccountKey');
    expect(AppError).toBeDefined();
  });
});
