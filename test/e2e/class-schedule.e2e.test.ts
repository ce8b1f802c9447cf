/**
 * A class session end to end on the local stack: an admin schedules three people, the schedule
 * sweep (every 2 s here) creates their servers ahead of the start so they are Running at it, a
 * person who spawns during the session gets their running server at once. At the end their idle
 * shutdown is shortened to the in-use window (15 s here, the floor lowered to 0): the instances no
 * one used stop at once, the one a person works on in JupyterLab runs on until they stop, and each
 * stop is recorded `stopReason: schedule`.
 */
import { LocalStack, SEEDED, sleep } from '../support/local-stack';

const PEOPLE = [
  { user: 'sched-alice', userObjectId: SEEDED.alice },
  { user: 'sched-bob', userObjectId: SEEDED.bob },
  { user: 'sched-carol', userObjectId: SEEDED.carol },
];

const IN_USE_SECONDS = 15;

describe('a class schedule on the local stack', () => {
  let stack: LocalStack;

  beforeAll(async () => {
    stack = await LocalStack.start({
      emulator: { allowShortIdle: true },
      appSettings: {
        SCHEDULE_SWEEP_SCHEDULE: '*/2 * * * * *', IDLE_SWEEP_SCHEDULE: '*/2 * * * * *', EXPECTED_CREATE_SECONDS: '6',
        SCHEDULE_IN_USE_MINUTES: String(IN_USE_SECONDS / 60), IDLE_SHUTDOWN_FLOOR_MINUTES: '0',
      },
    });
  }, 90_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('pre-starts the servers for the start; at the end stops the unused ones and lets a person at work finish', async () => {
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

    // Bob works in JupyterLab (on the instance: the hub sees none of it) through the end and after.
    const bob = running.find((s) => s.user === 'sched-bob');
    await sleep(Math.max(0, end.getTime() - Date.now() - 5_000));
    let working = true;
    const answers: number[] = [];
    const work = (async () => {
      while (working) {
        answers.push((await fetch(bob.url)).status);
        await sleep(3_000);
      }
    })();

    // The loop ends with the test, passed or failed: it must not outlive the stack.
    try {
      const others = running.filter((s) => s.user !== 'sched-bob');
      const stopped = await Promise.all(others.map((s) => stack.waitForServer(s.id, (x) => x.state === 'Stopped', 30_000)));
      for (const server of stopped) {
        expect(server.stopReason).toBe('schedule');
        expect(Date.parse(server.stoppedAt)).toBeGreaterThanOrEqual(end.getTime());
        // Azure ML stopped them (idle shutdown), shortened by the session's end: the product sent no stop.
        const writes = await stack.emulatorJson('GET', `/_emulator/requests?name=${server.id}`);
        expect(writes.requests.map((r: { operation: string }) => r.operation)).toEqual(['computes/createOrUpdate', 'computes/updateIdleShutdownSetting']);
      }
      const ended = await waitFor(async () => {
        const schedule = (await stack.api('GET', `/api/schedules/${id}`)).body;
        return schedule.lastSession?.ended ? schedule : null;
      }, 10_000);
      expect(ended.nextSession).toBeNull();
      expect((await stack.api('GET', `/api/servers/${bob.id}`)).body).toMatchObject({ state: 'Running', stopReason: null });
    } finally {
      // Bob stops working: his instance stops once it has been idle for the in-use window.
      working = false;
      await work;
    }
    expect(answers.length).toBeGreaterThan(0);
    expect(answers.filter((status) => status !== 200)).toEqual([]);
    const idleFrom = Date.now();
    const bobStopped = await stack.waitForServer(bob.id, (x) => x.state !== 'Running', 60_000);
    expect(bobStopped).toMatchObject({ state: 'Stopped', stopReason: 'schedule' });
    expect(Date.now() - idleFrom).toBeGreaterThanOrEqual((IN_USE_SECONDS - 5) * 1000);
    expect(bobStopped.progress.at(-1).message).toBe('Stopped by Azure ML after 15 seconds without activity, once its class session had ended');

    expect((await stack.api('DELETE', `/api/schedules/${id}`)).status).toBe(204);
    expect((await stack.api('GET', `/api/schedules/${id}`)).status).toBe(404);
  }, 180_000);
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
