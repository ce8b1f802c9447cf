/**
 * Who may call what (issue 5): every route × every kind of caller → the expected status, through
 * the one wrapper every HTTP function uses, with real RS256 tokens checked against a key set served
 * on loopback. The routes come from openapi.yaml and the functions' registrations, so a new route
 * cannot be added without its row here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { HttpHandler } from '@azure/functions';
import { parse } from 'yaml';
import { httpFunctions, TestRoot } from '../support/app-root';
import type { Dependencies } from '../../shared/use-cases/dependencies';
import { createSchedule } from '../../shared/use-cases/class-schedules';
import { loadOrCreateSigningKey, mintToken, startTokenIssuer, type TokenIssuer } from '../../local/token-issuer';
import { invokeConforming, type Call } from '../support/http-invoke';
import { InMemoryServerRepository } from '../support/in-memory-server-repository';
import { RecordingOrchestrationControl } from '../support/recording-orchestration-control';
import { ScriptedAmlGateway } from '../support/scripted-aml-gateway';
import { buildServer } from '../support/server-builder';
import { TEST_HUB_API_KEY, testDependencies, testSettings } from '../support/test-dependencies';

const testRoot = new TestRoot();
const {
  activity, remove, health, list, options, spawn, status, stop, usage, budgets, adminAsset, adminPage,
  listSchedules: listSchedulesHandler, createSchedule: createScheduleHandler, getSchedule: getScheduleHandler,
  replaceSchedule: replaceScheduleHandler, deleteSchedule: deleteScheduleHandler,
} = httpFunctions(testRoot.root);

const REPO = join(__dirname, '..', '..');
const AUDIENCE = 'api://aml-jupyterhub-test';
const ALICE_OID = '6f1c0a52-3d1e-4b7a-9a51-0c2f3e4d5a6b';
const BOB_OID = '0b7e9c4d-2a1f-4c3e-8d5b-6a7f8e9d0c1b';

type Credential = 'none' | 'bad signature' | 'expired token' | 'wrong audience' | 'wrong issuer' | 'hub' | 'admin' | "user's own token" | "another user's token" | 'wrong key' | 'key' | 'malformed bearer' | 'hub token with a wrong key' | 'basic auth';
const CREDENTIALS: Credential[] = ['none', 'bad signature', 'expired token', 'wrong audience', 'wrong issuer', 'hub', 'admin', "user's own token", "another user's token", 'wrong key', 'key', 'malformed bearer', 'hub token with a wrong key', 'basic auth'];
const UNAUTHENTICATED: Credential[] = ['none', 'bad signature', 'expired token', 'wrong audience', 'wrong issuer', 'wrong key', 'malformed bearer', 'hub token with a wrong key', 'basic auth'];

interface Route {
  /** The openapi.yaml operation the row calls; an operation may have rows for requests that differ in who may make them. */
  operationId: string;
  handler: HttpHandler;
  /** The request, given the id of a Running server spawned for alice (object id ALICE_OID). */
  call: (id: string) => Call;
  /** The status when allowed. */
  ok: number;
  /** Who is allowed besides the key and Admin. */
  hub: boolean;
  owner: boolean;
  /** Any person's own token (the answer narrowed to that person). */
  person?: boolean;
}

/** A class on the morning after the tests' clock (2026-11-26T09:00Z). */
const SCHEDULE_BODY = { project: 'climate-lab', size: 'Small', users: [{ user: 'alice', userObjectId: ALICE_OID }], start: '2026-11-27T09:00:00+01:00', end: '2026-11-27T11:00:00+01:00' };
let scheduleId = '';

