import { TableClient } from '@azure/data-tables';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAzurite, type AzuriteHandle } from '../../../local/storage';

function tableClient(azurite: AzuriteHandle, table: string): TableClient {
  return TableClient.fromConnectionString(azurite.connectionString, table, { allowInsecureConnection: true });
}

describe('startAzurite', () => {
  it('starts blob, queue and table services on free ports, in memory, and stops them', async () => {
    const azurite = await startAzurite({ inMemory: true });
    try {
      expect(azurite.ports.blob).toBeGreaterThan(0);
      expect(new Set([azurite.ports.blob, azurite.ports.queue, azurite.ports.table]).size).toBe(3);
      expect(azurite.tableUrl).toBe(`http://127.0.0.1:${azurite.ports.table}/devstoreaccount1`);
      expect(azurite.connectionString).toContain(`TableEndpoint=${azurite.tableUrl};`);
      expect(azurite.location).toBeUndefined();

      const client = tableClient(azurite, 'LauncherCheck');
      await client.createTable();
      await client.createEntity({ partitionKey: 'p', rowKey: 'r', value: 42 });
      expect((await client.getEntity<{ value: number }>('p', 'r')).value).toBe(42);

      const queue = await fetch(`${azurite.queueUrl}?comp=list`);
      expect(queue.status).toBeLessThan(500); // the queue service answers (403 without a signature)
    } finally {
      await azurite.stop();
    }
    await expect(fetch(`${azurite.tableUrl}/Tables`)).rejects.toThrow();
  });

  it('keeps data in its location across restarts', async () => {
    const location = mkdtempSync(join(tmpdir(), 'azurite-data-'));
    try {
      const first = await startAzurite({ location });
      try {
        const client = tableClient(first, 'Persisted');
        await client.createTable();
        await client.createEntity({ partitionKey: 'p', rowKey: 'r', value: 'kept' });
      } finally {
        await first.stop();
      }
      expect(readdirSync(location).length).toBeGreaterThan(0);

      const second = await startAzurite({ location });
      try {
        expect((await tableClient(second, 'Persisted').getEntity<{ value: string }>('p', 'r')).value).toBe('kept');
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(location, { recursive: true, force: true });
    }
  });

  it('reports a port that is taken instead of hanging', async () => {
    const first = await startAzurite({ inMemory: true });
    try {
      await expect(startAzurite({ inMemory: true, ports: { table: first.ports.table }, startTimeoutMs: 15_000 })).rejects.toThrow(/Azurite/);
    } finally {
      await first.stop();
    }
  });
});
