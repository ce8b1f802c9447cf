/**
 * Where the ARM emulator is as strict as Azure (issue 12 §2): a start of an instance that is not
 * Stopped and a stop of a Stopped one are accepted and then fail their operation; HEAD is ARM's
 * check existence; an operation the emulator does not serve says so with a code of its own, never
 * a 404; api-versions are the ones Azure publishes; enableSSO, sshSettings and osImageMetadata as
 * Azure shows them; error details; SettingUp, Unusable and JobRunning through scenarios; a delete
 * bucket in throttling. Raw HTTPS where the wire matters, the real Azure SDK clients where a
 * client's reading matters (check existence, a start poller).
 */
import { AzureMachineLearningWorkspaces } from '@azure/arm-machinelearning';
import { ResourceManagementClient } from '@azure/arm-resources';
import type { AccessToken, TokenCredential } from '@azure/identity';
import { startArmEmulator, SEED_SUBSCRIPTION_ID, type ArmEmulator, type ArmEmulatorOptions } from '../../local/arm-emulator';

const SUB = `/subscriptions/${SEED_SUBSCRIPTION_ID}`;
const ML = 'providers/Microsoft.MachineLearningServices';
const computePath = (name: string) => `${SUB}/resourceGroups/climate-lab/${ML}/workspaces/climate-lab/computes/${name}`;
const API = 'api-version=2025-12-01';

const clock = { now: Date.now() };
const advance = (seconds: number) => {
  clock.now += seconds * 1000;
};

/** Any bearer token is accepted by the emulator's ARM paths. */
const credential: TokenCredential = {
  getToken: async (): Promise<AccessToken> => ({ token: 'strictness-test', expiresOnTimestamp: Date.now() + 3_600_000 }),
};
const NO_RETRIES = { maxRetries: 0 };

interface Reply {
  status: number;
  headers: Headers;
  /** Arbitrary ARM JSON, read loosely by the assertions. */
  json: any;
  text: string;
}