/** One row per operation in openapi.yaml, and one per request of it that another set of callers may make. */
const ROUTES: Record<string, Route> = {
  spawn: { operationId: 'spawn', handler: spawn, call: () => ({ method: 'POST', path: '/api/servers', body: { user: 'bob', project: 'climate-lab', size: 'Small', userObjectId: BOB_OID } }), ok: 202, hub: true, owner: false },
  status: { operationId: 'status', handler: status, call: (id) => ({ method: 'GET', path: `/api/servers/${id}`, params: { id } }), ok: 200, hub: true, owner: true },
  stop: { operationId: 'stop', handler: stop, call: (id) => ({ method: 'POST', path: `/api/servers/${id}/stop`, params: { id } }), ok: 202, hub: true, owner: true },
  // JupyterHub's delete_forever: the hub deletes.
  delete: { operationId: 'delete', handler: remove, call: (id) => ({ method: 'DELETE', path: `/api/servers/${id}`, params: { id } }), ok: 202, hub: true, owner: false },
  activity: { operationId: 'activity', handler: activity, call: (id) => ({ method: 'POST', path: `/api/servers/${id}/activity`, params: { id }, body: { lastActivity: '2026-11-26T09:00:00Z' } }), ok: 204, hub: true, owner: false },
  // Every server: an admin's view.
  list: { operationId: 'list', handler: list, call: () => ({ method: 'GET', path: '/api/servers' }), ok: 200, hub: false, owner: false },
  list_by_project: { operationId: 'list', handler: list, call: () => ({ method: 'GET', path: '/api/servers', query: { project: 'climate-lab' } }), ok: 200, hub: false, owner: false },
  // One user's servers, as the shim's recovery lists them (by user and server name).
  list_one_user: { operationId: 'list', handler: list, call: () => ({ method: 'GET', path: '/api/servers', query: { user: 'alice' } }), ok: 200, hub: true, owner: false },
  list_one_user_in_project: { operationId: 'list', handler: list, call: () => ({ method: 'GET', path: '/api/servers', query: { user: 'alice', project: 'climate-lab' } }), ok: 200, hub: true, owner: false },
  list_one_user_running: { operationId: 'list', handler: list, call: () => ({ method: 'GET', path: '/api/servers', query: { user: 'alice', state: 'Running' } }), ok: 200, hub: true, owner: false },
  // Cost: an admin's view of everyone; a person's own token sees their own usage.
  usage: { operationId: 'usage', handler: usage, call: () => ({ method: 'GET', path: '/api/usage', query: { groupBy: 'user' } }), ok: 200, hub: false, owner: true, person: true },
  budgets: { operationId: 'budgets', handler: budgets, call: () => ({ method: 'GET', path: '/api/budgets' }), ok: 200, hub: false, owner: false },
  // Class schedules: an admin's.
  listSchedules: { operationId: 'listSchedules', handler: listSchedulesHandler, call: () => ({ method: 'GET', path: '/api/schedules' }), ok: 200, hub: false, owner: false },
  createSchedule: { operationId: 'createSchedule', handler: createScheduleHandler, call: () => ({ method: 'POST', path: '/api/schedules', body: SCHEDULE_BODY }), ok: 201, hub: false, owner: false },
  getSchedule: { operationId: 'getSchedule', handler: getScheduleHandler, call: () => ({ method: 'GET', path: `/api/schedules/${scheduleId}`, params: { id: scheduleId } }), ok: 200, hub: false, owner: false },
  replaceSchedule: { operationId: 'replaceSchedule', handler: replaceScheduleHandler, call: () => ({ method: 'PUT', path: `/api/schedules/${scheduleId}`, params: { id: scheduleId }, body: SCHEDULE_BODY }), ok: 200, hub: false, owner: false },
  deleteSchedule: { operationId: 'deleteSchedule', handler: deleteScheduleHandler, call: () => ({ method: 'DELETE', path: `/api/schedules/${scheduleId}`, params: { id: scheduleId } }), ok: 204, hub: false, owner: false },
  options: { operationId: 'options', handler: options, call: () => ({ method: 'GET', path: '/api/options', query: { user: 'alice' } }), ok: 200, hub: true, owner: false },
};
/** Anonymous routes: every caller gets the same answer. */
const ANONYMOUS: Record<string, { handler: HttpHandler; call: Call; ok: number }> = {
  health: { handler: health, call: { method: 'GET', path: '/api/health' }, ok: 200 },
  // The admin page's static files hold no data and no secret; the data they fetch is behind the rows above.
  adminPage: { handler: adminPage, call: { method: 'GET', path: '/api/admin' }, ok: 200 },
  adminAsset: { handler: adminAsset, call: { method: 'GET', path: '/api/admin/admin.js', params: { file: 'admin.js' } }, ok: 200 },
};

