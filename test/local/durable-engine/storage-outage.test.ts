/**
 * Storage going away under a running host (Azurite killed, as in issue 10's adversarial run) must
 * not end the host: the engine's polls and the requests that need storage fail and are logged,
 * nothing escapes as an unhandled rejection, and once storage is back the host serves again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAzurite, type AzuriteHandle } from '../../../local/storage';
import { fixtureDir } from '../support/app-copy';
import { startOrchestration, waitFor, waitForStatus } from '../support/durable-api';
import { startHostProcess, type HostProcess } from '../support/host-process';

let location: string;
let azurite: AzuriteHandle | undefined;
let host: HostProcess | undefined;

beforeAll(() => {
  location = mkdtempSync(join(tmpdir(), 'azurite-outage-'));
});

afterAll(async () => {
  await host?.stop();
  await azurite?.stop();
  rmSync(location, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it('survives storage going away and serves again once it is back', async () => {
  azurite = await startAzurite({ location });
  const ports = azurite.ports;
  host = await startHostProcess({
    appDir: fixtureDir('durable-app'),
    env: { AzureWebJobsStorage: azurite.connectionString, LOCAL_DURABLE_POLL_SECONDS: '1' },
  });
  const first = `outage-before-${Date.now()}`;
  expect((await startOrchestration(host.url, 'sequence', ['a', 'b'], first)).status).toBe(202);
  expect(await waitForStatus(host.url, first, undefined, 30_000)).toMatchObject({ runtimeStatus: 'Completed' });
  // Let Azurite save its tables to disk (it does so every few seconds) before it is killed.
  await sleep(6_000);

  await azurite.stop();
  azurite = undefined;
  let exited = false;
  void host.exited.then(() => (exited = true));
  // Several engine polls, and requests that need storage, while it is gone.
  for (let i = 0; i < 4; i++) {
    const response = await startOrchestration(host.url, 'sequence', ['a', 'b'], `outage-during-${i}-${Date.now()}`).catch(() => undefined);
    expect(response?.status).toBeGreaterThanOrEqual(500);
    await sleep(1_000);
  }
  expect(exited).toBe(false);
  expect((await fetch(`${host.url}/api/ping`)).status).toBe(200);
  expect(host.output()).not.toMatch(/UnhandledPromiseRejection|unhandled-rejection|uncaught-exception/);

  azurite = await startAzurite({ location, ports });
  const after = `outage-after-${Date.now()}`;
  await waitFor(async () => ((await startOrchestration(host!.url, 'sequence', ['a', 'b'], after).catch(() => undefined))?.status === 202 ? true : undefined), 'a start accepted again', 30_000);
  expect(await waitForStatus(host.url, after, undefined, 30_000)).toMatchObject({ runtimeStatus: 'Completed' });
  expect(exited).toBe(false);
}, 120_000);