function client(emulator: ArmEmulator) {
  const send = async (method: string, pathAndQuery: string, body?: unknown): Promise<Reply> => {
    const headers: Record<string, string> = { authorization: 'Bearer strictness-test' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${emulator.url}${pathAndQuery}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    return { status: response.status, headers: response.headers, json, text };
  };
  const relative = (url: string | null) => (url ?? '').replace(emulator.url, '');
  return {
    send,
    create: (name: string, inner: Record<string, unknown> = {}, apiVersion = API) =>
      send('PUT', `${computePath(name)}?${apiVersion}`, {
        location: 'westeurope',
        properties: { computeType: 'ComputeInstance', properties: { vmSize: 'Standard_DS1_v2', ...inner } },
      }),
    get: (name: string) => send('GET', `${computePath(name)}?${API}`),
    state: async (name: string): Promise<string | undefined> => (await send('GET', `${computePath(name)}?${API}`)).json?.properties?.properties?.state,
    /** The accepted operation's Azure-AsyncOperation status and Location result, once done. */
    outcome: async (accepted: Reply) => ({
      status: (await send('GET', relative(accepted.headers.get('azure-asyncoperation')))).json,
      result: await send('GET', relative(accepted.headers.get('location'))),
    }),
    scenario: (scenario: object) => send('POST', '/_emulator/scenarios', scenario),
  };
}

async function withEmulator(options: ArmEmulatorOptions, run: (emulator: ArmEmulator) => Promise<void>): Promise<void> {
  const emulator = await startArmEmulator({ port: 0, dataDir: null, now: () => clock.now, ...options });
  try {
    await run(emulator);
  } finally {
    await emulator.stop();
  }
}

describe('ARM emulator, as strict as Azure', () => {
  let emulator: ArmEmulator;
  let arm: ReturnType<typeof client>;

  beforeAll(async () => {
    emulator = await startArmEmulator({
      port: 0,
      dataDir: null,
      now: () => clock.now,
      createSeconds: 60,
      startSeconds: 30,
      stopSeconds: 20,
      deleteSeconds: 10,
    });
    arm = client(emulator);
  });
  afterAll(() => emulator.stop());
  beforeEach(() => emulator.reset());

  describe('start and stop in the wrong state', () => {
    it('accepts a start of a Running instance, then fails its operation with StartComputeInstanceOnlyAllowedInStoppedState and changes nothing', async () => {
      await arm.create('ci-run');
      advance(60);
      const accepted = await arm.send('POST', `${computePath('ci-run')}/start?${API}`);
      expect(accepted.status).toBe(202);
      const { status, result } = await arm.outcome(accepted);
      expect(status).toMatchObject({
        status: 'Failed',
        error: { code: 'StartComputeInstanceOnlyAllowedInStoppedState', message: "Start Azure ML Compute Instance is only allowed when the instance ci-run is in 'stopped' state" },
      });
      expect(result.status).toBe(400);
      expect(result.json.error.code).toBe('StartComputeInstanceOnlyAllowedInStoppedState');
      const compute = (await arm.get('ci-run')).json.properties.properties;
      expect(compute.state).toBe('Running');
      expect(compute.lastOperation).toMatchObject({ operationName: 'Create', operationStatus: 'Succeeded' });
      // The studio refuses the same start at once.
      const studio = await arm.send('POST', '/_emulator/computes/ci-run/start', { trigger: 'User' });
      expect([studio.status, studio.json.error.code]).toEqual([409, 'StartComputeInstanceOnlyAllowedInStoppedState']);
    });

    it('fails a start of a Starting instance the same way, and the start under way still completes', async () => {
      await arm.create('ci-starting');
      advance(60);
      await arm.send('POST', `${computePath('ci-starting')}/stop?${API}`);
      advance(20);
      expect((await arm.send('POST', `${computePath('ci-starting')}/start?${API}`)).status).toBe(202);
      const again = await arm.send('POST', `${computePath('ci-starting')}/start?${API}`);
      expect(again.status).toBe(202);
      expect((await arm.outcome(again)).status.error.code).toBe('StartComputeInstanceOnlyAllowedInStoppedState');
      expect(await arm.state('ci-starting')).toBe('Starting');
      advance(30);
      expect(await arm.state('ci-starting')).toBe('Running');
    });

    it('accepts a stop of a Stopped instance, then fails its operation and changes nothing', async () => {
      await arm.create('ci-rest');
      advance(60);
      await arm.send('POST', `${computePath('ci-rest')}/stop?${API}`);
      advance(20);
      const accepted = await arm.send('POST', `${computePath('ci-rest')}/stop?${API}`);
      expect(accepted.status).toBe(202);
      const { status, result } = await arm.outcome(accepted);
      expect(status).toMatchObject({ status: 'Failed', error: { code: 'StopComputeInstanceOnlyAllowedInRunningState' } });
      expect(result.status).toBe(400);
      const compute = (await arm.get('ci-rest')).json.properties.properties;
      expect(compute.state).toBe('Stopped');
      expect(compute.lastOperation).toMatchObject({ operationName: 'Stop', operationStatus: 'Succeeded' });
    });

    it('makes the SDK poller of a start of a Running instance reject with Azure\'s code', async () => {
      await arm.create('ci-poller');
      advance(60);
      const ml = new AzureMachineLearningWorkspaces(credential, SEED_SUBSCRIPTION_ID, {
        endpoint: emulator.url, apiVersion: '2025-12-01', retryOptions: NO_RETRIES,
      });
      const error = await ml.computeOperations
        .beginStartAndWait('climate-lab', 'climate-lab', 'ci-poller', { updateIntervalInMs: 10 })
        .then(() => null, (caught: unknown) => caught);
      expect(error).toBeInstanceOf(Error);
      expect(String((error as Error).message)).toContain('StartComputeInstanceOnlyAllowedInStoppedState');
    });
  });

  describe('HEAD (check existence)', () => {
    it('answers 204 without a body for an existing resource and 404 for a missing one, so the SDK check existence is right', async () => {
      await arm.create('ci-exists');
      const head = await arm.send('HEAD', `${computePath('ci-exists')}?${API}`);
      expect([head.status, head.text]).toEqual([204, '']);
      expect((await arm.send('HEAD', `${computePath('ci-absent')}?${API}`)).status).toBe(404);

      const resources = new ResourceManagementClient(credential, SEED_SUBSCRIPTION_ID, { endpoint: emulator.url, retryOptions: NO_RETRIES });
      expect(await resources.resourceGroups.checkExistence('climate-lab')).toEqual({ body: true });
      expect(await resources.resourceGroups.checkExistence('no-such-group')).toEqual({ body: false });
      const id = computePath('ci-exists');
      expect(await resources.resources.checkExistenceById(id, '2025-12-01')).toEqual({ body: true });
      expect(await resources.resources.checkExistenceById(computePath('ci-absent'), '2025-12-01')).toEqual({ body: false });
    });
  });

  describe('operations the emulator does not serve', () => {
    it('answers 501 EmulatorUnsupportedOperation naming the method and path, never a 404 a client reads as "missing"', async () => {
      await arm.create('ci-served');
      const cases: [string, string][] = [
        ['GET', `${SUB}/providers/Microsoft.Compute/virtualMachines?${API}`],
        ['PATCH', `${computePath('ci-served')}?${API}`],
        ['POST', `${computePath('ci-served')}/resize?${API}`],
        ['GET', `/providers/Microsoft.MachineLearningServices/operations?${API}`],
      ];
      for (const [method, url] of cases) {
        const reply = await arm.send(method, url, method === 'GET' ? undefined : {});
        const path = url.split('?')[0];
        expect([method, path, reply.status, reply.json?.error?.code]).toEqual([method, path, 501, 'EmulatorUnsupportedOperation']);
        expect(reply.json.error.message).toContain(`'${method} ${path}'`);
      }
    });
  });

  describe('api-versions', () => {
    it('accepts only the versions Azure publishes: a malformed one is InvalidApiVersionParameter, an unpublished one NoRegisteredProviderFound', async () => {
      const at = (version: string) => arm.send('GET', `${computePath('ci-none')}?api-version=${version}`);
      const malformed = await at('2025-12');
      expect([malformed.status, malformed.json.error.code]).toEqual([400, 'InvalidApiVersionParameter']);
      for (const unpublished of ['2023-02-01', '2024-10-01-preview', '2099-01-01']) {
        const reply = await at(unpublished);
        expect([unpublished, reply.status, reply.json.error.code]).toEqual([unpublished, 400, 'NoRegisteredProviderFound']);
        expect(reply.json.error.message).toContain('2025-12-01');
      }
      for (const published of ['2022-05-01', '2024-10-01', '2026-05-01', '2026-07-01']) {
        expect([published, (await at(published)).status]).toEqual([published, 404]); // served; the instance does not exist
      }
      const groups = await arm.send('GET', `${SUB}/resourcegroups?api-version=2021-02-01`);
      expect([groups.status, groups.json.error.code]).toEqual([400, 'NoRegisteredProviderFound']);
    });

    it('honours idleTimeBeforeShutdown from the first version whose schema has it (2025-12-01) on, and ignores it before', async () => {
      const idle = { idleTimeBeforeShutdown: 'PT2H' };
      await arm.create('ci-idle-sep', idle, 'api-version=2025-09-01');
      await arm.create('ci-idle-dec', idle, 'api-version=2025-12-01');
      await arm.create('ci-idle-mar', idle, 'api-version=2026-03-01');
      const shown = async (name: string) => (await arm.get(name)).json.properties.properties.idleTimeBeforeShutdown;
      expect([await shown('ci-idle-sep'), await shown('ci-idle-dec'), await shown('ci-idle-mar')]).toEqual([undefined, 'PT2H', 'PT2H']);
      const update = await arm.send('POST', `${computePath('ci-idle-dec')}/updateIdleShutdownSetting?api-version=2025-09-01`, idle);
      expect(update.status).toBe(400);
    });
  });

  describe('the instance as Azure shows it', () => {
    it('shows enableSSO and sshSettings as sent (never the admin key), Azure\'s defaults otherwise, and the OS image', async () => {
      await arm.create('ci-access', { enableSSO: false, sshSettings: { sshPublicAccess: 'Enabled', adminPublicKey: 'ssh-rsa AAAAB3Nza' } });
      await arm.create('ci-plain');
      await arm.create('ci-old', { enableSSO: false, sshSettings: { sshPublicAccess: 'Enabled' } }, 'api-version=2025-09-01');
      const inner = async (name: string) => (await arm.get(name)).json.properties.properties;

      const access = await inner('ci-access');
      expect(access.enableSSO).toBe(false);
      expect(access.sshSettings).toEqual({ sshPublicAccess: 'Enabled', adminUserName: 'azureuser', sshPort: 22 });
      expect(JSON.stringify(access)).not.toContain('ssh-rsa');
      expect(access.osImageMetadata).toEqual({ currentImageVersion: expect.any(String), latestImageVersion: expect.any(String), isLatestOsImageVersion: true });

      const plain = await inner('ci-plain');
      expect([plain.enableSSO, plain.sshSettings.sshPublicAccess]).toEqual([true, 'Disabled']);
      // 2025-09-01 has sshSettings but not enableSSO.
      const old = await inner('ci-old');
      expect([old.enableSSO, old.sshSettings.sshPublicAccess]).toEqual([true, 'Enabled']);
    });

    it('gives a refused body ARM error details, one per problem with its target', async () => {
      const reply = await arm.create('ci-bad-ssh', { sshSettings: { sshPublicAccess: 'Sometimes' }, enableSSO: 'yes' });
      expect(reply.status).toBe(400);
      expect(reply.json.error.code).toBe('InvalidRequestContent');
      expect(reply.json.error.details).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ code: 'InvalidRequestContent', target: 'sshSettings.sshPublicAccess' }),
          expect.objectContaining({ code: 'InvalidRequestContent', target: 'enableSSO' }),
        ]),
      );
      expect((await arm.send('GET', `${computePath('ci-bad-ssh')}?${API}`)).status).toBe(404);
    });
  });

  describe('SettingUp, Unusable and JobRunning through scenarios', () => {
    it('sets an instance up between Creating and Running, with no applications yet', async () => {
      expect((await arm.scenario({ match: { name: 'ci-setup' }, outcome: 'SettingUp', seconds: 30 })).status).toBe(201);
      await arm.create('ci-setup');
      advance(60);
      const settingUp = (await arm.get('ci-setup')).json.properties;
      expect([settingUp.properties.state, settingUp.provisioningState, settingUp.properties.applications]).toEqual(['SettingUp', 'Succeeded', []]);
      advance(30);
      expect(await arm.state('ci-setup')).toBe('Running');
    });

    it('ends a create in Unusable with its provisioning error and details, and a failed create operation', async () => {
      await arm.scenario({ match: { name: 'ci-broken' }, outcome: 'Unusable' });
      const accepted = await arm.create('ci-broken');
      advance(60);
      const compute = (await arm.get('ci-broken')).json.properties;
      expect(compute.properties.state).toBe('Unusable');
      expect(compute.provisioningState).toBe('Failed');
      expect(compute.provisioningErrors).toEqual([{ error: { code: 'ComputeInstanceUnusable', message: expect.stringContaining('unusable node'), details: [] } }]);
      expect(compute.properties.errors).toEqual(compute.provisioningErrors);
      const { status } = await arm.outcome(accepted);
      expect(status).toMatchObject({ status: 'Failed', error: { code: 'ComputeInstanceUnusable', details: [] } });
    });

    it('runs a job on an instance (JobRunning): its applications are listed and answer, a start is refused, a stop works', async () => {
      await arm.scenario({ match: { name: 'ci-job' }, outcome: 'JobRunning' });
      await arm.create('ci-job');
      advance(60);
      const compute = (await arm.get('ci-job')).json.properties.properties;
      expect(compute.state).toBe('JobRunning');
      expect(compute.applications.map((app: { displayName: string }) => app.displayName)).toContain('Jupyter Lab');
      expect((await fetch(`${emulator.labUrl}/instances/ci-job/lab`)).status).toBe(200);
      const start = await arm.send('POST', `${computePath('ci-job')}/start?${API}`);
      expect((await arm.outcome(start)).status.error.code).toBe('StartComputeInstanceOnlyAllowedInStoppedState');
      expect((await arm.send('POST', `${computePath('ci-job')}/stop?${API}`)).status).toBe(202);
      expect(await arm.state('ci-job')).toBe('Stopping');
    });
  });
});

