/** Spawn quotas: servers per user and GPU servers per project, held as numbered places (quota slots). */
import { httpFunctions, TestRoot } from '../support/app-root';
import { isAppError } from '../../shared/domain/errors';
import { CLAIM_GRACE_MS, gpuProjectScope, isReclaimable, userScope } from '../../shared/domain/quota-slots';
import { countsTowardQuota } from '../../shared/domain/quotas';
import type { ServerState } from '../../shared/domain/server';
import { spawnServer, type SpawnRequest } from '../../shared/use-cases/spawn-server';
import { invokeConforming } from '../support/http-invoke';
import { InMemoryServerRepository } from '../support/in-memory-server-repository';
import { RecordingOrchestrationControl } from '../support/recording-orchestration-control';
import { ScriptedAmlGateway } from '../support/scripted-aml-gateway';
import { testDependencies, testSettings, VirtualClock } from '../support/test-dependencies';
import { InMemoryQuotaSlots } from '../support/in-memory-pacing';

const testRoot = new TestRoot();
const { spawn } = httpFunctions(testRoot.root);

function setUp(limits: Record<string, string>) {
  const servers = new InMemoryServerRepository();
  // The scripted region has no GPU VM size: let the GPU label take DS1 (Medium takes DS3).
  // Who an instance is assigned to does not change how servers are counted.
  const settings = testSettings({ SIZE_GPU_CANDIDATES: 'Standard_DS1_v2', APPLICATION_SHARING_POLICY: 'Shared', ...limits });
  const clock = new VirtualClock();
  const quotaSlots = new InMemoryQuotaSlots();
  const deps = testDependencies({ servers, aml: new ScriptedAmlGateway(), settings, clock, quotaSlots });
  return { servers, deps, clock, quotaSlots, control: new RecordingOrchestrationControl() };
}

const request = (overrides: Partial<SpawnRequest> = {}): SpawnRequest => ({
  user: 'alice', project: 'climate-lab', size: 'Medium', serverName: '', userObjectId: null, tenantId: null, ...overrides,
});

const refusal = (promise: Promise<unknown>) => promise.then(() => null, (error: unknown) => error);