function expectedStatus(route: Route, credential: Credential): number {
  if (UNAUTHENTICATED.includes(credential)) return 401;
  if (credential === 'key' || credential === 'admin') return route.ok;
  if (credential === 'hub') return route.hub ? route.ok : 403;
  if (credential === "user's own token") return route.owner ? route.ok : 403;
  return route.person ? route.ok : 403; // another user's token
}

let issuer: TokenIssuer;
let deps: Dependencies;
let aliceServer: string;
const headers: Partial<Record<Credential, Record<string, string>>> = {};

beforeAll(async () => {
  issuer = await startTokenIssuer({ port: 0, dataDir: null });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const forgery = { ...(await loadOrCreateSigningKey(null)), kid: issuer.key.kid };
  const valid = { issuer: issuer.issuer, audience: AUDIENCE };
  headers.none = {};
  headers.hub = bearer(await issuer.mint({ ...valid, roles: ['Hub'] }));
  headers.admin = bearer(await issuer.mint({ ...valid, roles: ['Admin'] }));
  headers["user's own token"] = bearer(await issuer.mint({ ...valid, oid: ALICE_OID }));
  headers["another user's token"] = bearer(await issuer.mint({ ...valid, oid: BOB_OID }));
  headers['bad signature'] = bearer(await mintToken(forgery, { ...valid, roles: ['Admin'] }));
  headers['expired token'] = bearer(await issuer.mint({ ...valid, roles: ['Admin'], minutes: -10 }));
  headers['wrong audience'] = bearer(await issuer.mint({ ...valid, roles: ['Admin'], audience: 'api://someone-else' }));
  headers['wrong issuer'] = bearer(await mintToken(issuer.key, { ...valid, roles: ['Admin'], issuer: 'https://login.example.com/v2.0' }));
  headers['malformed bearer'] = { authorization: 'Bearer not-a-jwt' };
  headers.key = { 'x-functions-key': TEST_HUB_API_KEY };
  headers['hub token with a wrong key'] = { ...headers.hub, 'x-functions-key': 'not-the-key' };
  headers['basic auth'] = { authorization: `Basic ${Buffer.from(`hub:${TEST_HUB_API_KEY}`).toString('base64')}` };
  headers['wrong key'] = { 'x-functions-key': `${TEST_HUB_API_KEY}x` };
});
afterAll(async () => {
  await issuer.stop();
});

beforeEach(async () => {
  const servers = new InMemoryServerRepository();
  const settings = testSettings({ AUTH_MODE: 'key-or-entra', ENTRA_ISSUER: issuer.issuer, ENTRA_JWKS_URI: issuer.jwksUri, ENTRA_AUDIENCE: AUDIENCE });
  deps = testDependencies({ servers, aml: new ScriptedAmlGateway(), settings });
  testRoot.use(deps, () => new RecordingOrchestrationControl());
  const server = buildServer({ user: 'alice', userObjectId: ALICE_OID, state: 'Running', amlState: 'Running', url: 'https://ci.example/lab' });
  await servers.create(server);
  aliceServer = server.id;
  scheduleId = (await createSchedule(deps, { project: 'climate-lab', size: 'Small', users: [{ user: 'alice', userObjectId: ALICE_OID, tenantId: null }], start: '2026-11-27T08:00:00.000Z', end: '2026-11-27T10:00:00.000Z' })).id;
});

