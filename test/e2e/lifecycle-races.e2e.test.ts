/**
 * The lifecycle end to end under races, earlier failures and crashes (issues 9.2, 9.4, 10.1, 10.2),
 * on the local stack: the host (a child process that can be SIGKILLed), its Durable engine on
 * Azurite, and the ARM emulator; Azure's side is checked with ARM GETs, as an admin would.
 */
import { TableServerRepository } from '../../shared/adapters/table/table-server-repository';
import { REPLACING_FAILED_MESSAGE } from '../../shared/use-cases/advance-provisioning';
import { deleteServer } from '../../shared/use-cases/delete-server';
import { stopServer } from '../../shared/use-cases/stop-server';
import type { OrchestrationControl } from '../../shared/domain/ports';
import { LocalStack, SEEDED, sleep } from '../support/local-stack';
import { wakesOf } from '../support/run-wakes';
import { ScriptedAmlGateway } from '../support/scripted-aml-gateway';
import { testDependencies, testSettings } from '../support/test-dependencies';

jest.setTimeout(240_000);

const spawnBody = { project: 'climate-lab', size: 'Small', userObjectId: SEEDED.alice };

/** The instance as ARM reports it: its state, or null when ARM answers 404. */
async function armState(stack: LocalStack, id: string): Promise<string | null> {
  const tokenReply = await fetch(`${stack.emulator.identityEndpoint}?resource=${encodeURIComponent('https://management.azure.com')}&api-version=2019-08-01`, {
    headers: { 'x-identity-header': stack.emulator.identityHeader },
  });
  const { access_token: token } = (await tokenReply.json()) as { access_token: string };
  const path = `/subscriptions/${stack.emulator.subscriptionId}/resourceGroups/climate-lab/providers/Microsoft.MachineLearningServices`
    + `/workspaces/climate-lab/computes/${id}?api-version=2025-12-01`;
  const response = await fetch(`${stack.emulator.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
  if (response.status === 404) return null;
  if (!response.ok) throw new Error(`ARM GET ${id} answered ${response.status}: ${await response.text()}`);
  const body = (await response.json()) as { properties: { properties: { state: string } } };
  return body.properties.properties.state;
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await sleep(150);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/**
 * Polls the server until `done` holds and checks, at every look that shows `state`, that ARM agrees:
 * the hub never reports Stopped/Deleted while an instance is still there (or running).
 */
async function followUntil(stack: LocalStack, id: string, done: string, armMustBe: (state: string | null) => boolean): Promise<any> {
  const deadline = Date.now() + 90_000;
  let server: any = null;
  while (Date.now() < deadline) {
    server = (await stack.api('GET', `/api/servers/${id}`)).body;
    if (server?.state === done) {
      const arm = await armState(stack, id);
      expect({ hub: done, arm, acceptable: armMustBe(arm) }).toEqual({ hub: done, arm, acceptable: true });
      return server;
    }
    await sleep(150);
  }
  throw new Error(`server ${id} did not reach ${done}; last seen ${JSON.stringify(server)}\n${stack.log().slice(-3000)}`);
}

const operations = async (stack: LocalStack, id: string): Promise<string[]> =>
  (await stack.emulatorJson('GET', `/_emulator/requests?name=${id}`)).requests.map((r: { operation: string }) => r.operation);

describe('lifecycle races on the local stack', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await LocalStack.start({ emulator: { createSeconds: 4 } });
  });
  afterAll(async () => {
    await stack?.stop();
  });
  beforeEach(async () => {
    await stack.emulatorJson('POST', '/_emulator/reset');
  });

  it('a stop while Creating deletes the instance; Stopped only once it is gone; a later spawn creates anew', async () => {
    const spawned = await stack.api('POST', '/api/servers', { ...spawnBody, user: 'e2e-cancel-create' });
    const id = spawned.body.id;
    await waitFor('the instance to be Creating', async () => ((await armState(stack, id)) === 'Creating' ? true : undefined));

    const stop = await stack.api('POST', `/api/servers/${id}/stop`, {});
    expect(stop.status).toBe(202);
    const stopped = await followUntil(stack, id, 'Stopped', (arm) => arm === null);
    expect(stopped).toMatchObject({ state: 'Stopped', amlState: null, url: null, stopReason: 'user' });
    expect(await operations(stack, id)).toEqual(['computes/createOrUpdate', 'computes/delete']);

    const again = await stack.api('POST', '/api/servers', { ...spawnBody, user: 'e2e-cancel-create' });
    expect(again.status).toBe(202);
    const running = await stack.waitForServer(id, (s) => s.state === 'Running' || s.state === 'Failed');
    expect(running.state).toBe('Running');
    expect(await operations(stack, id)).toEqual(['computes/createOrUpdate', 'computes/delete', 'computes/createOrUpdate']);
  });

  it('a spawn of a server whose create failed deletes the failed instance and creates it anew', async () => {
    await stack.emulatorJson('POST', '/_emulator/scenarios', { match: { vmSize: 'Standard_DS1_v2' }, outcome: 'CreateFailed', times: 1 });
    const first = await stack.api('POST', '/api/servers', { ...spawnBody, user: 'e2e-replace-failed' });
    const id = first.body.id;
    const failed = await stack.waitForServer(id, (s) => s.state === 'Failed' || s.state === 'Running');
    expect(failed).toMatchObject({ state: 'Failed', amlState: 'CreateFailed', error: { code: 'AllocationFailed' } });
    expect(await armState(stack, id)).toBe('CreateFailed');

    const again = await stack.api('POST', '/api/servers', { ...spawnBody, user: 'e2e-replace-failed' });
    expect(again.status).toBe(202);
    const running = await stack.waitForServer(id, (s) => s.state === 'Running' || s.state === 'Failed');
    expect(running.state).toBe('Running');
    expect(running.error).toBeNull();
    expect(running.progress.map((event: { message: string }) => event.message)).toContain(REPLACING_FAILED_MESSAGE);
    expect(await operations(stack, id)).toEqual(['computes/createOrUpdate', 'computes/delete', 'computes/createOrUpdate']);
    expect(await armState(stack, id)).toBe('Running');
  });

  it.each(['delete', 'stop'] as const)('a %s while the create PUT is on its way leaves no instance behind', async (kind) => {
    // ARM holds the create PUT for 3 s: the delete or stop lands while it is in flight.
    await stack.emulatorJson('POST', '/_emulator/scenarios', { match: { operation: 'computes/createOrUpdate' }, delay: { seconds: 3 }, times: 1 });
    const spawned = await stack.api('POST', '/api/servers', { ...spawnBody, user: `e2e-race-${kind}` });
    const id = spawned.body.id;
    await waitFor('the create PUT to reach ARM', async () =>
      ((await stack.emulatorJson('GET', '/_emulator/stats')).requests['PUT computes/createOrUpdate'] >= 1 ? true : undefined));
    expect(await armState(stack, id)).toBeNull(); // still held

    const answer = kind === 'delete' ? await stack.api('DELETE', `/api/servers/${id}`) : await stack.api('POST', `/api/servers/${id}/stop`, {});
    expect(answer.status).toBe(202);
    const done = kind === 'delete' ? 'Deleted' : 'Stopped';
    await followUntil(stack, id, done, (arm) => arm === null);
    // The held PUT has been answered by now; nothing it created may survive.
    await waitFor('the held create to be answered', async () => ((await operations(stack, id)).includes('computes/createOrUpdate') ? true : undefined));
    await sleep(1500);
    expect(await armState(stack, id)).toBeNull();
    expect((await stack.api('GET', `/api/servers/${id}`)).body.state).toBe(done);
  });

  it('a delete while ARM keeps refusing the create ends Deleted once the create is answered, without waiting out the grace', async () => {
    // Every create PUT is answered 500, the SDK's retries included: the create never lands.
    await stack.emulatorJson('POST', '/_emulator/scenarios', { match: { operation: 'computes/createOrUpdate' }, fault: { status: 500 } });
    const spawned = await stack.api('POST', '/api/servers', { ...spawnBody, user: 'e2e-race-refused' });
    const id = spawned.body.id;
    await waitFor('the first create PUT to reach ARM', async () =>
      ((await stack.emulatorJson('GET', '/_emulator/stats')).requests['PUT computes/createOrUpdate'] >= 1 ? true : undefined));

    expect((await stack.api('DELETE', `/api/servers/${id}`)).status).toBe(202);
    // The grace for a create that may still land is 3 minutes; an answered one settles it at once.
    await followUntil(stack, id, 'Deleted', (arm) => arm === null);
    expect(await armState(stack, id)).toBeNull();
    // Azure showed no change when the create was refused: the watcher, reading the server, woke the
    // delete run once the answer was recorded; the run never looked by itself (its fallback is a minute).
    expect((await wakesOf(stack, `delete-${id}`)).fallbacks).toBe(0);
  });
});

describe('crash between the stop/delete write and the start of its run, with the sweep running', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await LocalStack.start({ appSettings: { IDLE_SWEEP_SCHEDULE: '*/2 * * * * *' } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  /** The stored servers, as the host sees them (the stack's Azurite, the default table). */
  function storedServers() {
    const servers = new TableServerRepository({ connectionString: stack.azurite.connectionString, tableName: testSettings().state.tableName });
    return testDependencies({ servers, aml: new ScriptedAmlGateway(), clock: { now: () => new Date() } });
  }

  /** An OrchestrationControl in a process that dies right after the state write: nothing after it happens. */
  const diesAfterTheWrite: OrchestrationControl = {
    ensureProvisioning: async () => { throw new Error('host killed'); },
    cancelProvisioning: async () => { throw new Error('host killed'); },
    ensureStopping: async () => { throw new Error('host killed'); },
    ensureDeleting: async () => { throw new Error('host killed'); },
    isLive: async () => { throw new Error('host killed'); },
  };

  it.each(['stop', 'delete'] as const)('a %s whose run never started is driven by the next sweep to its end', async (kind) => {
    const spawned = await stack.api('POST', '/api/servers', { ...spawnBody, user: `e2e-crash-${kind}` });
    const id = spawned.body.id;
    await stack.waitForServer(id, (s) => s.state === 'Running');

    // SIGKILL the host; the stop or delete it was handling had written Stopping/Deleting and died
    // before starting its run (the write is made with the real use case, against the same table).
    await stack.killHost();
    const deps = storedServers();
    const request = kind === 'stop' ? stopServer(deps, diesAfterTheWrite, id, 'user') : deleteServer(deps, diesAfterTheWrite, id);
    await expect(request).rejects.toThrow('host killed');
    expect((await deps.servers.get(id))?.server.state).toBe(kind === 'stop' ? 'Stopping' : 'Deleting');
    await stack.startHost();

    const done = kind === 'stop' ? 'Stopped' : 'Deleted';
    await followUntil(stack, id, done, (arm) => (kind === 'stop' ? arm === 'Stopped' : arm === null));
    // And a spawn is no longer refused with 409 for ever.
    const again = await stack.api('POST', '/api/servers', { ...spawnBody, user: `e2e-crash-${kind}` });
    expect(again.status).toBe(202);
    expect((await stack.waitForServer(id, (s) => s.state === 'Running' || s.state === 'Failed')).state).toBe('Running');
  });
});
