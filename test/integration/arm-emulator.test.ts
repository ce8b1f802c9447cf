/**
 * The ARM emulator over raw HTTPS: ARM's wire behaviour (auth, api-version, errors, long-running
 * operation headers, paging), the managed-identity endpoint, the JupyterLab pages, throttling,
 * faults, scenarios, stats, reset and persistence. The SDK's view is in arm-aml-gateway.test.ts.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startArmEmulator, SEED_SUBSCRIPTION_ID, type ArmEmulator, type ArmEmulatorOptions, type StatsSnapshot } from '../../local/arm-emulator';

const SUB = `/subscriptions/${SEED_SUBSCRIPTION_ID}`;
const ML = 'providers/Microsoft.MachineLearningServices';
const computePath = (name: string, project = 'climate-lab') => `${SUB}/resourceGroups/${project}/${ML}/workspaces/${project}/computes/${name}`;
const API = 'api-version=2025-12-01';

const clock = { now: Date.now() };
const advance = (seconds: number) => {
  clock.now += seconds * 1000;
};

interface Reply {
  status: number;
  headers: Headers;
  /** Arbitrary ARM JSON, read loosely by the assertions. */
  json: any;
  text: string;
}

class Client {
  constructor(
    readonly emulator: ArmEmulator,
    private token: string | null = null,
  ) {}

  static async signedIn(emulator: ArmEmulator): Promise<Client> {
    const reply = await new Client(emulator).send('GET', '/msi/token?resource=https%3A%2F%2Fmanagement.azure.com&api-version=2019-08-01', {
      headers: { 'x-identity-header': emulator.identityHeader },
    });
    return new Client(emulator, reply.json.access_token);
  }

  /** GET on the lab listener (plain http). */
  async lab(pathAndQuery: string): Promise<{ status: number; headers: Headers; text: string }> {
    const response = await fetch(`${this.emulator.labUrl}${pathAndQuery}`);
    return { status: response.status, headers: response.headers, text: await response.text() };
  }

