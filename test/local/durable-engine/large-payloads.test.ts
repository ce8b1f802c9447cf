/**
 * Payloads larger than a table property (64 KiB) and than an entity (1 MiB), as Azure's storage
 * provider accepts them by moving them to blobs: activity results, orchestration outputs, inputs,
 * external events and custom status. Each must complete (no endless retries), run its activity
 * once, and leave no blob behind after a purge.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAzurite, type AzuriteHandle } from '../../../local/storage';
import { BlobContainer, parseConnectionString } from '../../../local/durable-engine/store/storage-account';
import { fixtureDir } from '../support/app-copy';
import { getStatus, managementUrl, raiseEvent, startOrchestration, waitForStatus } from '../support/durable-api';
import { startHostProcess, type HostProcess } from '../support/host-process';

let azurite: AzuriteHandle;
let host: HostProcess;
let markers: string;
let counter = 0;

beforeAll(async () => {
  markers = mkdtempSync(join(tmpdir(), 'conformance-markers-'));
  azurite = await startAzurite({ inMemory: true });
  host = await startHostProcess({ appDir: fixtureDir('conformance-app'), env: { AzureWebJobsStorage: azurite.connectionString, MARKER_DIR: markers } });
});

afterAll(async () => {
  await host?.stop();
  await azurite?.stop();
  rmSync(markers, { recursive: true, force: true });
});

const nextId = (name: string) => `${name}-${++counter}-${Date.now()}`;
const runs = (marker: string) => readFileSync(join(markers, `${marker}.log`), 'utf8').trim().split('\n').length;

describe('large payloads', () => {
  it('completes an orchestration whose activity returns 200 KB, running the activity once', async () => {
    const id = nextId('big-result');
    expect((await startOrchestration(host.url, 'bigActivityResult', { size: 200_000, marker: id }, id)).status).toBe(202);
    const status = await waitForStatus(host.url, id, undefined, 30_000, { showHistory: 'true', showHistoryOutput: 'true' });
    expect(status).toMatchObject({ runtimeStatus: 'Completed', output: { length: 200_000 } });
    const completed = status.historyEvents!.find((event) => event.EventType === 'TaskCompleted');
    expect(String(completed?.Result)).toHaveLength(200_000);
    expect(runs(id)).toBe(1);
  });

  it('stores a 300 KB orchestration output and a 2 MB one', async () => {
    for (const size of [300_000, 2_000_000]) {
      const id = nextId('big-output');
      expect((await startOrchestration(host.url, 'bigOutput', { size }, id)).status).toBe(202);
      const status = await waitForStatus(host.url, id);
      expect(status.runtimeStatus).toBe('Completed');
      expect(status.output).toBe('y'.repeat(size));
    }
  });

  it('accepts a 300 KB start input and returns it in the status', async () => {
    const id = nextId('big-input');
    const text = 'i'.repeat(300_000);
    expect((await startOrchestration(host.url, 'bigInput', { text }, id)).status).toBe(202);
    const status = await waitForStatus(host.url, id);
    expect(status).toMatchObject({ runtimeStatus: 'Completed', output: { length: 300_000 }, input: { text } });
  });

  it('delivers a 300 KB external event', async () => {
    const id = nextId('big-event');
    expect((await startOrchestration(host.url, 'bigEvent', undefined, id)).status).toBe(202);
    await waitForStatus(host.url, id, (status) => status.runtimeStatus === 'Running');
    expect(await raiseEvent(host.url, id, 'payload', { text: 'e'.repeat(300_000) })).toBe(202);
    expect(await waitForStatus(host.url, id)).toMatchObject({ runtimeStatus: 'Completed', output: { length: 300_000 } });
  });

  it('keeps a 100 KB custom status, terminates the instance, and a purge deletes its blobs', async () => {
    const id = nextId('big-status');
    expect((await startOrchestration(host.url, 'bigStatusThenWait', { size: 100_000 }, id)).status).toBe(202);
    const running = await waitForStatus(host.url, id, (status) => status.runtimeStatus === 'Running' && status.customStatus !== null);
    expect((running.customStatus as { note: string }).note).toHaveLength(100_000);

    const terminate = await fetch(managementUrl(host.url, `instances/${id}/terminate`, { reason: 'enough' }), { method: 'POST' });
    expect(terminate.status).toBe(202);
    expect(await waitForStatus(host.url, id)).toMatchObject({ runtimeStatus: 'Terminated' });

    const blobs = new BlobContainer(parseConnectionString(azurite.connectionString), 'conformancehub-largemessages');
    expect((await blobs.list(`${id}/`)).length).toBeGreaterThan(0);
    expect((await fetch(managementUrl(host.url, `instances/${id}`), { method: 'DELETE' })).status).toBe(200);
    expect(await getStatus(host.url, id)).toBeUndefined();
    expect(await blobs.list(`${id}/`)).toEqual([]);
  });
});
