/**
 * Creates go out at the pace ARM allows: a burst of 250 spawns against the emulator with ARM
 * throttling on counts no 429, and the servers queued behind the write limit show their place.
 * The buckets are scaled down (the emulator's write bucket to 30 / 10 per s, the app's schedule to
 * 10 / 8 per s) so the queue drains in about half a minute; reads get a bucket large enough that
 * only writes are under test here. Another instance's writes already fill the next 10 s of the
 * schedule, and again the next 20 s once the burst is accepted, so a queue forms however slowly a
 * busy machine starts the runs (~70 s on a quiet machine, ~150 s on a loaded one).
 */
import { TableClient } from '@azure/data-tables';
import { LocalStack, sleep } from '../support/local-stack';

jest.setTimeout(360_000);

const SPAWNS = 250;

interface History {
  computes: { name: string; transitions: { state: string; at: string }[] }[];
}

describe('a burst of spawns with ARM throttling on', () => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await LocalStack.start({
      emulator: {
        throttle: true,
        throttleLimits: { reads: { burst: 100_000, perSecond: 100_000 }, writes: { burst: 30, perSecond: 10 } },
        createSeconds: 3,
      },
      appSettings: {
        ARM_WRITE_BURST: '10',
        ARM_WRITE_PER_SECOND: '8',
        APPLICATION_SHARING_POLICY: 'Shared',
        PROVISION_POLL_SECONDS: '3',
      },
    });
  });
  afterAll(() => stack?.stop());

  it(`sends ${SPAWNS} creates without one 429, never faster than the schedule, a queued server shown its place`, async () => {
    // The schedule as another Function instance left it: its writes take the next 10 s.
    const pacing = TableClient.fromConnectionString(stack.azurite.connectionString, 'serverspacing', { allowInsecureConnection: true });
    await pacing.createTable();
    const bucket = { partitionKey: 'bucket', rowKey: stack.emulator.subscriptionId.toLowerCase() };
    const fillSchedule = async (seconds: number) => {
      const current = await pacing.getEntity<{ tat: number }>(bucket.partitionKey, bucket.rowKey).catch(() => undefined);
      const tat = Math.max(Number(current?.tat ?? 0), Date.now() + seconds * 1000);
      await pacing.upsertEntity({ ...bucket, tat }, 'Replace');
    };
    await fillSchedule(10);

    const spawned = await Promise.all(Array.from({ length: SPAWNS }, async (_, i) => {
      const reply = await stack.api('POST', '/api/servers', { user: `pace-${i}`, project: 'climate-lab', size: 'Small' });
      expect(reply.status).toBe(202);
      return reply.body.id as string;
    }));
    // On a loaded machine the runs may start after those 10 s: the other instance writes again,
    // so the runs that start now find the schedule taken too.
    await fillSchedule(20);

    const deadline = Date.now() + 260_000;
    let running = 0;
    while (Date.now() < deadline) {
      const history = (await stack.emulatorJson('GET', '/_emulator/history')) as History;
      running = history.computes.filter((c) => c.transitions.some((t) => t.state === 'Running')).length;
      if (running === SPAWNS) break;
      await sleep(1000);
    }
    expect(running).toBe(SPAWNS);

    const stats = await stack.emulatorJson('GET', '/_emulator/stats');
    expect(stats.throttled).toBe(0);
    expect(stats.requests['PUT computes/createOrUpdate']).toBe(SPAWNS);
    // ARM's own write bucket (the emulator's: 30 burst, 10 per second) never ran dry: the 0 above.
    // Writes per wall-clock second are not asserted: a busy machine fires durable timers late and in
    // bunches, which the bucket absorbs; the schedule itself is property-tested in write-pacing.test.ts.

    // The servers that waited for their turn said so, with their place in the queue.
    const servers = await Promise.all(spawned.map(async (id) => (await stack.api('GET', `/api/servers/${id}`)).body));
    const queued = servers.filter((server) => server.progress.some((p: { message: string }) => /queued behind Azure's write limit: (\d+ ahead of you|next in line)/.test(p.message)));
    // Every create asked in the first ~9 s waits (how many depends on how fast the engine starts the runs).
    expect(queued.length).toBeGreaterThan(0);
    expect(queued.some((server) => server.progress.some((p: { message: string }) => /\d+ ahead of you/.test(p.message)))).toBe(true);
  });
});
