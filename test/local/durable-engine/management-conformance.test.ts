/**
 * The durable management HTTP API answering as Azure's Durable Functions extension does
 * (HttpApiHandler): status codes of finished instances, Retry-After on 202 polls, purge rules,
 * raiseEvent content type, restart, and rewind errors that the durable client can show.
 */
import { startAzurite, type AzuriteHandle } from '../../../local/storage';
import { fixtureDir } from '../support/app-copy';
import { getStatus, managementUrl, startOrchestration, waitForStatus } from '../support/durable-api';
import { startHostProcess, type HostProcess } from '../support/host-process';

let azurite: AzuriteHandle;
let host: HostProcess;

beforeAll(async () => {
  azurite = await startAzurite({ inMemory: true });
  host = await startHostProcess({ appDir: fixtureDir('conformance-app'), env: { AzureWebJobsStorage: azurite.connectionString } });
});

afterAll(async () => {
  await host?.stop();
  await azurite?.stop();
});

const unique = (name: string) => `${name}-${Date.now()}-${Math.random().toString(16).slice(2, 8)}`;

async function started(name: string, input?: unknown, accept?: (status: { runtimeStatus: string }) => boolean): Promise<string> {
  const id = unique(name);
  expect((await startOrchestration(host.url, name, input, id)).status).toBe(202);
  await waitForStatus(host.url, id, accept);
  return id;
}

const running = (status: { runtimeStatus: string }) => status.runtimeStatus === 'Running';

describe('status', () => {
  it('answers 200 for Failed and Terminated instances, 500 for Failed only with returnInternalServerErrorOnFailure', async () => {
    const failed = await started('failsAtOnce');
    expect((await fetch(managementUrl(host.url, `instances/${failed}`))).status).toBe(200);
    expect((await fetch(managementUrl(host.url, `instances/${failed}`, { returnInternalServerErrorOnFailure: 'true' }))).status).toBe(500);

    const terminated = await started('waitForApproval', undefined, running);
    expect((await fetch(managementUrl(host.url, `instances/${terminated}/terminate`), { method: 'POST' })).status).toBe(202);
    await waitForStatus(host.url, terminated);
    const response = await fetch(managementUrl(host.url, `instances/${terminated}`, { returnInternalServerErrorOnFailure: 'true' }));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ runtimeStatus: 'Terminated' });
  });

  it('answers 202 with its own URL as Location and a Retry-After while the instance runs', async () => {
    const id = await started('waitForApproval', undefined, running);
    const url = managementUrl(host.url, `instances/${id}`, { showInput: 'false' });
    const response = await fetch(url);
    expect(response.status).toBe(202);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(response.headers.get('location')).toBe(url);
  });

  it('gives the history as historyEvents only, and only when asked', async () => {
    const id = await started('failsAtOnce', { succeed: true });
    const plain = (await (await fetch(managementUrl(host.url, `instances/${id}`))).json()) as Record<string, unknown>;
    expect(plain).not.toHaveProperty('historyEvents');
    expect(plain).not.toHaveProperty('history');
    const withHistory = (await (await fetch(managementUrl(host.url, `instances/${id}`, { showHistory: 'true' }))).json()) as Record<string, unknown>;
    expect(Array.isArray(withHistory.historyEvents)).toBe(true);
    expect(withHistory).not.toHaveProperty('history');
  });
});

describe('raise event', () => {
  it('answers 400 for a content type other than application/json, without delivering the event', async () => {
    const id = await started('waitForApproval', undefined, running);
    const url = managementUrl(host.url, `instances/${id}/raiseEvent/approval`);
    const text = await fetch(url, { method: 'POST', body: 'yes', headers: { 'content-type': 'text/plain' } });
    expect(text.status).toBe(400);
    const none = await fetch(url, { method: 'POST', body: JSON.stringify('yes') });
    expect(none.status).toBe(400);
    const badJson = await fetch(url, { method: 'POST', body: '{yes', headers: { 'content-type': 'application/json' } });
    expect(badJson.status).toBe(400);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect((await getStatus(host.url, id))!.runtimeStatus).toBe('Running');

    const json = await fetch(url, { method: 'POST', body: JSON.stringify('yes'), headers: { 'content-type': 'application/json; charset=utf-8' } });
    expect(json.status).toBe(202);
    expect(await waitForStatus(host.url, id)).toMatchObject({ runtimeStatus: 'Completed', output: { approved: 'yes' } });
  });
});

