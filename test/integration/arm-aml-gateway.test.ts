/**
 * ArmAmlGateway through the real Azure SDK clients against the ARM emulator over HTTPS, with a
 * real DefaultAzureCredential that gets its token from the emulator's managed-identity endpoint.
 * NODE_EXTRA_CA_CERTS (set by `npm test`) makes Node trust the emulator's local CA.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DefaultAzureCredential } from '@azure/identity';
import { isRestError } from '@azure/core-rest-pipeline';
import { startArmEmulator, type ArmEmulator, type ArmEmulatorOptions, type RecordedRequest, type StatsSnapshot } from '../../local/arm-emulator';
import { AML_API_VERSION, ArmAmlGateway } from '../../shared/adapters/aml/arm-aml-gateway';
import { AppError } from '../../shared/domain/errors';
import type { CreateComputeRequest } from '../../shared/domain/ports';

const USER = { objectId: '3f2a9c1e-5b7d-4e8f-9a01-2b3c4d5e6f70', tenantId: '9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a' };
const FAST_RETRIES = { retryDelayInMs: 10, maxRetryDelayInMs: 50 };

/** The emulator's clock, moved by the tests: lifecycle steps happen exactly when a test says. */
const clock = { now: Date.now() };
const advance = (seconds: number) => {
  clock.now += seconds * 1000;
};

interface Harness {
  emulator: ArmEmulator;
  gateway: ArmAmlGateway;
}

/**
 * One managed-identity endpoint for the whole file: @azure/identity (msal-node) picks its managed
 * identity source once per process, from IDENTITY_ENDPOINT/IDENTITY_HEADER as they are then. Any
 * emulator accepts the tokens it issues, so the emulators under test may come and go.
 */
let identity: ArmEmulator;
let credential: DefaultAzureCredential;
const savedEnv = { endpoint: process.env.IDENTITY_ENDPOINT, header: process.env.IDENTITY_HEADER };

beforeAll(async () => {
  identity = await startArmEmulator({ port: 0, dataDir: null });
  process.env.IDENTITY_ENDPOINT = identity.identityEndpoint;
  process.env.IDENTITY_HEADER = identity.identityHeader;
  credential = new DefaultAzureCredential();
});

afterAll(async () => {
  await identity.stop();
  process.env.IDENTITY_ENDPOINT = savedEnv.endpoint;
  process.env.IDENTITY_HEADER = savedEnv.header;
});

async function startHarness(options: ArmEmulatorOptions, gatewayOptions: Partial<ConstructorParameters<typeof ArmAmlGateway>[0]> = {}): Promise<Harness> {
  const emulator = await startArmEmulator({ port: 0, dataDir: null, ...options });
  const gateway = new ArmAmlGateway({
    credential,
    subscriptionId: emulator.subscriptionId,
    endpoint: emulator.url,
    retryOptions: FAST_RETRIES,
    ...gatewayOptions,
  });
  return { emulator, gateway };
}

async function control<T>(emulator: ArmEmulator, method: string, pathAndQuery: string, body?: unknown): Promise<T> {
  const response = await fetch(`${emulator.url}${pathAndQuery}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${pathAndQuery} answered ${response.status}: ${await response.text()}`);
  return (response.status === 204 ? undefined : await response.json()) as T;
}

const stats = (emulator: ArmEmulator) => control<StatsSnapshot>(emulator, 'GET', '/_emulator/stats');
const addScenario = (emulator: ArmEmulator, scenario: object) => control(emulator, 'POST', '/_emulator/scenarios', scenario);
const recorded = async (emulator: ArmEmulator, name: string) =>
  (await control<{ requests: RecordedRequest[] }>(emulator, 'GET', `/_emulator/requests?name=${name}`)).requests;

async function errorOf(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw new Error(`expected an AppError, got ${String(error)}`);
  }
  throw new Error('expected the call to fail');
}

