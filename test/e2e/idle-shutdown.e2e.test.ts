/**
 * Idle comes from the instance, end to end on the local stack: the instance gets its size's idle
 * shutdown (30 s here, the floor lowered to 0 and the emulator allowing short idle times), a
 * person working in JupyterLab keeps it running past that, and once they stop, Azure ML (the
 * emulator) stops it and the sweep records `Stopped` with `stopReason: idle`. A start in the
 * studio afterwards is adopted by the sweep.
 */
import { LocalStack, SEEDED, sleep } from '../support/local-stack';

const IDLE_SECONDS = 30;
const SWEEP = '*/2 * * * * *';

describe('idle shutdown on the local stack', () => {
  let stack: LocalStack;
  let id = '';

  beforeAll(async () => {
    stack = await LocalStack.start({
      emulator: { allowShortIdle: true },
      appSettings: { IDLE_SWEEP_SCHEDULE: SWEEP, IDLE_SHUTDOWN_FLOOR_MINUTES: '0', IDLE_STOP_MINUTES_SMALL: String(IDLE_SECONDS / 60) },
    });
  }, 90_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('keeps a person who works on the instance running past the idle time, and records idle once they stop', async () => {
    const spawned = await stack.api('POST', '/api/servers', { user: 'e2e-idle', project: 'climate-lab', size: 'Small', userObjectId: SEEDED.alice });
    expect(spawned.status).toBe(202);
    id = spawned.body.id;
    const running = await stack.waitForServer(id, (s) => s.state === 'Running' || s.state === 'Failed');
    expect(running.state).toBe('Running');
    const writes = await stack.emulatorJson('GET', `/_emulator/requests?name=${id}`);
    expect(writes.requests[0].body.properties.properties.idleTimeBeforeShutdown).toBe('PT30S');

    // A person at work: JupyterLab requests every few seconds, well past the idle time.
    const workUntil = Date.now() + (IDLE_SECONDS + 10) * 1000;
    while (Date.now() < workUntil) {
      expect((await fetch(running.url)).status).toBe(200);
      await sleep(4_000);
    }
    const stillRunning = await stack.api('GET', `/api/servers/${id}`);
    expect(stillRunning.body).toMatchObject({ state: 'Running', stopReason: null });

    // They stop: Azure ML's idle shutdown stops the instance, the next sweep records why.
    const idleFrom = Date.now();
    const stopped = await stack.waitForServer(id, (s) => s.state !== 'Running', 60_000);
    expect(stopped).toMatchObject({ state: 'Stopped', stopReason: 'idle', url: null, amlState: 'Stopped' });
    expect(Date.now() - idleFrom).toBeGreaterThanOrEqual((IDLE_SECONDS - 5) * 1000);
    expect(stopped.progress.at(-1).message).toBe('Stopped by Azure ML after 30 seconds without activity');
    const after = await stack.emulatorJson('GET', `/_emulator/requests?name=${id}`);
    // The product sent no stop: the instance stopped itself.
    expect(after.requests.map((r: { operation: string }) => r.operation)).toEqual(['computes/createOrUpdate']);
  }, 150_000);

  it('adopts the instance when the person starts it again in the studio', async () => {
    expect(id).not.toBe('');
    const started = await stack.emulatorJson('POST', `/_emulator/computes/${id}/start`, { trigger: 'User' });
    expect(started).toMatchObject({ state: 'Starting', trigger: 'User' });
    const adopted = await stack.waitForServer(id, (s) => s.state === 'Running', 30_000);
    expect(adopted).toMatchObject({ stopReason: null, url: `${stack.emulator.labUrl}/instances/${id}/lab` });
    expect(adopted.progress.at(-1).message).toBe('Started outside JupyterHub (Azure ML studio or schedule)');
    // Adopted, not fought: nothing was stopped.
    const writes = await stack.emulatorJson('GET', `/_emulator/requests?name=${id}`);
    expect(writes.requests.map((r: { operation: string }) => r.operation)).toEqual(['computes/createOrUpdate']);
  }, 60_000);
});