describe('MAX_ACTIVE_SERVERS_PER_USER', () => {
  it('refuses with quota-exceeded (409) and a message for the user once the limit is reached', async () => {
    const { deps, control } = setUp({ MAX_ACTIVE_SERVERS_PER_USER: '2' });
    await spawnServer(deps, control, request({ serverName: 'a' }));
    await spawnServer(deps, control, request({ serverName: 'b' }));
    const error = await refusal(spawnServer(deps, control, request({ serverName: 'c' })));
    expect(isAppError(error, 'quota-exceeded')).toBe(true);
    expect(isAppError(error) && error.status).toBe(409);
    expect(isAppError(error) && error.message).toBe(
      'You already have 2 servers starting or running, the most allowed per user (2). Stop one of them before starting another.',
    );
    expect(control.requests).toHaveLength(2);
  });

  it('never counts the server being spawned again against itself', async () => {
    const { deps, control } = setUp({ MAX_ACTIVE_SERVERS_PER_USER: '1' });
    const first = await spawnServer(deps, control, request());
    const again = await spawnServer(deps, control, request());
    expect(again).toMatchObject({ accepted: true, server: { id: first.server.id } });
  });

  it('lets a stopped server start again only while the user is under the limit', async () => {
    const { servers, deps, clock, control } = setUp({ MAX_ACTIVE_SERVERS_PER_USER: '1' });
    const { server } = await spawnServer(deps, control, request({ serverName: 'a' }));
    clock.advanceSeconds(5);
    await servers.update(server.id, (s) => ({ ...s, state: 'Stopped', updatedAt: clock.now().toISOString() }));
    await spawnServer(deps, control, request({ serverName: 'b' }));
    expect(isAppError(await refusal(spawnServer(deps, control, request({ serverName: 'a' }))), 'quota-exceeded')).toBe(true);
    expect(servers.server(server.id).state).toBe('Stopped');
  });

  it.each<[ServerState, boolean]>([
    ['Requested', true], ['Creating', true], ['Starting', true], ['Running', true],
    ['Stopping', false], ['Stopped', false], ['Failed', false], ['Deleting', false], ['Deleted', false],
  ])('counts a %s server: %s', async (state, counts) => {
    const { servers, deps, clock, control } = setUp({ MAX_ACTIVE_SERVERS_PER_USER: '1' });
    const { server } = await spawnServer(deps, control, request({ serverName: 'other' }));
    clock.advanceSeconds(5); // the server moved on after its spawn claimed the place
    await servers.update(server.id, (s) => ({ ...s, state, updatedAt: clock.now().toISOString() }));
    const outcome = await refusal(spawnServer(deps, control, request()));
    expect(isAppError(outcome, 'quota-exceeded')).toBe(counts);
  });

  it('keeps the place of a spawn whose server is not written yet until the grace has passed', async () => {
    const { servers, deps, clock, control } = setUp({ MAX_ACTIVE_SERVERS_PER_USER: '1' });
    // A racing spawn claimed the place and has not written its server yet (or died before).
    await deps.quotaSlots.insert(userScope('alice'), 0, 'ci-somewhere', clock.now());
    expect(isAppError(await refusal(spawnServer(deps, control, request())), 'quota-exceeded')).toBe(true);
    clock.advanceSeconds(CLAIM_GRACE_MS / 1000);
    await expect(spawnServer(deps, control, request())).resolves.toMatchObject({ accepted: true });
    expect(await servers.get('ci-somewhere')).toBeNull();
  });

  it('gives back the user place when the GPU limit refuses, so a refusal changes nothing', async () => {
    const { deps, control, quotaSlots } = setUp({ MAX_GPU_SERVERS_PER_PROJECT: '1' });
    await spawnServer(deps, control, request({ user: 'bob', size: 'GPU' }));
    expect(isAppError(await refusal(spawnServer(deps, control, request({ size: 'GPU' }))), 'quota-exceeded')).toBe(true);
    expect(await quotaSlots.list(userScope('alice'))).toEqual([]);
  });

  it('holds under 50 racing spawns of one user', async () => {
    const { servers, deps, control } = setUp({ MAX_ACTIVE_SERVERS_PER_USER: '3' });
    const outcomes = await Promise.all(Array.from({ length: 50 }, (_, i) => refusal(spawnServer(deps, control, request({ serverName: `s${i}` })))));
    expect(outcomes.filter((outcome) => outcome === null)).toHaveLength(3);
    expect(outcomes.filter((outcome) => isAppError(outcome, 'quota-exceeded'))).toHaveLength(47);
    expect((await servers.list({ limit: 100 })).servers).toHaveLength(3);
  });

  it("never counts other users' servers", async () => {
    const { deps, control } = setUp({ MAX_ACTIVE_SERVERS_PER_USER: '1' });
    await spawnServer(deps, control, request({ user: 'bob' }));
    await expect(spawnServer(deps, control, request({ user: 'alice' }))).resolves.toMatchObject({ accepted: true });
  });

  it('answers 409 problem+json with the message through the spawn function', async () => {
    const { deps, control } = setUp({ MAX_ACTIVE_SERVERS_PER_USER: '1' });
    testRoot.use(deps, () => control);
    const call = (serverName: string) =>
      invokeConforming('spawn', spawn, { method: 'POST', path: '/api/servers', body: { user: 'alice', project: 'climate-lab', size: 'Medium', serverName } });
    expect((await call('a')).status).toBe(202);
    const refused = await call('b');
    expect(refused.status).toBe(409);
    expect(refused.headers['content-type']).toBe('application/problem+json');
    expect(refused.body).toMatchObject({ code: 'quota-exceeded', status: 409, detail: expect.stringContaining('most allowed per user (1)') });
  });
});

