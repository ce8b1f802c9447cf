/**
 * A host killed with SIGKILL in the middle of an orchestration, then started again against the
 * same storage, resumes from the stored history: an activity that was running is run again, a
 * durable timer fires at its due time, and the orchestration ends with the same result.
 */
import { TableClient } from '@azure/data-tables';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAzurite, type AzuriteHandle } from '../../../local/storage';
import { fixtureDir } from '../support/app-copy';
import { startOrchestration, waitFor, waitForStatus } from '../support/durable-api';
import { startHostProcess, type HostProcess } from '../support/host-process';

let azurite: AzuriteHandle;
let markers: string;
const hosts: HostProcess[] = [];

beforeAll(async () => {
  azurite = await startAzurite({ inMemory: true });
  markers = mkdtempSync(join(tmpdir(), 'durable-markers-'));
});

afterEach(async () => {
  await Promise.all(hosts.splice(0).map((host) => host.stop()));
});

afterAll(async () => {
  await azurite?.stop();
  rmSync(markers, { recursive: true, force: true });
});

async function startHost(extraEnv: Record<string, string> = {}): Promise<HostProcess> {
  const host = await startHostProcess({
    appDir: fixtureDir('durable-app'),
    env: { AzureWebJobsStorage: azurite.connectionString, MARKER_DIR: markers, ...extraEnv },
  });
  hosts.push(host);
  return host;
}

function markerLines(marker: string): string[] {
  const file = join(markers, `${marker}.log`);
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean) : [];
}

/** Timer messages waiting in the engine's queue for an instance (white-box: proves the timer was stored). */
async function pendingTimers(instanceId: string): Promise<number> {
  const table = TableClient.fromConnectionString(azurite.connectionString, 'FixtureHubWorkItems', { allowInsecureConnection: true });
  let count = 0;
  for await (const row of table.listEntities<{ InstanceId: string; Message?: string }>({ queryOptions: { filter: `PartitionKey eq 'message'` } })) {
    if (row.InstanceId === instanceId && row.Message?.includes('"TimerId"')) count++;
  }
  return count;
}

describe('crash and resume', () => {
  it('re-runs an activity that was in flight when the host was killed', async () => {
    const first = await startHost();
    const instanceId = `crash-activity-${Date.now()}`;
    const marker = `activity-${Date.now()}`;
    expect((await startOrchestration(first.url, 'crashActivity', { marker, ms: 4000 }, instanceId)).status).toBe(202);
    await waitFor(() => (markerLines(marker).length >= 1 ? true : undefined), 'the long activity to start');
    await first.crash();
    expect(markerLines(marker)).toHaveLength(1); // started, never finished

    const second = await startHost();
    const done = await waitForStatus(second.url, instanceId, undefined, 45_000);
    expect(done).toMatchObject({ runtimeStatus: 'Completed', output: ['Hello first!', `${marker} done`, 'Hello last!'] });
    const lines = markerLines(marker);
    expect(lines.filter((line) => line.startsWith('started'))).toHaveLength(2);
    expect(lines.filter((line) => line.startsWith('finished'))).toEqual([expect.stringContaining(`finished ${second.pid} `)]);
    expect(lines[0]).toContain(`started ${first.pid} `);
  });

  it('re-runs an in-flight activity after its lease expires when the owner is not known to be dead', async () => {
    // A lease owner on another machine cannot be probed: the activity waits out the lease.
    const first = await startHost({ LOCAL_DURABLE_ACTIVITY_LEASE_SECONDS: '2' });
    const instanceId = `crash-lease-${Date.now()}`;
    const marker = `lease-${Date.now()}`;
    await startOrchestration(first.url, 'crashActivity', { marker, ms: 3000 }, instanceId);
    await waitFor(() => (markerLines(marker).length >= 1 ? true : undefined), 'the long activity to start');
    await first.crash();
    await relabelLeaseOwners('some-other-machine');

    const second = await startHost({ LOCAL_DURABLE_ACTIVITY_LEASE_SECONDS: '2', LOCAL_DURABLE_POLL_SECONDS: '0.5' });
    expect(await waitForStatus(second.url, instanceId, undefined, 45_000)).toMatchObject({ runtimeStatus: 'Completed', output: ['Hello first!', `${marker} done`, 'Hello last!'] });
    expect(markerLines(marker).filter((line) => line.startsWith('started'))).toHaveLength(2);
  });

  it('fires a durable timer at its due time after a restart', async () => {
    const first = await startHost();
    const instanceId = `crash-timer-${Date.now()}`;
    const marker = `timer-${Date.now()}`;
    await startOrchestration(first.url, 'crashTimer', { marker, timerSeconds: 3 }, instanceId);
    await waitFor(async () => ((await pendingTimers(instanceId)) > 0 ? true : undefined), 'the durable timer to be stored');
    await first.crash();

    const second = await startHost();
    const done = await waitForStatus(second.url, instanceId, undefined, 45_000);
    expect(done.runtimeStatus).toBe('Completed');
    const output = done.output as { before: string; after: string; fireAt: string; ranAt: string };
    expect(output.before).toBe(`${marker}-before done`);
    expect(output.after).toBe(`${marker}-after done`);
    expect(Date.parse(output.ranAt)).toBeGreaterThanOrEqual(Date.parse(output.fireAt));
    expect(markerLines(`${marker}-before`).filter((line) => line.startsWith('started'))).toHaveLength(1);
    expect(await pendingTimers(instanceId)).toBe(0);
  });
});

/** Makes the dead host's leases look as if another machine held them. */
async function relabelLeaseOwners(machine: string): Promise<void> {
  const table = TableClient.fromConnectionString(azurite.connectionString, 'FixtureHubWorkItems', { allowInsecureConnection: true });
  for await (const row of table.listEntities<{ Owner: string }>({ queryOptions: { filter: `PartitionKey eq 'activity'` } })) {
    if (row.Owner) await table.updateEntity({ partitionKey: row.partitionKey!, rowKey: row.rowKey!, Owner: row.Owner.replace(/^[^:]+/, machine) }, 'Merge');
  }
}
