/**
 * Durable entities as the documentation's counter uses them: signalEntity and readEntityState from
 * the durable client, callEntity and signalEntity from an orchestration (one operation at a time,
 * in order), an entity signalling another, and a failing operation surfacing in the orchestration.
 */
import { startAzurite, type AzuriteHandle } from '../../../local/storage';
import { fixtureDir } from '../support/app-copy';
import { managementUrl, startOrchestration, waitFor, waitForStatus } from '../support/durable-api';
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

async function readCounter(key: string): Promise<{ exists: boolean; state: unknown }> {
  const response = await fetch(`${host.url}/api/counters/${key}`);
  expect(response.status).toBe(200);
  return (await response.json()) as { exists: boolean; state: unknown };
}

async function signal(key: string, op: string, input?: unknown): Promise<void> {
  const response = await fetch(`${host.url}/api/counters/${key}/${op}`, { method: 'POST', body: input === undefined ? undefined : JSON.stringify(input) });
  expect(response.status).toBe(202);
}

describe('durable entities', () => {
  it('creates an entity on its first signal and applies signals in order', async () => {
    const key = unique('client');
    expect(await readCounter(key)).toEqual({ exists: false, state: null });
    for (const amount of [1, 2, 3, 4]) await signal(key, 'add', amount);
    await waitFor(async () => ((await readCounter(key)).state === 10 ? true : undefined), 'the counter to reach 10');
    await signal(key, 'reset');
    await waitFor(async () => ((await readCounter(key)).state === 0 ? true : undefined), 'the counter to reset');
  });

  it('serves callEntity and signalEntity to an orchestration, with a failed operation raised as an error', async () => {
    const key = unique('orchestrated');
    const id = unique('count');
    expect((await startOrchestration(host.url, 'countWithEntity', { key }, id)).status).toBe(202);
    const status = await waitForStatus(host.url, id);
    expect(status).toMatchObject({ runtimeStatus: 'Completed', output: { total: 15 } });
    expect(String((status.output as { failure: string }).failure)).toMatch(/explode.*failed/);
    expect(await readCounter(key)).toEqual({ exists: true, state: 15 });
    const listed = (await (await fetch(managementUrl(host.url, 'instances', { instanceIdPrefix: '@' }))).json()) as unknown[];
    expect(listed).toEqual([]);
  });

  it('delivers the signals an entity sends to another entity', async () => {
    const from = unique('from');
    const to = unique('to');
    await signal(from, 'addAndForward', { amount: 7, to });
    await waitFor(async () => ((await readCounter(to)).state === 7 ? true : undefined), 'the forwarded signal');
    expect(await readCounter(from)).toEqual({ exists: true, state: 7 });
  });
});