const createRequest = (overrides: Partial<CreateComputeRequest> = {}): CreateComputeRequest => ({
  project: 'climate-lab',
  name: 'ci-alice-default',
  vmSize: 'Standard_DS3_v2',
  location: 'westeurope',
  userObjectId: USER.objectId,
  tenantId: USER.tenantId,
  tags: { 'aml-jupyterhub-user': 'alice' },
  idleTimeBeforeShutdown: 'PT90M',
  ...overrides,
});

describe('ArmAmlGateway against the ARM emulator', () => {
  let harness: Harness;
  const at = { project: 'climate-lab', name: 'ci-alice-default' };

  beforeAll(async () => {
    harness = await startHarness({
      now: () => clock.now,
      createSeconds: 60,
      startSeconds: 30,
      stopSeconds: 20,
      deleteSeconds: 10,
      computePageSize: 2,
    });
  });
  afterAll(() => harness.emulator.stop());
  beforeEach(() => harness.emulator.reset());

  it('lists the resource groups with their tags', async () => {
    const groups = await harness.gateway.listResourceGroups();
    expect(groups).toEqual([
      { name: 'climate-lab', location: 'westeurope', tags: { jupyterhub: 'enabled' } },
      { name: 'ocean-lab', location: 'westeurope', tags: { jupyterhub: 'enabled' } },
      { name: 'shared-networking', location: 'westeurope', tags: {} },
    ]);
  });

  it('finds the workspace of a project and nothing for a group without one', async () => {
    await expect(harness.gateway.getWorkspace('ocean-lab')).resolves.toEqual({
      name: 'ocean-lab',
      resourceGroup: 'ocean-lab',
      location: 'westeurope',
    });
    await expect(harness.gateway.getWorkspace('shared-networking')).resolves.toBeNull();
    await expect(harness.gateway.getWorkspace('no-such-project')).resolves.toBeNull();
  });

  it("lists the region's VM sizes with their GPUs", async () => {
    const sizes = await harness.gateway.listVmSizes('westeurope');
    expect(sizes).toContainEqual({ name: 'Standard_DS1_v2', vCPUs: 1, memoryGB: 3.5, gpus: 0 });
    expect(sizes).toContainEqual({ name: 'Standard_NC6s_v3', vCPUs: 6, memoryGB: 112, gpus: 1 });
    expect(sizes.map((size) => size.name)).not.toContain('Standard_NC4as_T4_v3');
  });

  it('answers null for an instance that does not exist', async () => {
    await expect(harness.gateway.getCompute({ project: 'climate-lab', name: 'ci-nobody' })).resolves.toBeNull();
  });

  it('creates an instance for the user with the idle shutdown, and it comes up Running with a JupyterLab URL', async () => {
    await harness.gateway.createCompute(createRequest());

    const [put] = await recorded(harness.emulator, at.name);
    expect(put).toMatchObject({ method: 'PUT', apiVersion: AML_API_VERSION, status: 201 });
    expect(put?.body).toMatchObject({
      location: 'westeurope',
      tags: { 'aml-jupyterhub-user': 'alice' },
      properties: {
        computeType: 'ComputeInstance',
        properties: {
          vmSize: 'Standard_DS3_v2',
          idleTimeBeforeShutdown: 'PT90M',
          computeInstanceAuthorizationType: 'personal',
          personalComputeInstanceSettings: { assignedUser: USER },
        },
      },
    });

    const creating = await harness.gateway.getCompute(at);
    expect(creating).toMatchObject({ name: at.name, state: 'Creating', provisioningState: 'Creating', vmSize: 'Standard_DS3_v2', jupyterLabUrl: null });
    expect(creating?.lastOperation).toMatchObject({ operationName: 'Create', operationStatus: 'InProgress' });

    advance(59);
    await expect(harness.gateway.getCompute(at)).resolves.toMatchObject({ state: 'Creating' });
    advance(1);
    const running = await harness.gateway.getCompute(at);
    expect(running).toMatchObject({ state: 'Running', provisioningState: 'Succeeded', errors: [] });
    expect(running?.lastOperation).toMatchObject({ operationName: 'Create', operationStatus: 'Succeeded' });
    expect(running?.jupyterLabUrl).toBe(`${harness.emulator.labUrl}/instances/${at.name}/lab`);

    const page = await fetch(running?.jupyterLabUrl ?? '');
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain('<title>JupyterLab</title>');
    expect(html).toContain(at.name);
    expect(html).toContain(USER.objectId);
  });

  it('stops and starts an instance through their transitional states', async () => {
    await harness.gateway.createCompute(createRequest());
    advance(60);

    await harness.gateway.stopCompute(at);
    await expect(harness.gateway.getCompute(at)).resolves.toMatchObject({ state: 'Stopping' });
    advance(20);
    const stopped = await harness.gateway.getCompute(at);
    expect(stopped).toMatchObject({ state: 'Stopped', lastOperation: { operationName: 'Stop', operationStatus: 'Succeeded' } });
    expect((await fetch(stopped?.jupyterLabUrl ?? '')).status).toBe(503);

    await harness.gateway.startCompute(at);
    await expect(harness.gateway.getCompute(at)).resolves.toMatchObject({ state: 'Starting' });
    advance(30);
    await expect(harness.gateway.getCompute(at)).resolves.toMatchObject({ state: 'Running' });

    const writes = (await recorded(harness.emulator, at.name)).map((request) => `${request.method} ${request.operation} ${request.status}`);
    expect(writes).toEqual(['PUT computes/createOrUpdate 201', 'POST computes/stop 202', 'POST computes/start 202']);
  });

  it('sends create, stop, start and delete without reading the operation status (callers poll the instance)', async () => {
    await harness.gateway.createCompute(createRequest());
    advance(60);
    await harness.gateway.stopCompute(at);
    advance(20);
    await harness.gateway.startCompute(at);
    advance(30);
    await harness.gateway.deleteCompute(at);
    const { requests } = await stats(harness.emulator);
    expect(requests).toMatchObject({
      'PUT computes/createOrUpdate': 1,
      'POST computes/stop': 1,
      'POST computes/start': 1,
      'DELETE computes/delete': 1,
    });
    expect(Object.keys(requests).filter((operation) => /operation(Status|Result)/.test(operation))).toEqual([]);
  });

  it('sends each create its own idleTimeBeforeShutdown and reads it back with the tags and the trigger of the last operation', async () => {
    await harness.gateway.createCompute(createRequest({ idleTimeBeforeShutdown: 'PT30M', tags: { 'aml-jupyterhub-hub': 'hub' } }));
    await harness.gateway.createCompute(createRequest({ name: 'ci-bob-default', idleTimeBeforeShutdown: 'PT120M' }));

    const bodies = async (name: string) => (await recorded(harness.emulator, name)).map((request) => request.body as any);
    expect((await bodies(at.name))[0].properties.properties.idleTimeBeforeShutdown).toBe('PT30M');
    expect((await bodies('ci-bob-default'))[0].properties.properties.idleTimeBeforeShutdown).toBe('PT120M');

    const created = await harness.gateway.getCompute(at);
    expect(created).toMatchObject({
      idleTimeBeforeShutdown: 'PT30M',
      tags: { 'aml-jupyterhub-hub': 'hub' },
      lastOperation: { operationName: 'Create', operationTrigger: 'User' },
    });
    expect(created?.createdAt).toBe(new Date(clock.now).toISOString());
    const { computes: listed } = await harness.gateway.listComputes('climate-lab');
    expect(listed.find((compute) => compute.name === 'ci-bob-default')?.idleTimeBeforeShutdown).toBe('PT120M');
  });

  it("refuses an idle time below Azure's 15-minute floor (Azure's 400 through the SDK)", async () => {
    const error = await errorOf(harness.gateway.createCompute(createRequest({ idleTimeBeforeShutdown: 'PT30S' })));
    expect(error.code).toBe('azure-error');
    expect(error.message).toContain('PT15M');
    expect(isRestError(error.cause) && error.cause.statusCode).toBe(400);
    await expect(harness.gateway.getCompute(at)).resolves.toBeNull();
  });

  it('changes the idle shutdown of an existing instance (updateIdleShutdownSetting) and refuses one below the floor', async () => {
    await harness.gateway.createCompute(createRequest({ idleTimeBeforeShutdown: 'PT90M' }));
    advance(60);
    await harness.gateway.updateIdleShutdown(at, 'PT30M');
    await expect(harness.gateway.getCompute(at)).resolves.toMatchObject({ idleTimeBeforeShutdown: 'PT30M' });
    const update = (await recorded(harness.emulator, at.name)).at(-1);
    expect(update).toMatchObject({
      method: 'POST', operation: 'computes/updateIdleShutdownSetting', apiVersion: AML_API_VERSION, status: 200,
      body: { idleTimeBeforeShutdown: 'PT30M' },
    });

    const tooShort = await errorOf(harness.gateway.updateIdleShutdown(at, 'PT5M'));
    expect(tooShort.code).toBe('azure-error');
    expect(tooShort.message).toContain('PT15M');
    const missing = await errorOf(harness.gateway.updateIdleShutdown({ ...at, name: 'ci-nobody' }, 'PT30M'));
    expect(isRestError(missing.cause) && missing.cause.statusCode).toBe(404);
  });

  it("reports Azure ML's idle shutdown in lastOperation once the instance has had no activity for its idle time", async () => {
    await harness.gateway.createCompute(createRequest({ idleTimeBeforeShutdown: 'PT15M' }));
    advance(60);
    advance(10 * 60);
    // Someone works in JupyterLab: the idle clock starts again.
    expect((await fetch(`${harness.emulator.labUrl}/instances/${at.name}/lab`)).status).toBe(200);
    advance(10 * 60);
    await expect(harness.gateway.getCompute(at)).resolves.toMatchObject({ state: 'Running' });
    advance(5 * 60);
    const stopping = await harness.gateway.getCompute(at);
    expect(stopping).toMatchObject({ state: 'Stopping', lastOperation: { operationName: 'Stop', operationTrigger: 'IdleShutdown', operationStatus: 'InProgress' } });
    advance(20);
    await expect(harness.gateway.getCompute(at)).resolves.toMatchObject({
      state: 'Stopped',
      lastOperation: { operationName: 'Stop', operationTrigger: 'IdleShutdown', operationStatus: 'Succeeded' },
    });
  });

  it('refuses to stop an instance that is still being created (conflicting-operation, Azure message kept)', async () => {
    await harness.gateway.createCompute(createRequest());
    const error = await errorOf(harness.gateway.stopCompute(at));
    expect(error.code).toBe('conflicting-operation');
    expect(error.message).toContain("is in state 'Creating'");
    expect(isRestError(error.cause) && error.cause.statusCode).toBe(409);
  });

  it('deletes an instance: Deleting, then gone', async () => {
    await harness.gateway.createCompute(createRequest());
    advance(60);
    await harness.gateway.deleteCompute(at);
    const [, del] = await recorded(harness.emulator, at.name);
    expect(del?.path).toMatch(/\/computes\/ci-alice-default$/);
    expect(del).toMatchObject({ method: 'DELETE', status: 202 });
    await expect(harness.gateway.getCompute(at)).resolves.toMatchObject({ state: 'Deleting' });
    advance(10);
    await expect(harness.gateway.getCompute(at)).resolves.toBeNull();
    // Deleting what is already gone is not an error.
    await expect(harness.gateway.deleteCompute(at)).resolves.toBeUndefined();
  });

  it('lists every instance of a project across pages, handing on each page as it arrives', async () => {
    const names = ['ci-page-one', 'ci-page-two', 'ci-page-three', 'ci-page-four', 'ci-page-five'];
    for (const name of names) await harness.gateway.createCompute(createRequest({ name }));
    await harness.gateway.createCompute(createRequest({ project: 'ocean-lab', name: 'ci-elsewhere' }));

    const heard: string[][] = [];
    const { computes: listed, pages } = await harness.gateway.listComputes('climate-lab', (page) => heard.push(page.map((compute) => compute.name)));
    expect(listed.map((compute) => compute.name)).toEqual(names);
    expect(heard).toEqual([names.slice(0, 2), names.slice(2, 4), names.slice(4)]);
    expect(listed.every((compute) => compute.state === 'Creating')).toBe(true);
    expect((await stats(harness.emulator)).requests['GET computes/list']).toBe(3);
    expect(pages).toBe(3);
  });

  it('retries a 429 with Retry-After and succeeds', async () => {
    await addScenario(harness.emulator, { match: { operation: 'workspaces/get' }, fault: { status: 429, retryAfterSeconds: 1 }, times: 2 });
    await expect(harness.gateway.getWorkspace('climate-lab')).resolves.toMatchObject({ name: 'climate-lab' });
    const after = await stats(harness.emulator);
    expect(after.requests['GET workspaces/get']).toBe(3);
    expect(after.faults).toBe(2);
  });

  it('retries 500 and 503 faults and succeeds', async () => {
    await addScenario(harness.emulator, { match: { operation: 'computes/list' }, fault: { status: 500 }, times: 1 });
    await addScenario(harness.emulator, { match: { operation: 'computes/list' }, fault: { status: 503 }, times: 1 });
    await expect(harness.gateway.listComputes('climate-lab')).resolves.toEqual({ computes: [], pages: 1 });
    const after = await stats(harness.emulator);
    expect(after.requests['GET computes/list']).toBe(3);
    expect(after.faults).toBe(2);
  });

  it('reports throttled once the retries are used up', async () => {
    await addScenario(harness.emulator, { match: { operation: 'computes/get' }, fault: { status: 429, retryAfterSeconds: 0 } });
    const error = await errorOf(harness.gateway.getCompute(at));
    expect(error.code).toBe('throttled');
    expect(error.retryAfterSeconds).toBe(0);
    // The first attempt and the SDK's 3 retries.
    expect((await stats(harness.emulator)).requests['GET computes/get']).toBe(4);
  });

  it('turns a quota rejection into quota-exceeded with Azure\'s message, and creates nothing', async () => {
    const message =
      'The specified subscription has a Standard NCSv3 Family vCPU quota of 0 and cannot accommodate 1 compute instance node of 6 vCPUs. ' +
      'Request a quota increase for the family in this region.';
    await addScenario(harness.emulator, { match: { vmSize: 'Standard_NC6s_v3' }, reject: { status: 400, code: 'BadRequest', message } });

    const error = await errorOf(harness.gateway.createCompute(createRequest({ vmSize: 'Standard_NC6s_v3' })));
    expect(error).toMatchObject({ code: 'quota-exceeded', message, callerFault: true });
    expect(isRestError(error.cause) && error.cause.statusCode).toBe(400);
    await expect(harness.gateway.getCompute(at)).resolves.toBeNull();
  });

  it('reports size-unavailable for a VM size the region does not offer', async () => {
    const error = await errorOf(harness.gateway.createCompute(createRequest({ vmSize: 'Standard_NC4as_T4_v3' })));
    expect(error.code).toBe('size-unavailable');
    expect(error.message).toContain("'Standard_NC4as_T4_v3' is not available in location 'westeurope'");
  });

  it('reports compute-name-conflict for a name Azure refuses or one taken in the region', async () => {
    const invalid = await errorOf(harness.gateway.createCompute(createRequest({ name: 'ci-42' })));
    expect(invalid.code).toBe('compute-name-conflict');

    await harness.gateway.createCompute(createRequest({ project: 'ocean-lab', name: 'ci-shared-name' }));
    const taken = await errorOf(harness.gateway.createCompute(createRequest({ name: 'ci-shared-name' })));
    expect(taken.code).toBe('compute-name-conflict');
    expect(taken.message).toContain('AlreadyExists');
  });

  it('surfaces the message of a failed creation in the instance errors', async () => {
    const message = 'Allocation failed: no capacity for Standard_DS3_v2 in westeurope right now.';
    await addScenario(harness.emulator, { match: { name: at.name }, outcome: 'CreateFailed', code: 'AllocationFailed', message });

    await harness.gateway.createCompute(createRequest());
    advance(60);
    const failed = await harness.gateway.getCompute(at);
    expect(failed).toMatchObject({ state: 'CreateFailed', provisioningState: 'Failed', jupyterLabUrl: null });
    expect(failed?.errors).toEqual([{ code: 'AllocationFailed', message }]);
    expect(failed?.lastOperation).toMatchObject({ operationName: 'Create', operationStatus: 'CreateFailed' });
  });

  it('reports a create that fails at once as accepted, the failure showing on the instance', async () => {
    const quick = await startHarness({ createSeconds: 0 });
    try {
      await addScenario(quick.emulator, { match: { name: at.name }, outcome: 'SetupFailed' });
      await expect(quick.gateway.createCompute(createRequest())).resolves.toBeUndefined();
      const failed = await quick.gateway.getCompute(at);
      expect(failed).toMatchObject({ state: 'SetupFailed' });
      expect(failed?.errors[0]?.message).toContain('setup script');
    } finally {
      await quick.emulator.stop();
    }
  });
});

