/**
 * The quota places and the ARM write schedule on Table Storage (Azurite), under concurrency:
 * 50 spawns racing through the real spawn handler never pass a limit, and reservations taken by
 * several writers (several Function instances) at once never exceed the bucket.
 */
import { TableClient } from '@azure/data-tables';
import { randomUUID } from 'node:crypto';
import { TableServerRepository } from '../../shared/adapters/table';
import { TableQuotaSlots } from '../../shared/adapters/table/table-quota-slots';
import { userScope } from '../../shared/domain/quota-slots';
import { TableWritePacer } from '../../shared/adapters/table/table-write-pacer';
import type { WritePass } from '../../shared/domain/write-pacing';
import { httpFunctions, TestRoot } from '../support/app-root';
import { startAzurite, type AzuriteHandle } from '../../local/storage';
import { invokeConforming } from '../support/http-invoke';
import { RecordingOrchestrationControl } from '../support/recording-orchestration-control';
import { ScriptedAmlGateway } from '../support/scripted-aml-gateway';
import { testDependencies, testSettings } from '../support/test-dependencies';

const testRoot = new TestRoot();
const { spawn } = httpFunctions(testRoot.root);

let azurite: AzuriteHandle;

beforeAll(async () => {
  azurite = await startAzurite({ inMemory: true });
});
afterAll(async () => {
  await azurite.stop();
});

const unique = (prefix: string) => `${prefix}${randomUUID().replace(/-/g, '').slice(0, 10)}`;
const table = async (name: string) => {
  const client = TableClient.fromConnectionString(azurite.connectionString, name, { allowInsecureConnection: true });
  await client.createTable();
  return client;
};

async function spawnStack(limits: Record<string, string>) {
  const tableName = unique('quota');
  const servers = new TableServerRepository({ connectionString: azurite.connectionString, tableName });
  await servers.ensureTables();
  const quotaSlots = new TableQuotaSlots(await table(`${tableName}quota`));
  const settings = testSettings({ SIZE_GPU_CANDIDATES: 'Standard_DS1_v2', APPLICATION_SHARING_POLICY: 'Shared', ...limits });
  const deps = testDependencies({ servers, aml: new ScriptedAmlGateway(), settings, quotaSlots, clock: { now: () => new Date() } });
  const control = new RecordingOrchestrationControl();
  testRoot.use(deps, () => control);
  const call = (body: Record<string, string>) =>
    invokeConforming('spawn', spawn, { method: 'POST', path: '/api/servers', body: { project: 'climate-lab', size: 'Medium', ...body } });
  return { servers, quotaSlots, control, call };
}

describe('quotas on Table Storage', () => {
  it('hold under 50 racing spawns of one user through the spawn handler', async () => {
    const { servers, control, call } = await spawnStack({ MAX_ACTIVE_SERVERS_PER_USER: '3' });
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => call({ user: 'alice', serverName: `s${i}` })));
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 202)).toHaveLength(3);
    expect(statuses.filter((status) => status === 409)).toHaveLength(47);
    for (const refused of answers.filter((answer) => answer.status === 409)) expect(refused.body).toMatchObject({ code: 'quota-exceeded' });
    expect((await servers.list({ limit: 100 })).servers).toHaveLength(3);
    expect(control.requests).toHaveLength(3);
  }, 60_000);

  it('hold a project GPU limit under 50 racing spawns of 50 users', async () => {
    const { servers, quotaSlots, call } = await spawnStack({ MAX_GPU_SERVERS_PER_PROJECT: '4' });
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => call({ user: `user${i}`, size: 'GPU' })));
    expect(answers.filter((answer) => answer.status === 202)).toHaveLength(4);
    expect((await servers.list({ limit: 100 })).servers).toHaveLength(4);
    // The refused users hold no place: a refusal changes nothing.
    const holders = [];
    for (let i = 0; i < 50; i++) holders.push(...(await quotaSlots.list(userScope(`user${i}`))));
    expect(holders).toHaveLength(4);
  }, 60_000);

  it('hold for a user whose name is 128 non-Latin characters (a hashed scope key)', async () => {
    const { call } = await spawnStack({ MAX_ACTIVE_SERVERS_PER_USER: '1' });
    const user = '€'.repeat(128);
    expect((await call({ user, serverName: 'a' })).status).toBe(202);
    expect((await call({ user, serverName: 'b' })).status).toBe(409);
  }, 60_000);

  it('give a place back once its server stopped', async () => {
    const { servers, call } = await spawnStack({ MAX_ACTIVE_SERVERS_PER_USER: '1' });
    const first = await call({ user: 'bob', serverName: 'a' });
    expect(first.status).toBe(202);
    expect((await call({ user: 'bob', serverName: 'b' })).status).toBe(409);
    const id = (first.body as { id: string }).id;
    await servers.update(id, (server) => ({ ...server, state: 'Stopped', updatedAt: new Date(Date.now() + 1000).toISOString() }));
    expect((await call({ user: 'bob', serverName: 'b' })).status).toBe(202);
  }, 60_000);
});

describe('the ARM write schedule on Table Storage', () => {
  it('gives 300 writers racing from 3 instances distinct turns that fit the bucket, in one queue', async () => {
    const client = await table(unique('pacing'));
    const limits = { burst: 20, perSecond: 10 };
    const instances = [0, 1, 2].map(() => new TableWritePacer({ client, subscriptionId: 'sub', limits }));
    const now = new Date();
    const passes = await Promise.all(Array.from({ length: 300 }, (_, i) => instances[i % 3]!.pass(`server${i}`, 1, now)));
    const sendTimes = passes.map((pass) => (pass.go ? now.getTime() : pass.sendAt.getTime())).sort((a, b) => a - b);
    expect(passes.filter((pass) => pass.go)).toHaveLength(20);
    // Distinct turns, one interval apart after the burst: 280 queued writes take 28 s.
    const queued = sendTimes.slice(20);
    expect(new Set(queued).size).toBe(280);
    queued.slice(1).forEach((at, i) => expect(at - queued[i]!).toBeGreaterThanOrEqual(100 - 1e-6));
    expect(queued.at(-1)! - now.getTime()).toBeCloseTo(28_000, -1);
    // Asking again answers the same turn (from the reservation row), from any instance.
    const waiting = passes.findIndex((pass) => !pass.go);
    const again = await instances[(waiting + 1) % 3]!.pass(`server${waiting}`, 1, now);
    expect(again).toEqual(passes[waiting]);
  }, 60_000);

  it('lets a turn that comes late within the allowance go, and sends one later than that to the back of the queue', async () => {
    const client = await table(unique('pacinglate'));
    const limits = { burst: 20, perSecond: 10 }; // a turn may be up to 1.7 s late
    const pacer = new TableWritePacer({ client, subscriptionId: 'sub', limits });
    const start = Date.now();
    const at = (ms: number) => new Date(start + ms);
    const passes: WritePass[] = [];
    for (let i = 0; i < 60; i++) passes.push(await pacer.pass(`server${i}`, 1, at(0)));
    expect(passes.filter((pass) => pass.go)).toHaveLength(20);
    expect(passes[20]).toMatchObject({ go: false, sendAt: at(100) });
    expect(passes[21]).toMatchObject({ go: false, sendAt: at(200) });
    expect(await pacer.pass('server20', 1, at(1_800))).toEqual({ go: true }); // 1.7 s late
    // 1.8 s late: a new turn, after the 40 queued at first (the last of them at 4 s).
    expect(await pacer.pass('server21', 1, at(2_000))).toEqual({ go: false, sendAt: at(4_100), ahead: 21 });
  }, 60_000);
});