  async send(method: string, pathAndQuery: string, init: { body?: unknown; headers?: Record<string, string> } = {}): Promise<Reply> {
    const headers: Record<string, string> = { ...(init.headers ?? {}) };
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${this.emulator.url}${pathAndQuery}`, {
      method,
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    const text = await response.text();
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    return { status: response.status, headers: response.headers, json, text };
  }

  create(name: string, inner: Record<string, unknown> = {}, project = 'climate-lab'): Promise<Reply> {
    return this.send('PUT', `${computePath(name, project)}?${API}`, {
      body: { location: 'westeurope', properties: { computeType: 'ComputeInstance', properties: { vmSize: 'Standard_DS1_v2', ...inner } } },
    });
  }

  state(name: string): Promise<string | undefined> {
    return this.send('GET', `${computePath(name)}?${API}`).then((reply) => reply.json?.properties?.properties?.state);
  }

  stats(): Promise<StatsSnapshot> {
    return this.send('GET', '/_emulator/stats').then((reply) => reply.json);
  }
}

async function withEmulator(options: ArmEmulatorOptions, run: (emulator: ArmEmulator) => Promise<void>): Promise<void> {
  const emulator = await startArmEmulator({ port: 0, dataDir: null, now: () => clock.now, ...options });
  try {
    await run(emulator);
  } finally {
    await emulator.stop();
  }
}

describe('ARM emulator', () => {
  let emulator: ArmEmulator;
  let arm: Client;

  beforeAll(async () => {
    emulator = await startArmEmulator({
      port: 0,
      dataDir: null,
      now: () => clock.now,
      createSeconds: 60,
      startSeconds: 30,
      stopSeconds: 20,
      deleteSeconds: 10,
      computePageSize: 2,
    });
    arm = await Client.signedIn(emulator);
  });
  afterAll(() => emulator.stop());
  beforeEach(() => emulator.reset());

  describe('managed-identity endpoint', () => {
    it('issues a bearer token for the resource asked, App Service style', async () => {
      const reply = await new Client(emulator).send('GET', '/msi/token?resource=https%3A%2F%2F127.0.0.1%3A7072&api-version=2019-08-01', {
        headers: { 'X-IDENTITY-HEADER': 'local' },
      });
      expect(reply.status).toBe(200);
      expect(reply.json).toMatchObject({ resource: 'https://127.0.0.1:7072', token_type: 'Bearer' });
      expect(reply.json.access_token).toEqual(expect.any(String));
      expect(Number(reply.json.expires_on)).toBeGreaterThan(Date.now() / 1000);
    });

    it('refuses a caller without the identity header', async () => {
      const reply = await new Client(emulator).send('GET', '/msi/token?resource=x&api-version=2019-08-01');
      expect(reply.status).toBe(401);
    });
  });

  describe('ARM conventions', () => {
    it('answers 401 with ARM error JSON without a bearer token', async () => {
      const reply = await new Client(emulator).send('GET', `${SUB}/resourcegroups?api-version=2025-04-01`);
      expect(reply.status).toBe(401);
      expect(reply.json).toEqual({ error: { code: 'AuthenticationFailed', message: "Authentication failed. The 'Authorization' header is missing." } });
      expect(reply.headers.get('www-authenticate')).toMatch(/^Bearer /);
    });

    it('requires a known api-version', async () => {
      const missing = await arm.send('GET', `${SUB}/resourcegroups`);
      expect(missing.status).toBe(400);
      expect(missing.json.error.code).toBe('MissingApiVersionParameter');
      const old = await arm.send('GET', `${computePath('ci-x')}?api-version=2019-01-01`);
      expect(old.status).toBe(400);
      expect(old.json.error.code).toBe('NoRegisteredProviderFound');
    });

    it('answers 404s with the codes ARM uses', async () => {
      const cases: [string, string][] = [
        [`/subscriptions/11111111-2222-3333-4444-555555555555/resourcegroups?api-version=2025-04-01`, 'SubscriptionNotFound'],
        [`${SUB}/resourcegroups/nope?api-version=2025-04-01`, 'ResourceGroupNotFound'],
        [`${SUB}/resourceGroups/shared-networking/${ML}/workspaces/shared-networking?${API}`, 'ResourceNotFound'],
        [`${computePath('ci-missing')}?${API}`, 'ResourceNotFound'],
      ];
      for (const [url, code] of cases) {
        const reply = await arm.send('GET', url);
        expect([url, reply.status, reply.json?.error?.code]).toEqual([url, 404, code]);
      }
    });

    it('serves resource groups, workspaces and VM sizes from the seed', async () => {
      const groups = await arm.send('GET', `${SUB}/resourcegroups?api-version=2025-04-01`);
      expect(groups.json.value.map((group: { name: string }) => group.name)).toEqual(['climate-lab', 'ocean-lab', 'shared-networking']);
      const byGroup = await arm.send('GET', `${SUB}/resourceGroups/ocean-lab/${ML}/workspaces?${API}`);
      expect(byGroup.json.value).toHaveLength(1);
      expect(byGroup.json.value[0]).toMatchObject({ name: 'ocean-lab', type: 'Microsoft.MachineLearningServices/workspaces', tags: { jupyterhub: 'enabled' } });
      const sizes = await arm.send('GET', `${SUB}/${ML}/locations/westeurope/vmSizes?${API}`);
      expect(sizes.json.value.find((size: { name: string }) => size.name === 'Standard_NC6s_v3')).toMatchObject({ vCPUs: 6, gpus: 1 });
      expect(sizes.json.value).toHaveLength(7);
    });
  });

  describe('compute instances', () => {
    it('accepts a create with 201, Azure-AsyncOperation and Location, and reports the operation until it is done', async () => {
      const created = await arm.create('ci-lro', { idleTimeBeforeShutdown: 'PT2H' });
      expect(created.status).toBe(201);
      expect(created.json.properties).toEqual({ computeType: 'ComputeInstance', provisioningState: 'Creating' });
      const statusUrl = created.headers.get('azure-asyncoperation') ?? '';
      const locationUrl = created.headers.get('location') ?? '';
      expect(statusUrl).toMatch(/\/computeOperationsStatus\//);
      expect(locationUrl).toMatch(/\/computeOperationsResult\//);
      const relative = (url: string) => url.replace(emulator.url, '');

      expect((await arm.send('GET', relative(statusUrl))).json.status).toBe('InProgress');
      expect((await arm.send('GET', relative(locationUrl))).status).toBe(202);
      advance(60);
      expect((await arm.send('GET', relative(statusUrl))).json.status).toBe('Succeeded');
      expect((await arm.send('GET', relative(locationUrl))).status).toBe(200);

      const compute = await arm.send('GET', `${computePath('ci-lro')}?${API}`);
      expect(compute.json.properties.properties).toMatchObject({ state: 'Running', idleTimeBeforeShutdown: 'PT2H' });
    });

    it('ignores idleTimeBeforeShutdown for api-versions that do not have it', async () => {
      await arm.send('PUT', `${computePath('ci-old-api')}?api-version=2024-10-01`, {
        body: { properties: { computeType: 'ComputeInstance', properties: { vmSize: 'Standard_DS1_v2', idleTimeBeforeShutdown: 'PT2H' } } },
      });
      const compute = await arm.send('GET', `${computePath('ci-old-api')}?${API}`);
      expect(compute.json.properties.properties.idleTimeBeforeShutdown).toBeUndefined();
    });

    it('validates the create body, the name, the idle time and the location', async () => {
      const cases: [Promise<Reply>, string][] = [
        [arm.send('PUT', `${computePath('ci-bad-body')}?${API}`, { body: { properties: { computeType: 'ComputeInstance' } } }), 'InvalidRequestContent'],
        [arm.create('ci-99'), 'Invalid'],
        [arm.create('ci-short-idle', { idleTimeBeforeShutdown: 'PT5M' }), 'PT15M'],
        [arm.send('PUT', `${computePath('ci-eastus')}?${API}`, { body: { location: 'eastus', properties: { computeType: 'ComputeInstance', properties: { vmSize: 'Standard_DS1_v2' } } } }), 'eastus'],
      ];
      for (const [pending, expected] of cases) {
        const reply = await pending;
        expect(reply.status).toBe(400);
        expect(reply.text).toContain(expected);
      }
    });

    it('answers the same create again with the instance as it stands (idempotent PUT)', async () => {
      await arm.create('ci-twice');
      const again = await arm.create('ci-twice');
      expect(again.status).toBe(200);
      expect(again.json.properties.properties.state).toBe('Creating');
    });

    it('answers 409 to an operation on a busy instance and 202 to one already under way', async () => {
      await arm.create('ci-busy');
      const start = await arm.send('POST', `${computePath('ci-busy')}/start?${API}`);
      expect(start.status).toBe(409);
      expect(start.json.error.code).toBe('Conflict');
      advance(60);
      expect((await arm.send('POST', `${computePath('ci-busy')}/start?${API}`)).status).toBe(202);
      expect(await arm.state('ci-busy')).toBe('Running');
      expect((await arm.send('POST', `${computePath('ci-busy')}/restart?${API}`)).status).toBe(202);
      expect(await arm.state('ci-busy')).toBe('Restarting');
      advance(30);
      expect(await arm.state('ci-busy')).toBe('Running');
    });

    it('deletes with underlyingResourceAction, and only with it', async () => {
      await arm.create('ci-gone');
      expect((await arm.send('DELETE', `${computePath('ci-gone')}?${API}`)).status).toBe(400);
      const deleted = await arm.send('DELETE', `${computePath('ci-gone')}?${API}&underlyingResourceAction=Delete`);
      expect(deleted.status).toBe(202);
      expect(deleted.headers.get('azure-asyncoperation')).toBeTruthy();
      expect(await arm.state('ci-gone')).toBe('Deleting');
      advance(10);
      expect((await arm.send('GET', `${computePath('ci-gone')}?${API}`)).status).toBe(404);
    });

    it('pages a compute list with nextLink and $skip', async () => {
      for (const name of ['ci-list-a', 'ci-list-b', 'ci-list-c']) await arm.create(name);
      const first = await arm.send('GET', `${SUB}/resourceGroups/climate-lab/${ML}/workspaces/climate-lab/computes?${API}`);
      expect(first.json.value.map((c: { name: string }) => c.name)).toEqual(['ci-list-a', 'ci-list-b']);
      expect(first.json.nextLink).toContain('$skip=2');
      const second = await arm.send('GET', first.json.nextLink.replace(emulator.url, ''));
      expect(second.json.value.map((c: { name: string }) => c.name)).toEqual(['ci-list-c']);
      expect(second.json.nextLink).toBeUndefined();
    });

    it('serves a JupyterLab page while the instance runs, and explains otherwise', async () => {
      await arm.create('ci-page', { personalComputeInstanceSettings: { assignedUser: { objectId: 'user-object-id', tenantId: 'tenant-id' } } });
      const lab = `/instances/ci-page/lab`;
      // The lab pages are on their own plain-http listener; ARM does not serve them.
      expect(emulator.labUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await arm.send('GET', lab)).status).toBe(404);
      const creating = await arm.lab(lab);
      expect(creating.status).toBe(503);
      expect(creating.text).toContain('Creating');
      advance(60);
      const applications = (await arm.send('GET', `${computePath('ci-page')}?${API}`)).json.properties.properties.applications;
      expect(applications).toContainEqual({ displayName: 'Jupyter Lab', endpointUri: `${emulator.labUrl}${lab}` });
      const running = await arm.lab(lab);
      expect(running.status).toBe(200);
      expect(running.headers.get('content-type')).toContain('text/html');
      expect(running.text).toContain('<title>JupyterLab</title>');
      expect(running.text).toContain('ci-page');
      expect(running.text).toContain('user-object-id');
      // a deep link's path and query, as the instance was asked for them
      expect((await arm.lab(`${lab}/tree/run%201.ipynb?x=1`)).text).toContain('<code id="path">/lab/tree/run 1.ipynb?x=1</code>');
      expect((await arm.lab('/instances/ci-nobody/lab')).status).toBe(404);
    });
  });

  describe("Azure ML's idle shutdown and work outside the API", () => {
    const properties = async (name: string) => (await arm.send('GET', `${computePath(name)}?${API}`)).json.properties.properties;

    it('stops an instance with no activity for its idle time, lastOperation trigger IdleShutdown; the lab page and the activity route hold it off', async () => {
      await arm.create('ci-idle', { idleTimeBeforeShutdown: 'PT15M' });
      advance(60);
      expect((await properties('ci-idle')).lastOperation).toMatchObject({ operationName: 'Create', operationTrigger: 'User', operationStatus: 'Succeeded' });
      advance(14 * 60);
      expect((await arm.lab('/instances/ci-idle/lab')).status).toBe(200);
      advance(14 * 60);
      expect((await arm.send('POST', '/_emulator/computes/ci-idle/activity')).status).toBe(204);
      advance(14 * 60);
      expect((await properties('ci-idle')).state).toBe('Running');
      advance(60);
      const stopping = await properties('ci-idle');
      expect(stopping.state).toBe('Stopping');
      expect(stopping.lastOperation).toMatchObject({ operationName: 'Stop', operationTrigger: 'IdleShutdown', operationStatus: 'InProgress' });
      advance(20);
      const stopped = await properties('ci-idle');
      expect(stopped.state).toBe('Stopped');
      expect(stopped.lastOperation).toMatchObject({ operationName: 'Stop', operationTrigger: 'IdleShutdown', operationStatus: 'Succeeded' });
      // Nobody can work on a stopped instance.
      const late = await arm.send('POST', '/_emulator/computes/ci-idle/activity');
      expect(late.status).toBe(409);
      expect((await arm.send('POST', '/_emulator/computes/ci-nobody/activity')).status).toBe(404);
    });

    it('refuses an idle time below 15 minutes on create and on updateIdleShutdownSetting, with ARM error JSON', async () => {
      const created = await arm.create('ci-too-short', { idleTimeBeforeShutdown: 'PT30S' });
      expect(created.status).toBe(400);
      expect(created.json.error).toMatchObject({ code: 'BadRequest', message: expect.stringContaining('PT15M') });
      expect((await arm.send('GET', `${computePath('ci-too-short')}?${API}`)).status).toBe(404);

      await arm.create('ci-update', { idleTimeBeforeShutdown: 'PT30M' });
      advance(60);
      const update = (idle: string) => arm.send('POST', `${computePath('ci-update')}/updateIdleShutdownSetting?${API}`, { body: { idleTimeBeforeShutdown: idle } });
      const tooShort = await update('PT10M');
      expect(tooShort.status).toBe(400);
      expect((await properties('ci-update')).idleTimeBeforeShutdown).toBe('PT30M');
      expect((await update('PT2H')).status).toBe(200);
      expect((await properties('ci-update')).idleTimeBeforeShutdown).toBe('PT2H');
    });

    it('starts and stops an instance as the studio or a schedule would, with that trigger', async () => {
      await arm.create('ci-studio');
      advance(60);
      const stop = await arm.send('POST', '/_emulator/computes/ci-studio/stop');
      expect(stop.status).toBe(202);
      expect(stop.json).toEqual({ name: 'ci-studio', state: 'Stopping', trigger: 'User' });
      advance(20);
      expect((await properties('ci-studio')).lastOperation).toMatchObject({ operationName: 'Stop', operationTrigger: 'User' });
      const start = await arm.send('POST', '/_emulator/computes/ci-studio/start', { body: { trigger: 'Schedule' } });
      expect(start.status).toBe(202);
      advance(30);
      const started = await properties('ci-studio');
      expect(started.state).toBe('Running');
      expect(started.lastOperation).toMatchObject({ operationName: 'Start', operationTrigger: 'Schedule', operationStatus: 'Succeeded' });
      expect((await arm.send('POST', '/_emulator/computes/ci-studio/start', { body: { trigger: 'IdleShutdown' } })).status).toBe(400);
      await arm.create('ci-busy-studio');
      expect((await arm.send('POST', '/_emulator/computes/ci-busy-studio/stop')).status).toBe(409);
    });

    it('accepts a short idle time when allowed, and stops the instance after it', async () => {
      await withEmulator({ allowShortIdle: true, createSeconds: 1, stopSeconds: 1 }, async (shortIdle) => {
        const client = await Client.signedIn(shortIdle);
        expect((await client.create('ci-short', { idleTimeBeforeShutdown: 'PT30S' })).status).toBe(201);
        advance(1 + 29);
        expect(await client.state('ci-short')).toBe('Running');
        advance(1);
        expect(await client.state('ci-short')).toBe('Stopping');
        advance(1);
        const stopped = await client.send('GET', `${computePath('ci-short')}?${API}`);
        expect(stopped.json.properties.properties).toMatchObject({ state: 'Stopped', lastOperation: { operationTrigger: 'IdleShutdown' } });
      });
    });
  });

  describe('scenarios', () => {
    it('ends a create in SetupFailed with the scenario message, once', async () => {
      const added = await arm.send('POST', '/_emulator/scenarios', {
        body: { match: { resourceGroup: 'climate-lab' }, outcome: 'SetupFailed', message: 'setup.sh exited 3', times: 1 },
      });
      expect(added.status).toBe(201);
      await arm.create('ci-setup-a');
      await arm.create('ci-setup-b');
      advance(60);
      const failed = await arm.send('GET', `${computePath('ci-setup-a')}?${API}`);
      expect(failed.json.properties.properties.state).toBe('SetupFailed');
      expect(failed.json.properties.properties.errors).toEqual([{ error: { code: 'SetupScriptFailed', message: 'setup.sh exited 3', details: [] } }]);
      expect(await arm.state('ci-setup-b')).toBe('Running');
      expect((await arm.send('GET', '/_emulator/scenarios')).json.value).toEqual([]);
    });

    it('rejects a start with an ARM error when asked', async () => {
      await arm.create('ci-reject');
      advance(60);
      await arm.send('POST', `${computePath('ci-reject')}/stop?${API}`);
      advance(20);
      await arm.send('POST', '/_emulator/scenarios', {
        body: { match: { operation: 'computes/start', name: 'CI-REJECT' }, reject: { status: 409, code: 'Conflict', message: 'capacity' } },
      });
      const start = await arm.send('POST', `${computePath('ci-reject')}/start?${API}`);
      expect(start.status).toBe(409);
      expect(start.json).toEqual({ error: { code: 'Conflict', message: 'capacity' } });
      expect(await arm.state('ci-reject')).toBe('Stopped');
    });

    it('refuses a malformed scenario', async () => {
      const reply = await arm.send('POST', '/_emulator/scenarios', { body: { match: { name: 'x' }, outcome: 'Exploded' } });
      expect(reply.status).toBe(400);
      expect(reply.json.error.message).toContain('Invalid scenario');
    });
  });

  describe('introspection', () => {
    it('counts requests by operation, records write bodies, and forgets everything on reset', async () => {
      await arm.create('ci-counted', { idleTimeBeforeShutdown: 'PT30M' });
      await arm.send('GET', `${computePath('ci-counted')}?${API}`);
      await arm.send('GET', `${SUB}/resourcegroups?api-version=2025-04-01`);
      const counted = await arm.stats();
      expect(counted).toEqual({
        requests: { 'PUT computes/createOrUpdate': 1, 'GET computes/get': 1, 'GET resourceGroups/list': 1 },
        throttled: 0,
        faults: 0,
      });
      const recorded = await arm.send('GET', '/_emulator/requests?name=ci-counted');
      expect(recorded.json.requests).toHaveLength(1);
      expect(recorded.json.requests[0].body.properties.properties.idleTimeBeforeShutdown).toBe('PT30M');

      await arm.send('POST', '/_emulator/scenarios', { body: { fault: { status: 500 } } });
      expect((await arm.send('POST', '/_emulator/reset')).status).toBe(204);
      expect(await arm.stats()).toEqual({ requests: {}, throttled: 0, faults: 0 });
      expect((await arm.send('GET', `${computePath('ci-counted')}?${API}`)).status).toBe(404);
      expect((await arm.send('GET', '/_emulator/requests?name=ci-counted')).json.requests).toEqual([]);
    });

    it("gives each instance's state history with Azure's own transition times, and ARM's requests per second", async () => {
      const t0 = clock.now;
      const at = (seconds: number) => new Date(t0 + seconds * 1000).toISOString();
      await arm.create('ci-history');
      advance(30);
      // Still Creating: the Running it is heading for has not happened yet.
      expect((await arm.send('GET', '/_emulator/computes/ci-history/history')).json.transitions).toEqual([{ state: 'Creating', at: at(0) }]);
      advance(30);
      expect(await arm.state('ci-history')).toBe('Running');
      advance(5);
      expect((await arm.send('POST', `${computePath('ci-history')}/stop?${API}`)).status).toBe(202);
      advance(20);
      expect((await arm.send('DELETE', `${computePath('ci-history')}?${API}&underlyingResourceAction=Delete`)).status).toBe(202);
      advance(10);
      const history = await arm.send('GET', '/_emulator/computes/ci-history/history');
      expect(history.json).toEqual({
        name: 'ci-history', resourceGroup: 'climate-lab', workspace: 'climate-lab',
        transitions: [
          { state: 'Creating', at: at(0) }, { state: 'Running', at: at(60) }, { state: 'Stopping', at: at(65) },
          { state: 'Stopped', at: at(85) }, { state: 'Deleting', at: at(85) }, { state: 'Deleted', at: at(95) },
        ],
      });
      expect((await arm.send('GET', '/_emulator/history')).json.computes.map((c: { name: string }) => c.name)).toEqual(['ci-history']);
      expect((await arm.send('GET', '/_emulator/computes/ci-none/history')).status).toBe(404);

      const seconds = (await arm.send('GET', '/_emulator/timeline')).json.seconds as { second: number; reads: number; writes: number }[];
      const total = (kind: 'reads' | 'writes') => seconds.reduce((sum, s) => sum + s[kind], 0);
      expect({ reads: total('reads'), writes: total('writes') }).toEqual({ reads: 1, writes: 3 });
      expect(seconds[0]?.second).toBe(Math.floor(t0 / 1000));
      await emulator.reset();
      expect((await arm.send('GET', '/_emulator/history')).json.computes).toEqual([]);
      expect((await arm.send('GET', '/_emulator/timeline')).json.seconds).toEqual([]);
    });
  });
});

describe('ARM emulator throttling', () => {
  it("keeps ARM's read and write buckets per principal and answers 429 with Retry-After when one is empty", async () => {
    const limits = { reads: { burst: 3, perSecond: 1 }, writes: { burst: 2, perSecond: 1 } };
    await withEmulator({ throttle: true, throttleLimits: limits }, async (emulator) => {
      const arm = await Client.signedIn(emulator);
      const list = () => arm.send('GET', `${SUB}/resourcegroups?api-version=2025-04-01`);
      const remaining: (string | null)[] = [];
      for (let i = 0; i < 3; i += 1) remaining.push((await list()).headers.get('x-ms-ratelimit-remaining-subscription-reads'));
      expect(remaining).toEqual(['2', '1', '0']);

      const throttled = await list();
      expect(throttled.status).toBe(429);
      expect(throttled.headers.get('retry-after')).toBe('1');
      expect(throttled.json.error.code).toBe('SubscriptionRequestsThrottled');

      // Writes have their own bucket; another principal has its own buckets.
      const write = await arm.create('ci-throttle');
      expect(write.status).toBe(201);
      expect(write.headers.get('x-ms-ratelimit-remaining-subscription-writes')).toBe('1');
      expect((await new Client(emulator, 'someone-else').send('GET', `${SUB}/resourcegroups?api-version=2025-04-01`)).status).toBe(200);

      advance(1);
      expect((await list()).status).toBe(200);
      expect((await arm.stats()).throttled).toBe(1);
    });
  });
});

describe('ARM emulator faults', () => {
  it('answers every ARM request with 500, 503 or 429 at fault rate 1, but never its own endpoints', async () => {
    await withEmulator({ faultRate: 1, faultSeed: 1 }, async (emulator) => {
      const arm = await Client.signedIn(emulator);
      const statuses = new Set<number>();
      for (let i = 0; i < 20; i += 1) {
        const reply = await arm.send('GET', `${SUB}/resourcegroups?api-version=2025-04-01`);
        statuses.add(reply.status);
        if (reply.status === 429) expect(reply.headers.get('retry-after')).toBe('1');
      }
      expect([...statuses].sort()).toEqual([429, 500, 503]);
      expect((await arm.stats()).faults).toBe(20);
      expect((await arm.send('GET', '/_emulator/health')).status).toBe(200);
    });
  });
});

describe('ARM emulator persistence', () => {
  it('keeps its instances in state.json across a restart, and sets aside a file it cannot read', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'arm-emulator-'));
    try {
      await withEmulator({ dataDir, createSeconds: 60 }, async (emulator) => {
        expect((await (await Client.signedIn(emulator)).create('ci-kept')).status).toBe(201);
      });
      expect(JSON.parse(fs.readFileSync(path.join(dataDir, 'state.json'), 'utf8')).computes).toHaveProperty(['climate-lab/climate-lab/ci-kept']);

      advance(60);
      await withEmulator({ dataDir, createSeconds: 60 }, async (emulator) => {
        expect(await (await Client.signedIn(emulator)).state('ci-kept')).toBe('Running');
      });

      fs.writeFileSync(path.join(dataDir, 'state.json'), '{ not json');
      await withEmulator({ dataDir }, async (emulator) => {
        expect((await (await Client.signedIn(emulator)).send('GET', `${computePath('ci-kept')}?${API}`)).status).toBe(404);
      });
      expect(fs.readdirSync(dataDir).some((file) => file.startsWith('state.json.unreadable-'))).toBe(true);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
