/**
 * The product's reaction to the compute-instance states Azure ML reports, through the real
 * ArmAmlGateway against the ARM emulator: SettingUp is waited out, Unusable fails the spawn with
 * Azure's message, JobRunning is a running server. And the product never relies on a lenient
 * Azure: it sends no start to an instance that is not Stopped and no stop to one that is not
 * running (Azure would accept either and fail its operation, which no one here waits for).
 */
import type { AccessToken, TokenCredential } from '@azure/identity';
import { startArmEmulator, type ArmEmulator, type RecordedRequest } from '../../local/arm-emulator';
import { ArmAmlGateway } from '../../shared/adapters/aml/arm-aml-gateway';
import type { Server } from '../../shared/domain/server';
import { advanceProvisioning } from '../../shared/use-cases/advance-provisioning';
import { advanceStop } from '../../shared/use-cases/advance-wind-down';
import { InMemoryServerRepository } from '../support/in-memory-server-repository';
import { buildServer } from '../support/server-builder';
import { testDependencies, VirtualClock } from '../support/test-dependencies';

const USER = { objectId: 'a11ce000-0000-4000-8000-000000000001', tenantId: '00000000-0000-0000-0000-0000000a4b10' };
const credential: TokenCredential = {
  getToken: async (): Promise<AccessToken> => ({ token: 'states-test', expiresOnTimestamp: Date.now() + 3_600_000 }),
};

describe('the product and the states of an instance (real gateway, ARM emulator)', () => {
  const clock = new VirtualClock(new Date('2026-12-01T09:00:00Z'));
  let emulator: ArmEmulator;
  let gateway: ArmAmlGateway;

  beforeAll(async () => {
    emulator = await startArmEmulator({
      port: 0, dataDir: null, now: () => clock.now().getTime(), createSeconds: 60, startSeconds: 30, stopSeconds: 20, deleteSeconds: 10,
    });
    gateway = new ArmAmlGateway({ credential, subscriptionId: emulator.subscriptionId, endpoint: emulator.url, retryOptions: { maxRetries: 0 } });
  });
  afterAll(() => emulator.stop());
  beforeEach(() => emulator.reset());

  async function control<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(`${emulator.url}${path}`, {
      method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${await response.text()}`);
    return (response.status === 204 ? undefined : await response.json()) as T;
  }

  /** The writes that reached an instance, as `<METHOD> <operation>`. */
  const writes = async (name: string) =>
    (await control<{ requests: RecordedRequest[] }>('GET', `/_emulator/requests?name=${name}`)).requests.map((r) => `${r.method} ${r.operation}`);

  /** A server in `state`, its instance created through the gateway (as a provisioning run would have), optionally under a scenario. */
  async function serverWithInstance(state: Server['state'], outcome?: string) {
    const servers = new InMemoryServerRepository();
    const server = buildServer({ state, phaseSince: clock.now().toISOString(), updatedAt: clock.now().toISOString() });
    await servers.create(server);
    if (outcome) await control('POST', '/_emulator/scenarios', { match: { name: server.id }, outcome, seconds: 30 });
    await gateway.createCompute({
      project: 'climate-lab', name: server.id, vmSize: 'Standard_DS3_v2', location: 'westeurope',
      userObjectId: USER.objectId, tenantId: USER.tenantId, tags: {}, idleTimeBeforeShutdown: 'PT60M',
    });
    const deps = testDependencies({ servers, aml: gateway, clock });
    const stored = async () => (await servers.get(server.id))?.server;
    return { id: server.id, deps, stored };
  }

  it('waits out SettingUp as part of the create, then runs', async () => {
    const { id, deps, stored } = await serverWithInstance('Creating', 'SettingUp');
    clock.advanceSeconds(60);
    expect(await advanceProvisioning(deps, id)).toEqual({ outcome: 'wait', state: 'Creating' });
    expect(await stored()).toMatchObject({ state: 'Creating', amlState: 'SettingUp', url: null });
    clock.advanceSeconds(30);
    expect(await advanceProvisioning(deps, id)).toEqual({ outcome: 'running', state: 'Running' });
    expect((await stored())?.url).toMatch(new RegExp(`/instances/${id}/lab$`));
  });

  it('fails the spawn of an instance that became Unusable, with Azure\'s code and message', async () => {
    const { id, deps, stored } = await serverWithInstance('Creating', 'Unusable');
    clock.advanceSeconds(60);
    expect(await advanceProvisioning(deps, id)).toEqual({ outcome: 'failed', state: 'Failed' });
    const server = await stored();
    expect(server).toMatchObject({ state: 'Failed', amlState: 'Unusable', error: { code: 'ComputeInstanceUnusable' } });
    expect(server?.error?.message).toContain('unusable node');
  });

  it('takes an instance running a job (JobRunning) as running, with its JupyterLab', async () => {
    const { id, deps, stored } = await serverWithInstance('Creating', 'JobRunning');
    clock.advanceSeconds(60);
    expect(await advanceProvisioning(deps, id)).toEqual({ outcome: 'running', state: 'Running' });
    expect(await stored()).toMatchObject({ state: 'Running', amlState: 'JobRunning' });
    expect((await stored())?.url).toMatch(new RegExp(`/instances/${id}/lab$`));
  });

  it('sends no start to an instance that is Running or Starting, and one start to a Stopped one', async () => {
    const running = await serverWithInstance('Requested');
    clock.advanceSeconds(60);
    expect(await advanceProvisioning(running.deps, running.id)).toEqual({ outcome: 'running', state: 'Running' });
    expect(await writes(running.id)).toEqual(['PUT computes/createOrUpdate']);

    const stopped = await serverWithInstance('Requested');
    clock.advanceSeconds(60);
    await gateway.stopCompute({ project: 'climate-lab', name: stopped.id });
    clock.advanceSeconds(20);
    expect(await advanceProvisioning(stopped.deps, stopped.id)).toEqual({ outcome: 'wait', state: 'Starting' });
    clock.advanceSeconds(5);
    expect(await advanceProvisioning(stopped.deps, stopped.id)).toEqual({ outcome: 'wait', state: 'Starting' }); // Starting: nothing sent
    clock.advanceSeconds(30);
    expect(await advanceProvisioning(stopped.deps, stopped.id)).toEqual({ outcome: 'running', state: 'Running' });
    const sent = await writes(stopped.id);
    expect(sent.filter((write) => write === 'POST computes/start')).toHaveLength(1);
  });

  it('sends no stop to an instance that is Stopped or Stopping, and one stop to a running one', async () => {
    const running = await serverWithInstance('Stopping');
    clock.advanceSeconds(60);
    expect(await advanceStop(running.deps, running.id)).toBe('wait');
    clock.advanceSeconds(5);
    expect(await advanceStop(running.deps, running.id)).toBe('wait'); // Stopping: nothing sent
    clock.advanceSeconds(20);
    expect(await advanceStop(running.deps, running.id)).toBe('done');
    expect((await writes(running.id)).filter((write) => write === 'POST computes/stop')).toHaveLength(1);

    const stopped = await serverWithInstance('Stopping');
    clock.advanceSeconds(60);
    await gateway.stopCompute({ project: 'climate-lab', name: stopped.id });
    clock.advanceSeconds(20);
    const before = await writes(stopped.id);
    expect(await advanceStop(stopped.deps, stopped.id)).toBe('done');
    expect(await writes(stopped.id)).toEqual(before);
  });
});
