/**
 * A class session end to end on the local stack: an admin schedules three people, the schedule
 * sweep (every 2 s here) creates their servers ahead of the start so they are Running at it, a
 * person who spawns during the session gets their running server at once, and at the end the
 * servers are stopped with `stopReason: schedule` — except one with activity in the last minute.
 */
import { LocalStack, SEEDED, sleep } from '../support/local-stack';

const PEOPLE = [
  { user: 'sched-alice', userObjectId: SEEDED.alice },
  { user: 'sched-bob', userObjectId: SEEDED.bob },
  { user: 'sched-carol', userObjectId: SEEDED.carol },
];

describe('a class schedule on the local stack', () => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await LocalStack.start({
      appSettings: { SCHEDULE_SWEEP_SCHEDULE: '*/2 * * * * *', SCHEDULE_IN_USE_MINUTES: '1', EXPECTED_CREATE_SECONDS: '6' },
    });
  }, 90_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('pre-starts the servers for the start and stops them at the end, unless in use', async () => {
    // Lead: the expected create (6 s; none learned yet) + one sweep interval (2 s) = 8 s before the start.
    const start = new Date(Date.now() + 16_000);
    const end = new Date(start.getTime() + 14_000);
    const created = await stack.api('POST', '/api/schedules', { project: 'climate-lab', size: 'Small', users: PEOPLE, start: start.toISOString(), end: end.toISOString() });
    expect(created.status).toBe(201);
    const id = created.body.id;
    expect(created.body.nextSession).toEqual({ start: start.toISOString(), end: end.toISOString() });

    // Nothing is launched long before the start.
    await sleep(3_000);
    expect((await stack.api('GET', `/api/schedules/${id}`)).body.lastSession).toBeNull();

    const launched = await waitFor(async () => {
      const schedule = (await stack.api('GET', `/api/schedules/${id}`)).body;
      return schedule.lastSession?.launched === 3 ? schedule : null;
    }, 30_000);
    expect(launched.lastSession).toMatchObject({ start: start.toISOString(), failures: [], ended: false });
    const servers = (await stack.api('GET', '/api/servers?project=climate-lab')).body.servers.filter((s: { user: string }) => s.user.startsWith('sched-'));
    expect(servers).toHaveLength(3);
    for (const server of servers) expect(Date.parse(server.createdAt)).toBeLessThan(start.getTime()); // launched ahead of the start

    const running = await Promise.all(servers.map((s: { id: string }) => stack.waitForServer(s.id, (x) => x.state === 'Running' || x.state === 'Failed', 30_000)));
    for (const server of running) expect(server.state).toBe('Running');
    const lateBy = Math.max(...running.map((s) => Date.parse(s.startedAt) - start.getTime()));
    console.info(`class-schedule: the last of 3 servers was Running ${lateBy} ms after the session's start (negative: before it)`);

    // A person spawning during the session gets the running server at once.
    const alice = running.find((s) => s.user === 'sched-alice');
    const spawned = await stack.api('POST', '/api/servers', { user: 'sched-alice', project: 'climate-lab', size: 'Small', userObjectId: SEEDED.alice });
    expect(spawned.status).toBe(200);
    expect(spawned.body).toMatchObject({ id: alice.id, state: 'Running' });

    // Bob works until the end.
    const bob = running.find((s) => s.user === 'sched-bob');
    await sleep(Math.max(0, end.getTime() - Date.now() - 2_000));
    expect((await stack.api('POST', `/api/servers/${bob.id}/activity`, { lastActivity: new Date().toISOString() })).status).toBe(204);

    const others = running.filter((s) => s.user !== 'sched-bob');
    const stopped = await Promise.all(others.map((s) => stack.waitForServer(s.id, (x) => x.state === 'Stopped', 30_000)));
    for (const server of stopped) {
      expect(server.stopReason).toBe('schedule');
      expect(Date.parse(server.stoppedAt)).toBeGreaterThanOrEqual(end.getTime());
    }
    const ended = await waitFor(async () => {
      const schedule = (await stack.api('GET', `/api/schedules/${id}`)).body;
      return schedule.lastSession?.ended ? schedule : null;
    }, 10_000);
    expect(ended.nextSession).toBeNull();
    expect((await stack.api('GET', `/api/servers/${bob.id}`)).body).toMatchObject({ state: 'Running', stopReason: null });

    expect((await stack.api('DELETE', `/api/schedules/${id}`)).status).toBe(204);
    expect((await stack.api('GET', `/api/schedules/${id}`)).status).toBe(404);
  }, 120_000);
});

async function waitFor<T>(probe: () => Promise<T | null>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > deadline) throw new Error(`not reached within ${timeoutMs} ms`);
    await sleep(500);
  }
}
