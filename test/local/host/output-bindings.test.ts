/**
 * Storage output bindings (blob, queue, table) written to Azurite as the Functions host writes
 * them, and a host that refuses, by name, a binding it does not implement instead of dropping it.
 */
import { AzureNamedKeyCredential, TableClient } from '@azure/data-tables';
import { startAzurite, type AzuriteHandle } from '../../../local/storage';
import { BlobContainer, parseConnectionString, storageRequest, type StorageAccount } from '../../../local/durable-engine/store/storage-account';
import { fixtureDir } from '../support/app-copy';
import { startOrchestration, waitForStatus } from '../support/durable-api';
import { startHostProcess, type HostProcess } from '../support/host-process';

let azurite: AzuriteHandle;
let host: HostProcess;
let account: StorageAccount;

beforeAll(async () => {
  azurite = await startAzurite({ inMemory: true });
  account = parseConnectionString(azurite.connectionString);
  host = await startHostProcess({ appDir: fixtureDir('conformance-app'), env: { AzureWebJobsStorage: azurite.connectionString } });
});

afterAll(async () => {
  await host?.stop();
  await azurite?.stop();
});

async function queueMessages(queue: string): Promise<string[]> {
  const response = await storageRequest(account, 'queue', { method: 'GET', path: `/${queue}/messages`, query: { peekonly: 'true', numofmessages: '32' } });
  const xml = await response.text();
  return [...xml.matchAll(/<MessageText>([^<]*)<\/MessageText>/g)].map((match) => Buffer.from(match[1]!, 'base64').toString('utf8'));
}

describe('storage output bindings', () => {
  it('writes the blob, queue messages and table entity an HTTP function sets', async () => {
    const response = await fetch(`${host.url}/api/orders/o-17`, { method: 'POST', body: JSON.stringify({ item: 'gpu-hours', quantity: 3 }) });
    expect(response.status).toBe(201);

    const blob = await new BlobContainer(account, 'orders').getText('o-17.json');
    expect(JSON.parse(blob)).toEqual({ item: 'gpu-hours', quantity: 3 });
    expect((await queueMessages('order-events')).map((text) => JSON.parse(text))).toEqual([
      { id: 'o-17', event: 'placed' },
      { id: 'o-17', event: 'paid' },
    ]);
    const table = new TableClient(account.tableUrl, 'Orders', new AzureNamedKeyCredential(account.name, account.key), { allowInsecureConnection: true });
    expect(await table.getEntity('orders', 'o-17')).toMatchObject({ item: 'gpu-hours', quantity: 3 });
  });

  it('fails the invocation when an output cannot be written, instead of reporting success', async () => {
    const response = await fetch(`${host.url}/api/orders-without-keys`, { method: 'POST' });
    expect(response.status).toBe(500);
    expect(host.output()).toMatch(/table output entity needs a PartitionKey and a RowKey/);
  });

  it("sends an activity's return value to its queue output", async () => {
    const id = `announce-${Date.now()}`;
    expect((await startOrchestration(host.url, 'announceOnce', 'release 2', id)).status).toBe(202);
    expect(await waitForStatus(host.url, id)).toMatchObject({ runtimeStatus: 'Completed', output: 'announced: release 2' });
    expect(await queueMessages('announcements')).toEqual(['announced: release 2']);
  });
});

describe('unsupported bindings', () => {
  it('refuses to start, naming each function and binding type it cannot run (outputs and triggers)', async () => {
    const started = startHostProcess({ appDir: fixtureDir('unsupported-binding-app'), env: { AzureWebJobsStorage: azurite.connectionString } });
    await expect(started).rejects.toThrow(/function 'notify' binding '\w+' \(type 'serviceBus', direction 'out'\)/);
    await expect(started).rejects.toThrow(/function 'onQueued' binding '\w+' \(type 'queueTrigger', direction 'trigger'\)/);
  });
});
