/**
 * End to end over HTTP: the local host (child process) running the compiled app, its Durable
 * engine on Azurite, and the ARM emulator, as `npm start` runs them.
 */
import { LocalStack, SEEDED, sleep } from '../support/local-stack';

jest.setTimeout(180_000);

/** alice's Entra object id and the subscription's tenant in the emulator seed: instances are Personal. */
const ALICE_OID = SEEDED.alice;
const SEED_TENANT = SEEDED.tenantId;
const spawnBody = { user: 'alice', project: 'climate-lab', size: 'Small', userObjectId: ALICE_OID };
const creates = (stats: { requests: Record<string, number> }) => stats.requests['PUT computes/createOrUpdate'] ?? 0;

describe('control plane on the local stack', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await LocalStack.start();
  });
  afterAll(async () => {
    await stack?.stop();
  });
  beforeEach(async () => {
    await stack.emulatorJson('POST', '/_emulator/reset');
  });

  it('spawns to Running with a JupyterLab url, then stops to Stopped', async () => {
    const spawned = await stack.api('POST', '/api/servers', { ...spawnBody, user: 'e2e-basic' });
    expect(spawned.status).toBe(202);
    expect(spawned.headers.get('location')).toBe(`/api/servers/${spawned.body.id}`);
    const running = await stack.waitForServer(spawned.body.id, (s) => s.state === 'Running' || s.state === 'Failed');
    expect(running.state).toBe('Running');
    expect(running.url).toBe(`${stack.emulator.labUrl}/instances/${spawned.body.id}/lab`);
    const lab = await fetch(running.url);
    expect(lab.status).toBe(200);
    expect(await lab.text()).toContain('JupyterLab');

    const stopped = await stack.api('POST', `/api/servers/${spawned.body.id}/stop`, {});
    expect(stopped.status).toBe(202);
    const done = await stack.waitForServer(spawned.body.id, (s) => s.state === 'Stopped');
    expect(done).toMatchObject({ stopReason: 'user', url: null, amlState: 'Stopped' });
    const arm = await stack.emulatorJson('GET', `/_emulator/requests?name=${spawned.body.id}`);
    expect(arm.requests.map((r: { operation: string }) => r.operation)).toEqual(['computes/createOrUpdate', 'computes/stop']);
    // Personal, assigned to alice in the subscription's tenant (read from ARM: the spawn sent none).
    expect(arm.requests[0].body.properties.properties).toMatchObject({
      applicationSharingPolicy: 'Personal',
      personalComputeInstanceSettings: { assignedUser: { objectId: ALICE_OID, tenantId: SEED_TENANT } },
    });
  });

  it('refuses a spawn without the person\'s object id: 400 user-object-id-required, nothing created', async () => {
    const { userObjectId: _omitted, ...withoutObjectId } = spawnBody;
    const refused = await stack.api('POST', '/api/servers', { ...withoutObjectId, user: 'e2e-anonymous' });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ code: 'user-object-id-required' });
    expect(creates(await stack.emulatorJson('GET', '/_emulator/stats'))).toBe(0);
  });

  it('turns 20 concurrent identical spawns into one compute instance and one orchestration', async () => {
    const body = { ...spawnBody, user: 'e2e-concurrent' };
    const answers = await Promise.all(Array.from({ length: 20 }, () => stack.api('POST', '/api/servers', body)));
    expect(answers.map((a) => a.status).every((status) => status === 202 || status === 200)).toBe(true);
    const ids = new Set(answers.map((a) => a.body.id));
    expect(ids.size).toBe(1);
    const [id] = ids;
    await stack.waitForServer(id, (s) => s.state === 'Running');
    const stats = await stack.emulatorJson('GET', '/_emulator/stats');
    expect(creates(stats)).toBe(1);
    const orchestrations = await stack.api('GET', `/runtime/webhooks/durabletask/instances?instanceIdPrefix=provision-${id}`);
    expect(orchestrations.status).toBe(200);
    expect(orchestrations.body).toHaveLength(1);
  });

  it('reports CreateFailed with Azure\'s message', async () => {
    const message = 'Allocation failed. We do not have sufficient capacity for the requested VM size in this region.';
    await stack.emulatorJson('POST', '/_emulator/scenarios', { match: { vmSize: 'Standard_DS3_v2' }, outcome: 'CreateFailed', code: 'AllocationFailed', message });
    const spawned = await stack.api('POST', '/api/servers', { ...spawnBody, user: 'e2e-failed', size: 'Medium' });
    const failed = await stack.waitForServer(spawned.body.id, (s) => s.state === 'Failed' || s.state === 'Running');
    expect(failed.state).toBe('Failed');
    expect(failed.amlState).toBe('CreateFailed');
    expect(failed.error).toEqual({ code: 'AllocationFailed', message });
  });

  it('survives a host killed with SIGKILL during provisioning, without a second create', async () => {
    const spawned = await stack.api('POST', '/api/servers', { ...spawnBody, user: 'e2e-crash' });
    await stack.waitForServer(spawned.body.id, (s) => s.state === 'Creating');
    await stack.killHost();
    await sleep(1000);
    await stack.startHost();
    const running = await stack.waitForServer(spawned.body.id, (s) => s.state === 'Running' || s.state === 'Failed');
    expect(running.state).toBe('Running');
    expect(creates(await stack.emulatorJson('GET', '/_emulator/stats'))).toBe(1);
  });
});

describe('control plane with Azure failing one request in five', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await LocalStack.start({ emulator: { faultRate: 0.2, faultSeed: 7 } });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('still reaches Running', async () => {
    // The SDK's pipeline retries the 500/503/429 answers (honouring Retry-After); no loop of ours.
    const spawned = await stack.api('POST', '/api/servers', { ...spawnBody, user: 'e2e-faults' });
    expect(spawned.status).toBe(202);
    const id = spawned.body.id;
    const running = await stack.waitForServer(id, (s) => s.state === 'Running' || s.state === 'Failed');
    expect(running.state).toBe('Running');
    const stats = await stack.emulatorJson('GET', '/_emulator/stats');
    expect(stats.faults).toBeGreaterThan(0);
  });
});