describe('ARM emulator throttling of deletes', () => {
  it('keeps a delete bucket apart from the write bucket, with its own remaining header and message', async () => {
    const limits = { reads: { burst: 100, perSecond: 1 }, writes: { burst: 2, perSecond: 1 }, deletes: { burst: 1, perSecond: 1 } };
    await withEmulator({ throttle: true, throttleLimits: limits, createSeconds: 1 }, async (emulator) => {
      const arm = client(emulator);
      expect((await arm.create('ci-throttle-a')).status).toBe(201);
      expect((await arm.create('ci-throttle-b')).status).toBe(201);
      expect((await arm.create('ci-throttle-c')).status).toBe(429); // the write bucket is empty

      const deleted = await arm.send('DELETE', `${computePath('ci-throttle-a')}?${API}&underlyingResourceAction=Delete`);
      expect(deleted.status).toBe(202);
      expect(deleted.headers.get('x-ms-ratelimit-remaining-subscription-deletes')).toBe('0');
      const again = await arm.send('DELETE', `${computePath('ci-throttle-b')}?${API}&underlyingResourceAction=Delete`);
      expect(again.status).toBe(429);
      expect(again.json.error.message).toContain("Number of 'delete' requests");
      expect(again.headers.get('x-ms-ratelimit-remaining-subscription-deletes')).toBe('0');
    });
  });
});
