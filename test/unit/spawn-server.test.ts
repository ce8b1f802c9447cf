import { isAppError } from '../../shared/domain/errors';
import { spawnServer, type SpawnRequest } from '../../shared/use-cases/spawn-server';
import { stopServer } from '../../shared/use-cases/stop-server';
import { InMemoryServerRepository } from '../support/in-memory-server-repository';
import { RecordingOrchestrationControl } from '../support/recording-orchestration-control';
import { ScriptedAmlGateway } from '../support/scripted-aml-gateway';
import { testDependencies } from '../support/test-dependencies';

const request: SpawnRequest = { user: 'alice', project: 'climate-lab', size: 'Medium', serverName: '', userObjectId: null, tenantId: null };

function setUp() {
  const servers = new InMemoryServerRepository();
  const deps = testDependencies({ servers, aml: new ScriptedAmlGateway() });
  return { servers, deps, control: new RecordingOrchestrationControl() };
}

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