describe('ArmAmlGateway with an unreliable or busy ARM', () => {
  it('gets through a share of random 500/503/429 faults', async () => {
    const { emulator, gateway } = await startHarness({ faultRate: 0.3, faultSeed: 20261126 }, { retryOptions: { ...FAST_RETRIES, maxRetries: 6 } });
    try {
      for (let i = 0; i < 12; i += 1) {
        await expect(gateway.getWorkspace(i % 2 === 0 ? 'climate-lab' : 'ocean-lab')).resolves.not.toBeNull();
      }
      const after = await stats(emulator);
      expect(after.faults).toBeGreaterThan(0);
      expect(after.requests['GET workspaces/get']).toBe(12 + after.faults);
    } finally {
      await emulator.stop();
    }
  });

  it("waits out ARM's read throttling and succeeds", async () => {
    const { emulator, gateway } = await startHarness({
      throttle: true,
      throttleLimits: { reads: { burst: 2, perSecond: 1 }, writes: { burst: 2, perSecond: 1 } },
    });
    try {
      for (let i = 0; i < 4; i += 1) await expect(gateway.listResourceGroups()).resolves.toHaveLength(3);
      const after = await stats(emulator);
      expect(after.throttled).toBeGreaterThan(0);
      expect(after.requests['GET resourceGroups/list']).toBe(4 + after.throttled);
    } finally {
      await emulator.stop();
    }
  });
});

describe('ArmAmlGateway across an emulator restart', () => {
  it('finds the instances a previous emulator created, in the state time has brought them to', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'arm-emulator-'));
    const options = { dataDir, now: () => clock.now, createSeconds: 60, stopSeconds: 20 };
    const at = { project: 'ocean-lab', name: 'ci-bob-default' };
    try {
      const first = await startHarness(options);
      await first.gateway.createCompute(createRequest(at));
      await first.emulator.stop();

      advance(60);
      const second = await startHarness(options);
      await expect(second.gateway.getCompute(at)).resolves.toMatchObject({ state: 'Running', vmSize: 'Standard_DS3_v2' });
      await second.gateway.stopCompute(at);
      await second.emulator.stop();

      const third = await startHarness(options);
      await expect(third.gateway.getCompute(at)).resolves.toMatchObject({ state: 'Stopping' });
      advance(20);
      await expect(third.gateway.getCompute(at)).resolves.toMatchObject({ state: 'Stopped' });
      await third.emulator.stop();
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