describe('the route table', () => {
  const spec = parse(readFileSync(join(REPO, 'openapi.yaml'), 'utf8')) as { paths: Record<string, Record<string, { operationId?: string }>> };
  const operationIds = Object.values(spec.paths).flatMap((path) => Object.values(path).flatMap((op) => (op && typeof op === 'object' && op.operationId ? [op.operationId] : [])));
  const registered = readdirSync(join(REPO, 'functions'))
    .flatMap((file) => [...readFileSync(join(REPO, 'functions', file), 'utf8').matchAll(/app\.http\('([^']+)'/g)].map((match) => match[1]));

  it('has a row for every operation in openapi.yaml, and no row for another', () => {
    const covered = new Set([...Object.values(ROUTES).map((route) => route.operationId), ...Object.keys(ANONYMOUS)]);
    expect(operationIds.filter((id) => !covered.has(id))).toEqual([]);
    expect([...covered].sort()).toEqual([...operationIds].sort());
  });

  it('has a row for every HTTP function registered (the catch-all 404 aside)', () => {
    const covered = new Set([...Object.values(ROUTES).map((route) => route.operationId), ...Object.keys(ANONYMOUS)]);
    expect(registered.filter((name) => name !== 'notFound' && !covered.has(name ?? ''))).toEqual([]);
  });

  it('leaves to the platform no route: every HTTP function is anonymous, the app checks callers', () => {
    for (const file of readdirSync(join(REPO, 'functions'))) {
      expect(readFileSync(join(REPO, 'functions', file), 'utf8')).not.toMatch(/authLevel:\s*'(function|admin)'/);
    }
  });
});

describe.each(Object.entries(ROUTES))('%s', (_row, route) => {
  it.each(CREDENTIALS)('with %s', async (credential) => {
    const response = await invokeConforming(route.operationId, route.handler, { ...route.call(aliceServer), credential: headers[credential] });
    expect(response.status).toBe(expectedStatus(route, credential));
    if (response.status === 401) {
      expect(response.headers['content-type']).toBe('application/problem+json');
      expect(response.headers['www-authenticate']).toMatch(/^Bearer realm="aml-jupyterhub"/);
    }
    if (response.status === 403) expect(response.body).toMatchObject({ code: 'forbidden', status: 403 });
    if (response.status === 403 && credential === 'hub' && route.operationId === 'list') {
      expect((response.body as { detail: string }).detail).toMatch(/Admin role; the Hub role may list one user's servers/);
    }
    // The credential itself never reaches a response or a log line.
    const secret = Object.values(headers[credential] ?? {}).map((value) => value.replace(/^Bearer /, ''));
    const seen = JSON.stringify(response.body) + JSON.stringify(response.headers) + JSON.stringify(response.logged);
    for (const value of secret) expect(seen).not.toContain(value);
  });
});

describe.each(Object.entries(ANONYMOUS))('%s (anonymous)', (operationId, route) => {
  it.each(CREDENTIALS)('with %s', async (credential) => {
    const response = await invokeConforming(operationId, route.handler, { ...route.call, credential: headers[credential] });
    expect(response.status).toBe(route.ok);
  });
});

describe("the hub's listing of one user", () => {
  it("answers that user's servers only, as the shim's recovery reads them", async () => {
    await deps.servers.create(buildServer({ user: 'bob', userObjectId: BOB_OID, state: 'Running' }));
    const response = await invokeConforming('list', list, { ...ROUTES.list_one_user.call(aliceServer), credential: headers.hub });
    expect(response.status).toBe(200);
    expect((response.body as { servers: { id: string; user: string }[] }).servers.map((server) => [server.id, server.user])).toEqual([[aliceServer, 'alice']]);
  });

  it('is refused for a blank user, which filters nothing', async () => {
    const response = await invokeConforming('list', list, { method: 'GET', path: '/api/servers', query: { user: '' }, credential: headers.hub });
    expect(response.status).toBe(403);
  });
});

describe('a person\'s own token', () => {
  it('does not reach a server spawned without an object id, nor an unknown one', async () => {
    const anonymousServer = buildServer({ user: 'carol', userObjectId: null, state: 'Running' });
    await deps.servers.create(anonymousServer);
    for (const id of [anonymousServer.id, 'ci-000000000000000000000']) {
      const response = await invokeConforming('status', status, { ...ROUTES.status.call(id), credential: headers["user's own token"] });
      expect(response.status).toBe(403);
    }
  });
});

describe('AUTH_MODE', () => {
  it.each<[string, Credential, number]>([
    ['key', 'key', 200],
    ['key', 'admin', 401],
    ['entra', 'admin', 200],
    ['entra', 'key', 401],
  ])('%s with %s answers %s', async (mode, credential, expected) => {
    const settings = testSettings({ AUTH_MODE: mode, ENTRA_ISSUER: issuer.issuer, ENTRA_JWKS_URI: issuer.jwksUri, ENTRA_AUDIENCE: AUDIENCE });
    testRoot.use({ ...deps, settings }, () => new RecordingOrchestrationControl());
    const response = await invokeConforming('list', list, { ...ROUTES.list.call(aliceServer), credential: headers[credential] });
    expect(response.status).toBe(expected);
  });
});
