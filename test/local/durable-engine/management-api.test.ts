/**
 * The durable management HTTP API the host serves under /runtime/webhooks/durabletask: the routes,
 * status codes and bodies the durable client and check-status links rely on.
 */
import { startAzurite, type AzuriteHandle } from '../../../local/storage';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { copyFixtureApp, fixtureDir } from '../support/app-copy';
import { getStatus, managementUrl, raiseEvent, startOrchestration, waitForStatus, type OrchestrationStatus } from '../support/durable-api';
import { startHostProcess, type HostProcess } from '../support/host-process';

let azurite: AzuriteHandle;
let host: HostProcess;

beforeAll(async () => {
  azurite = await startAzurite({ inMemory: true });
  host = await startHostProcess({ appDir: fixtureDir('durable-app'), env: { AzureWebJobsStorage: azurite.connectionString } });
});

afterAll(async () => {
  await host?.stop();
  await azurite?.stop();
});

const unique = (name: string) => `${name}-${Date.now()}-${Math.random().toString(16).slice(2, 8)}`;

async function post(path: string, query: Record<string, string> = {}): Promise<Response> {
  return fetch(managementUrl(host.url, path, query), { method: 'POST' });
}

describe('start', () => {
  it('answers 202 with the management payload and a Location', async () => {
    const id = unique('start');
    const response = await startOrchestration(host.url, 'sequence', ['A'], id);
    expect(response.status).toBe(202);
    const body = (await response.json()) as Record<string, string>;
    expect(body.id).toBe(id);
    expect(response.headers.get('location')).toBe(body.statusQueryGetUri);
    for (const link of ['statusQueryGetUri', 'sendEventPostUri', 'terminatePostUri', 'purgeHistoryDeleteUri', 'suspendPostUri', 'resumePostUri']) {
      expect(body[link]).toContain(`/runtime/webhooks/durabletask/instances/${id}`);
    }
  });

  it('generates an instance id when none is given', async () => {
    const response = await startOrchestration(host.url, 'sequence', ['B']);
    const { id } = (await response.json()) as { id: string };
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(await waitForStatus(host.url, id)).toMatchObject({ output: ['Hello B!'] });
  });

  it('refuses a running instance id with 409 and replaces a finished one', async () => {
    const id = unique('replace');
    await startOrchestration(host.url, 'approval', { timeoutMs: 60_000 }, id);
    await waitForStatus(host.url, id, (status) => status.runtimeStatus === 'Running');
    const conflict = await startOrchestration(host.url, 'sequence', ['X'], id);
    expect(conflict.status).toBe(409);

    expect((await post(`instances/${id}/terminate`, { reason: 'make room' })).status).toBe(202);
    await waitForStatus(host.url, id, (status) => status.runtimeStatus === 'Terminated');
    expect((await startOrchestration(host.url, 'sequence', ['Again'], id)).status).toBe(202);
    const replaced = await waitForStatus(host.url, id, (status) => status.runtimeStatus === 'Completed', 30_000, { showHistory: 'true' });
    expect(replaced).toMatchObject({ name: 'sequence', output: ['Hello Again!'], input: ['Again'] });
    expect(replaced.historyEvents!.map((event) => event.EventType)).not.toContain('ExecutionTerminated');
  });

  it('waits for completion when asked to (waitOnNewInstancePostUri)', async () => {
    const response = await fetch(managementUrl(host.url, `orchestrators/sequence/${unique('wait')}`, { timeout: '20', pollingInterval: '0.2' }), {
      method: 'POST',
      body: JSON.stringify(['Waited']),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(['Hello Waited!']);
  });

  it('replaces a running instance when host.json says overridableExistingInstanceStates: AnyState', async () => {
    const app = copyFixtureApp('durable-app');
    const hostJson = JSON.parse(readFileSync(join(app.dir, 'host.json'), 'utf8'));
    hostJson.extensions.durableTask = { ...hostJson.extensions.durableTask, hubName: 'AnyStateHub', overridableExistingInstanceStates: 'AnyState' };
    writeFileSync(join(app.dir, 'host.json'), JSON.stringify(hostJson));
    const anyState = await startHostProcess({ appDir: app.dir, env: { AzureWebJobsStorage: azurite.connectionString } });
    try {
      const id = unique('any-state');
      await startOrchestration(anyState.url, 'approval', { timeoutMs: 60_000 }, id);
      await waitForStatus(anyState.url, id, (status) => status.runtimeStatus === 'Running');
      expect((await startOrchestration(anyState.url, 'sequence', ['New'], id)).status).toBe(202);
      expect(await waitForStatus(anyState.url, id)).toMatchObject({ name: 'sequence', runtimeStatus: 'Completed', output: ['Hello New!'] });
    } finally {
      await anyState.stop();
      app.remove();
    }
  });

  it('rejects unknown orchestrators, bad input and missing keys', async () => {
    expect((await startOrchestration(host.url, 'noSuchOrchestrator', {})).status).toBe(400);
    const badJson = await fetch(managementUrl(host.url, 'orchestrators/sequence'), { method: 'POST', body: '{not json' });
    expect(badJson.status).toBe(400);
    const noKey = await fetch(`${host.url}/runtime/webhooks/durabletask/instances`);
    expect(noKey.status).toBe(401);
  });
});

describe('status', () => {
  it('answers 404, 202 while running, 200 when completed or failed (500 only when asked)', async () => {
    expect((await fetch(managementUrl(host.url, 'instances/never-started'))).status).toBe(404);
    const running = unique('running');
    await startOrchestration(host.url, 'approval', { timeoutMs: 60_000 }, running);
    await waitForStatus(host.url, running, (status) => status.runtimeStatus === 'Running');
    const runningResponse = await fetch(managementUrl(host.url, `instances/${running}`));
    expect(runningResponse.status).toBe(202);
    expect(runningResponse.headers.get('location')).toContain(`/runtime/webhooks/durabletask/instances/${running}?`);
    expect(runningResponse.headers.get('retry-after')).toBe('5');

    const completed = unique('completed');
    await startOrchestration(host.url, 'sequence', ['C'], completed);
    await waitForStatus(host.url, completed);
    expect((await fetch(managementUrl(host.url, `instances/${completed}`))).status).toBe(200);

    const failed = unique('failed');
    await startOrchestration(host.url, 'throwing', undefined, failed);
    await waitForStatus(host.url, failed);
    expect((await fetch(managementUrl(host.url, `instances/${failed}`))).status).toBe(200);
    expect((await fetch(managementUrl(host.url, `instances/${failed}`, { returnInternalServerErrorOnFailure: 'true' }))).status).toBe(500);
  });

  it('has the fields of Azure\'s status and honours showInput and showHistory', async () => {
    const id = unique('fields');
    await startOrchestration(host.url, 'sequence', ['F'], id);
    await waitForStatus(host.url, id);
    const plain = (await getStatus(host.url, id))!;
    expect(Object.keys(plain).sort()).toEqual(['createdTime', 'customStatus', 'input', 'instanceId', 'lastUpdatedTime', 'name', 'output', 'runtimeStatus']);
    expect(plain.createdTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect((await getStatus(host.url, id, { showInput: 'false' }))!.input).toBeNull();
    const withHistory = (await getStatus(host.url, id, { showHistory: 'true' }))!;
    expect(withHistory.historyEvents![0]).toMatchObject({ EventType: 'ExecutionStarted', FunctionName: 'sequence' });
    expect(withHistory.historyEvents![1]).not.toHaveProperty('Result');
  });
});

describe('query', () => {
  it('filters by runtimeStatus and pages with x-ms-continuation-token', async () => {
    const prefix = unique('page');
    const ids = [1, 2, 3, 4, 5].map((n) => `${prefix}-${n}`);
    for (const id of ids) await startOrchestration(host.url, 'approval', { timeoutMs: 60_000 }, id);
    for (const id of ids) await waitForStatus(host.url, id, (status) => status.runtimeStatus === 'Running');

    const seen: string[] = [];
    let token: string | null = null;
    let pages = 0;
    do {
      const response: Response = await fetch(managementUrl(host.url, 'instances', { runtimeStatus: 'Running,Pending', top: '2', instanceIdPrefix: prefix }), {
        headers: token ? { 'x-ms-continuation-token': token } : {},
      });
      expect(response.status).toBe(200);
      const page = (await response.json()) as OrchestrationStatus[];
      expect(page.length).toBeLessThanOrEqual(2);
      seen.push(...page.map((status) => status.instanceId));
      token = response.headers.get('x-ms-continuation-token');
      pages++;
    } while (token);
    expect(seen.sort()).toEqual([...ids].sort());
    expect(pages).toBeGreaterThanOrEqual(3);

    const completed = await fetch(managementUrl(host.url, 'instances', { runtimeStatus: 'Completed', instanceIdPrefix: prefix }));
    expect(await completed.json()).toEqual([]);
    expect((await fetch(managementUrl(host.url, 'instances', { runtimeStatus: 'Sleeping' }))).status).toBe(400);
  });
});

describe('raise event, terminate, suspend and resume', () => {
  it('answers 404 for unknown instances and 410 for finished ones', async () => {
    expect(await raiseEvent(host.url, 'nobody-home', 'approve', 1)).toBe(404);
    expect((await post('instances/nobody-home/terminate')).status).toBe(404);
    const id = unique('done');
    await startOrchestration(host.url, 'sequence', ['D'], id);
    await waitForStatus(host.url, id);
    expect(await raiseEvent(host.url, id, 'approve', 1)).toBe(410);
    expect((await post(`instances/${id}/terminate`)).status).toBe(410);
  });

  it('terminates a running instance with the reason as output', async () => {
    const id = unique('terminate');
    await startOrchestration(host.url, 'approval', { timeoutMs: 60_000 }, id);
    await waitForStatus(host.url, id, (status) => status.runtimeStatus === 'Running');
    expect((await post(`instances/${id}/terminate`, { reason: 'no longer needed' })).status).toBe(202);
    expect(await waitForStatus(host.url, id)).toMatchObject({ runtimeStatus: 'Terminated', output: 'no longer needed' });
  });

  it('holds events while suspended and delivers them after resume', async () => {
    const id = unique('suspend');
    await startOrchestration(host.url, 'approval', { timeoutMs: 60_000 }, id);
    await waitForStatus(host.url, id, (status) => status.runtimeStatus === 'Running');
    expect((await post(`instances/${id}/suspend`, { reason: 'hold on' })).status).toBe(202);
    await waitForStatus(host.url, id, (status) => status.runtimeStatus === 'Suspended');
    expect(await raiseEvent(host.url, id, 'approve', 'carol')).toBe(202);
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect((await getStatus(host.url, id))!.runtimeStatus).toBe('Suspended');
    expect((await post(`instances/${id}/resume`, { reason: 'go' })).status).toBe(202);
    expect(await waitForStatus(host.url, id)).toMatchObject({ runtimeStatus: 'Completed', output: { approved: true, by: 'carol' } });
  });
});

describe('purge', () => {
  it('deletes one instance (200, then 404) and instances by filter', async () => {
    const id = unique('purge');
    await startOrchestration(host.url, 'sequence', ['P'], id);
    await waitForStatus(host.url, id);
    const first = await fetch(managementUrl(host.url, `instances/${id}`), { method: 'DELETE' });
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ instancesDeleted: 1 });
    expect((await fetch(managementUrl(host.url, `instances/${id}`), { method: 'DELETE' })).status).toBe(404);
    expect(await getStatus(host.url, id)).toBeUndefined();

    const prefix = unique('bulk');
    const from = new Date().toISOString();
    for (const n of [1, 2]) {
      await startOrchestration(host.url, 'sequence', ['Q'], `${prefix}-${n}`);
      await waitForStatus(host.url, `${prefix}-${n}`);
    }
    const bulk = await fetch(managementUrl(host.url, 'instances', { runtimeStatus: 'Completed', createdTimeFrom: from }), { method: 'DELETE' });
    expect(await bulk.json()).toEqual({ instancesDeleted: 2 });
  });
});