describe('the reads behind a quota check', () => {
  it('reads no active index: one place per scope, the user\'s and for GPU the project\'s', async () => {
    const { servers, deps, control, quotaSlots } = setUp({});
    const medium = await spawnServer(deps, control, request({ size: 'Medium' }));
    const gpu = await spawnServer(deps, control, request({ user: 'bob', size: 'GPU' }));
    expect(servers.listActiveScopes).toEqual([]);
    expect((await quotaSlots.list(userScope('alice'))).map((slot) => slot.holder)).toEqual([medium.server.id]);
    expect((await quotaSlots.list(userScope('bob'))).map((slot) => slot.holder)).toEqual([gpu.server.id]);
    expect((await quotaSlots.list(gpuProjectScope('climate-lab'))).map((slot) => slot.holder)).toEqual([gpu.server.id]);
  });
});

describe('MAX_GPU_SERVERS_PER_PROJECT', () => {
  it('refuses a GPU server over the project limit, whoever asks, and still allows other sizes', async () => {
    const { deps, control } = setUp({ MAX_GPU_SERVERS_PER_PROJECT: '2' });
    await spawnServer(deps, control, request({ user: 'bob', size: 'GPU' }));
    await spawnServer(deps, control, request({ user: 'carol', size: 'GPU' }));
    const error = await refusal(spawnServer(deps, control, request({ user: 'dave', size: 'GPU' })));
    expect(isAppError(error, 'quota-exceeded')).toBe(true);
    expect(isAppError(error) && error.message).toMatch(/^Project 'climate-lab' already has 2 GPU servers starting or running, the most allowed per project \(2\)\./);
    await expect(spawnServer(deps, control, request({ user: 'dave', size: 'Medium' }))).resolves.toMatchObject({ accepted: true });
    await expect(spawnServer(deps, control, request({ user: 'bob', size: 'GPU' }))).resolves.toMatchObject({ accepted: true });
  });
});

describe('quota scope keys', () => {
  it('are Table keys for any user name: short ones readable, long encodings hashed, never the same for two names', () => {
    expect(userScope('alice')).toBe('user:n:alice');
    expect(userScope('a/b#c?d')).toBe('user:n:a%2Fb%23c%3Fd');
    expect(gpuProjectScope('Climate-Lab')).toBe(gpuProjectScope('climate-lab'));
    const long = '€'.repeat(128);
    expect(userScope(long)).toMatch(/^user:h:[0-9a-f]{64}$/);
    expect(userScope(long)).not.toBe(userScope('€'.repeat(127)));
    expect(userScope(`h:${'0'.repeat(64)}`)).not.toBe(`user:h:${'0'.repeat(64)}`);
  });
});

describe('isReclaimable', () => {
  const now = new Date('2026-11-26T09:10:00Z');
  const slot = { claimedAt: '2026-11-26T09:09:50Z' };
  const later = '2026-11-26T09:09:55Z';
  const earlier = '2026-11-26T09:09:40Z';

  it('never takes the place of a server that counts, however old the claim', () => {
    expect(isReclaimable({ claimedAt: '2026-01-01T00:00:00Z' }, { state: 'Running', updatedAt: earlier }, countsTowardQuota, now)).toBe(false);
  });

  it('takes the place of a server that stopped after its claim, at once', () => {
    expect(isReclaimable(slot, { state: 'Stopped', updatedAt: later }, countsTowardQuota, now)).toBe(true);
  });

  it('keeps a fresh claim whose server is not written yet (still at rest, or missing) until the grace has passed', () => {
    expect(isReclaimable(slot, { state: 'Stopped', updatedAt: earlier }, countsTowardQuota, now)).toBe(false);
    expect(isReclaimable(slot, null, countsTowardQuota, now)).toBe(false);
    const afterGrace = new Date(Date.parse(slot.claimedAt) + CLAIM_GRACE_MS);
    expect(isReclaimable(slot, null, countsTowardQuota, afterGrace)).toBe(true);
  });
});
