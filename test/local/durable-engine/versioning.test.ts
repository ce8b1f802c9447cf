/**
 * Orchestration versioning from host.json (defaultVersion 2.0, versionMatchStrategy
 * CurrentOrOlder, versionFailureStrategy Reject): the version reaches `context.df.version`, a
 * sub-orchestration runs at the version it asked for (or the default), and an instance newer
 * than this worker is not run.
 */
import { startAzurite, type AzuriteHandle } from '../../../local/storage';
import { fixtureDir } from '../support/app-copy';
import { getStatus, managementUrl, waitForStatus } from '../support/durable-api';
import { startHostProcess, type HostProcess } from '../support/host-process';

let azurite: AzuriteHandle;
let host: HostProcess;
let counter = 0;

beforeAll(async () => {
  azurite = await startAzurite({ inMemory: true });
  host = await startHostProcess({ appDir: fixtureDir('conformance-app'), env: { AzureWebJobsStorage: azurite.connectionString } });
});

afterAll(async () => {
  await host?.stop();
  await azurite?.stop();
});

/** Starts through the management API as the durable client does (`version` is a query parameter). */
async function start(name: string, version?: string): Promise<string> {
  const id = `${name}-${++counter}-${Date.now()}`;
  const response = await fetch(managementUrl(host.url, `orchestrators/${name}/${id}`, version ? { version } : {}), { method: 'POST' });
  expect(response.status).toBe(202);
  return id;
}

describe('orchestration versioning', () => {
  it("gives an instance started without a version host.json's defaultVersion", async () => {
    const status = await waitForStatus(host.url, await start('versionGated'));
    expect(status).toMatchObject({ runtimeStatus: 'Completed', output: { version: '2.0', path: 'new-path' } });
  });

  it('runs an instance started at an older version with that version', async () => {
    const status = await waitForStatus(host.url, await start('versionGated', '1.0'));
    expect(status).toMatchObject({ runtimeStatus: 'Completed', output: { version: '1.0', path: 'old-path' } });
  });

  it("runs a sub-orchestration at the version it was called with, else at the default", async () => {
    const status = await waitForStatus(host.url, await start('versionedParent', '1.0'));
    expect(status).toMatchObject({
      runtimeStatus: 'Completed',
      output: { parent: '1.0', pinned: { version: '1.5', path: 'old-path' }, defaulted: { version: '2.0', path: 'new-path' } },
    });
  });

  it('does not run an instance newer than this worker (Reject), and it can still be terminated', async () => {
    const id = await start('versionGated', '3.0');
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(await getStatus(host.url, id)).toMatchObject({ runtimeStatus: 'Pending', output: null });
    expect(host.output()).toMatch(/version '3\.0' does not match this worker's version '2\.0'/);
    expect((await fetch(managementUrl(host.url, `instances/${id}/terminate`), { method: 'POST' })).status).toBe(202);
    expect(await waitForStatus(host.url, id)).toMatchObject({ runtimeStatus: 'Terminated' });
  });
});
