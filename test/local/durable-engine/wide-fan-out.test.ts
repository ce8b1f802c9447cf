/**
 * A fan-out wider than one table row could hold the engine's task bookkeeping for: it must start,
 * run every activity exactly once (no episode that fails after queueing its work and re-queues
 * it), and complete.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAzurite, type AzuriteHandle } from '../../../local/storage';
import { fixtureDir } from '../support/app-copy';
import { startOrchestration, waitForStatus } from '../support/durable-api';
import { startHostProcess, type HostProcess } from '../support/host-process';

let azurite: AzuriteHandle;
let host: HostProcess;
let markers: string;

beforeAll(async () => {
  markers = mkdtempSync(join(tmpdir(), 'fan-out-markers-'));
  azurite = await startAzurite({ inMemory: true });
  host = await startHostProcess({ appDir: fixtureDir('conformance-app'), env: { AzureWebJobsStorage: azurite.connectionString, MARKER_DIR: markers } });
});

afterAll(async () => {
  await host?.stop();
  await azurite?.stop();
  rmSync(markers, { recursive: true, force: true });
});

it('runs a fan-out of 5,000 activities once each and completes', async () => {
  const count = 5_000;
  const id = `wide-${Date.now()}`;
  expect((await startOrchestration(host.url, 'wideFanOut', { count, marker: id }, id)).status).toBe(202);
  const status = await waitForStatus(host.url, id, undefined, 280_000);
  expect(status).toMatchObject({ runtimeStatus: 'Completed', output: { count, sum: (count * (count + 1)) / 2 } });
  const lines = readFileSync(join(markers, `${id}.log`), 'utf8').trim().split('\n');
  expect(lines).toHaveLength(count);
  expect(new Set(lines).size).toBe(count);
}, 300_000);