describe('purge', () => {
  it('refuses an unfiltered purge and purges only finished instances of the time window', async () => {
    const unfiltered = await fetch(managementUrl(host.url, 'instances'), { method: 'DELETE' });
    expect(unfiltered.status).toBe(400);
    expect(await unfiltered.text()).toContain('createdTimeFrom');

    const from = new Date().toISOString();
    const stillRunning = await started('waitForApproval', undefined, running);
    const finished = await started('failsAtOnce', { succeed: true });
    const failed = await started('failsAtOnce');

    const byRunning = await fetch(managementUrl(host.url, 'instances', { createdTimeFrom: from, runtimeStatus: 'Running' }), { method: 'DELETE' });
    expect(byRunning.status).toBe(404);
    expect(await getStatus(host.url, stillRunning)).toBeDefined();

    const purged = await fetch(managementUrl(host.url, 'instances', { createdTimeFrom: from }), { method: 'DELETE' });
    expect(purged.status).toBe(200);
    expect(await purged.json()).toEqual({ instancesDeleted: 2 });
    expect(await getStatus(host.url, finished)).toBeUndefined();
    expect(await getStatus(host.url, failed)).toBeUndefined();
    expect((await getStatus(host.url, stillRunning))!.runtimeStatus).toBe('Running');
  });

  it('refuses to purge a running instance by id (412) and keeps it', async () => {
    const id = await started('waitForApproval', undefined, running);
    const response = await fetch(managementUrl(host.url, `instances/${id}`), { method: 'DELETE' });
    expect(response.status).toBe(412);
    expect((await getStatus(host.url, id))!.runtimeStatus).toBe('Running');
  });
});

describe('restart and rewind', () => {
  it('restarts an instance under a new id with the same input', async () => {
    const id = await started('failsAtOnce', { succeed: true });
    const response = await fetch(managementUrl(host.url, `instances/${id}/restart`), { method: 'POST' });
    expect(response.status).toBe(202);
    const { id: newId } = (await response.json()) as { id: string };
    expect(newId).not.toBe(id);
    expect(await waitForStatus(host.url, newId)).toMatchObject({ name: 'failsAtOnce', runtimeStatus: 'Completed', output: 'fine', input: { succeed: true } });
  });

  it('restarts under the same id only when the instance is finished', async () => {
    const active = await started('waitForApproval', undefined, running);
    expect((await fetch(managementUrl(host.url, `instances/${active}/restart`, { restartWithNewInstanceId: 'false' }), { method: 'POST' })).status).toBe(409);
    expect((await fetch(managementUrl(host.url, 'instances/nobody/restart'), { method: 'POST' })).status).toBe(400);
  });

  it('gives the durable client a readable reason when rewind is refused', async () => {
    const id = await started('waitForApproval', undefined, running);
    const notFailed = await fetch(`${host.url}/api/rewind/${id}`, { method: 'POST' });
    expect(await notFailed.json()).toEqual({ error: expect.stringMatching(/status Running, but only orchestrations in the "Failed" state can be rewound/) });

    const failed = await started('failsAtOnce');
    const unsupported = await fetch(`${host.url}/api/rewind/${failed}`, { method: 'POST' });
    const { error } = (await unsupported.json()) as { error: string };
    expect(error).not.toContain('[object Object]');
    expect(error).toMatch(/Rewind is not supported/);
  });
});
