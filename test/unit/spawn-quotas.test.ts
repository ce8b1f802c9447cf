/** Spawn quotas: servers per user and GPU servers per project, counted from the repository. */
import { spawn } from '../../functions/spawn';
import { useDependencies } from '../../shared/composition-root';
import { isAppError } from '../../shared/domain/errors';
import { checkQuotas, type QuotaLimits } from '../../shared/domain/quotas';
import type { ServerState } from '../../shared/domain/server';
import { spawnServer, type SpawnRequest } from '../../shared/use-cases/spawn-server';
import { invokeConforming } from '../support/http-invoke';
import { InMemoryServerRepository } from '../support/in-memory-server-repository';
import { RecordingOrchestrationControl } from '../support/recording-orchestration-control';
import { ScriptedAmlGateway } from '../support/scripted-aml-gateway';
import { buildServer } from '../support/server-builder';
import { testDependencies, testSettings } from '../support/test-dependencies';

function setUp(limits: Record<string, string>) {
  const servers = new InMemoryServerRepository();
  // The scripted region has no GPU VM size: let the GPU label take DS1 (Medium takes DS3).
  // Who an instance is assigned to does not change how servers are counted.
  const settings = testSettings({ SIZE_GPU_CANDIDATES: 'Standard_DS1_v2', APPLICATION_SHARING_POLICY: 'Shared', ...limits });
  const deps = testDependencies({ servers, aml: new ScriptedAmlGateway(), settings });
  return { servers, deps, control: new RecordingOrchestrationControl() };
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
    const { servers, deps, control } = setUp({ MAX_ACTIVE_SERVERS_PER_USER: '1' });
    const { server } = await spawnServer(deps, control, request({ serverName: 'a' }));
    await servers.update(server.id, (s) => ({ ...s, state: 'Stopped' }));
    await spawnServer(deps, control, request({ serverName: 'b' }));
    expect(isAppError(await refusal(spawnServer(deps, control, request({ serverName: 'a' }))), 'quota-exceeded')).toBe(true);
    expect(servers.server(server.id).state).toBe('Stopped');
  });

  it.each<[ServerState, boolean]>([
    ['Requested', true], ['Creating', true], ['Starting', true], ['Running', true],
    ['Stopping', false], ['Stopped', false], ['Failed', false], ['Deleting', false], ['Deleted', false],
  ])('counts a %s server: %s', async (state, counts) => {
    const { servers, deps, control } = setUp({ MAX_ACTIVE_SERVERS_PER_USER: '1' });
    await servers.create(buildServer({ user: 'alice', serverName: 'other', state }));
    const outcome = await refusal(spawnServer(deps, control, request()));
    expect(isAppError(outcome, 'quota-exceeded')).toBe(counts);
  });

  it("never counts other users' servers", async () => {
    const { deps, control } = setUp({ MAX_ACTIVE_SERVERS_PER_USER: '1' });
    await spawnServer(deps, control, request({ user: 'bob' }));
    await expect(spawnServer(deps, control, request({ user: 'alice' }))).resolves.toMatchObject({ accepted: true });
  });

  it('answers 409 problem+json with the message through the spawn function', async () => {
    const { deps, control } = setUp({ MAX_ACTIVE_SERVERS_PER_USER: '1' });
    useDependencies(deps, () => control);
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
  it("reads the user's active servers only, and for GPU the project's GPU servers too, never every active server", async () => {
    const { servers, deps, control } = setUp({});
    await spawnServer(deps, control, request({ size: 'Medium' }));
    await spawnServer(deps, control, request({ user: 'bob', size: 'GPU' }));
    expect(servers.listActiveScopes).toEqual([
      { user: 'alice' },
      { user: 'bob' },
      { project: 'climate-lab', size: 'GPU' },
    ]);
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

describe('checkQuotas', () => {
  const limits: QuotaLimits = { maxActiveServersPerUser: 3, maxGpuServersPerProject: 1 };
  const candidate = { id: 'ci-new', user: 'alice', project: 'climate-lab', size: 'GPU' as const };

  it('counts GPU servers per project, case-insensitively, and not in other projects', () => {
    expect(checkQuotas([buildServer({ user: 'bob', project: 'ocean-lab', size: 'GPU' })], candidate, limits)).toEqual({ ok: true });
    expect(checkQuotas([buildServer({ user: 'bob', project: 'Climate-Lab', size: 'GPU' })], candidate, limits).ok).toBe(false);
  });

  it('ignores the candidate itself', () => {
    expect(checkQuotas([buildServer({ id: 'ci-new', size: 'GPU', state: 'Running' })], candidate, limits)).toEqual({ ok: true });
  });
});
