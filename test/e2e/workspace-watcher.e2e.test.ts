/**
 * The workspace watcher on the local stack (issue 12): several servers in flight in one workspace
 * are followed by one compute list per interval, not by per-server GETs, and each run is woken once,
 * by its own workspace's watcher; a host killed with SIGKILL mid-watch comes back with its watcher
 * and strands no server; a spawn after the watcher went off duty gets a new one.
 */
import { LocalStack, SEEDED, sleep } from '../support/local-stack';
import { wakesOf } from '../support/run-wakes';

jest.setTimeout(240_000);

const CREATE_SECONDS = 8;
const INTERVAL_SECONDS = 0.5;
type Stats = { requests: Record<string, number> };
const count = (stats: Stats, operation: string) => stats.requests[operation] ?? 0;

describe('the workspace watcher on the local stack', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    stack = await LocalStack.start({
      emulator: { createSeconds: CREATE_SECONDS },
      appSettings: { EXPECTED_CREATE_SECONDS: String(CREATE_SECONDS), PROVISION_POLL_SECONDS: String(INTERVAL_SECONDS) },
    });
  });
  afterAll(async () => {
    await stack?.stop();
  });
  beforeEach(async () => {
    await stack.emulatorJson('POST', '/_emulator/reset');
  });

  const spawnAll = async (prefix: string, n: number, project = 'climate-lab'): Promise<string[]> => {
    const answers = await Promise.all(Array.from({ length: n }, (_, i) =>
      stack.api('POST', '/api/servers', { user: `${prefix}-${i}`, project, size: 'Small', userObjectId: SEEDED.alice })));
    expect(answers.map((answer) => answer.status)).toEqual(Array(n).fill(202));
    return answers.map((answer) => answer.body.id as string);
  };

  const watchers = async () => {
    const listed = await stack.api('GET', '/runtime/webhooks/durabletask/instances?instanceIdPrefix=watch-');
    expect(listed.status).toBe(200);
    return listed.body as { instanceId: string; runtimeStatus: string }[];
  };

  it('follows six creates with one compute list per interval and a single GET per server, waking each run once', async () => {
    const started = Date.now();
    const ids = await spawnAll('e2e-watch', 6);
    const elsewhere = await spawnAll('e2e-watch-ocean', 1, 'ocean-lab');
    for (const id of [...ids, ...elsewhere]) expect((await stack.waitForServer(id, (s) => s.state === 'Running' || s.state === 'Failed')).state).toBe('Running');
    const seconds = (Date.now() - started) / 1000;

    // Each run was woken exactly once, by its own workspace's watcher, when its instance ran; no
    // run looked by itself (its fallback is a minute past the expected end).
    for (const id of [...ids, ...elsewhere]) expect(await wakesOf(stack, `provision-${id}`)).toEqual({ wakes: ['Running'], fallbacks: 0 });

    const stats: Stats = await stack.emulatorJson('GET', '/_emulator/stats');
    expect(count(stats, 'PUT computes/createOrUpdate')).toBe(7);
    // Per server one GET, the first look (no instance yet): the wakes carry the instance as listed.
    expect(count(stats, 'GET computes/get')).toBeLessThanOrEqual(ids.length + 1);
    // Per-server polling every interval would have cost ~6 × CREATE_SECONDS / INTERVAL GETs; the
    // watcher lists the workspace once per interval, and not at all in the first half of the create.
    const lists = count(stats, 'GET computes/list');
    expect(lists).toBeGreaterThan(0);
    expect(lists).toBeLessThanOrEqual(2 * (Math.ceil(seconds / INTERVAL_SECONDS) + 2)); // two workspaces
    expect(lists).toBeLessThan(ids.length * (CREATE_SECONDS / INTERVAL_SECONDS));

    // One watcher per workspace, and each ends once nothing of its workspace is in flight.
    expect((await watchers()).map((watcher) => watcher.instanceId).sort()).toEqual(['watch-climate-lab', 'watch-ocean-lab']);
    const deadline = Date.now() + 30_000;
    while ((await watchers()).some((watcher) => watcher.runtimeStatus !== 'Completed') && Date.now() < deadline) await sleep(250);
    expect((await watchers()).map((watcher) => watcher.runtimeStatus)).toEqual(['Completed', 'Completed']);
    const quiet = count(await stack.emulatorJson('GET', '/_emulator/stats'), 'GET computes/list');
    await sleep(2_000);
    expect(count(await stack.emulatorJson('GET', '/_emulator/stats'), 'GET computes/list')).toBe(quiet); // idle: no ARM calls
  });

  it('comes back from a host killed with SIGKILL mid-watch: the watcher resumes and no server is stranded', async () => {
    const ids = await spawnAll('e2e-watch-kill', 4);
    // Mid-watch: the watcher has started listing the workspace.
    const watching = Date.now() + 60_000;
    while (count(await stack.emulatorJson('GET', '/_emulator/stats'), 'GET computes/list') === 0 && Date.now() < watching) await sleep(100);
    expect(count(await stack.emulatorJson('GET', '/_emulator/stats'), 'GET computes/list')).toBeGreaterThan(0);
    await stack.killHost();
    await sleep(1_000);
    const restarted = Date.now();
    await stack.startHost();

    for (const id of ids) expect((await stack.waitForServer(id, (s) => s.state === 'Running' || s.state === 'Failed')).state).toBe('Running');
    // Well before any run's own fallback look (a minute): the watcher, not the fallback, woke them.
    expect((Date.now() - restarted) / 1000).toBeLessThan(45);
    expect(count(await stack.emulatorJson('GET', '/_emulator/stats'), 'PUT computes/createOrUpdate')).toBe(4);
    expect((await watchers()).map((watcher) => watcher.instanceId).sort()).toEqual(['watch-climate-lab', 'watch-ocean-lab']);
  });

  it('a server spawned after the watcher went off duty gets a new one: nobody waits for a fallback', async () => {
    const [first] = await spawnAll('e2e-watch-again-a', 1);
    expect((await stack.waitForServer(first!, (s) => s.state === 'Running' || s.state === 'Failed')).state).toBe('Running');
    const offDuty = Date.now() + 30_000;
    const climate = async () => (await watchers()).find((watcher) => watcher.instanceId === 'watch-climate-lab');
    while ((await climate())?.runtimeStatus !== 'Completed' && Date.now() < offDuty) await sleep(100);
    expect((await climate())?.runtimeStatus).toBe('Completed');

    const spawned = Date.now();
    const [second] = await spawnAll('e2e-watch-again-b', 1);
    expect((await stack.waitForServer(second!, (s) => s.state === 'Running' || s.state === 'Failed')).state).toBe('Running');
    expect(await wakesOf(stack, `provision-${second}`)).toEqual({ wakes: ['Running'], fallbacks: 0 });
    expect((Date.now() - spawned) / 1000).toBeLessThan(CREATE_SECONDS + 45); // well before its fallback
  });
});
