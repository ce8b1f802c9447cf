/** Timer triggers of a sample app, run by the host on their schedules. */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { copyFixtureApp, type AppCopy } from '../support/app-copy';
import { waitFor } from '../support/durable-api';
import { startHostProcess, type HostProcess } from '../support/host-process';

interface TimerRun {
  name: string;
  at: string;
  isPastDue: boolean;
  next: string;
}

let app: AppCopy;
let host: HostProcess | undefined;
let logFile: string;

function runs(): TimerRun[] {
  if (!existsSync(logFile)) return [];
  return readFileSync(logFile, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as TimerRun);
}

beforeEach(() => {
  app = copyFixtureApp('http-app', { EVERY_SECOND_SCHEDULE: '*/1 * * * * *' });
  logFile = join(app.dir, 'timer-runs.jsonl');
});

afterEach(async () => {
  await host?.stop();
  host = undefined;
  rmSync(logFile, { force: true });
  app.remove();
});

describe('timer triggers', () => {
  it('runs a timer whose %SETTING% schedule comes from local.settings.json, repeatedly', async () => {
    host = await startHostProcess({ appDir: app.dir, env: { TIMER_LOG: logFile } });
    const everySecond = await waitFor(() => {
      const found = runs().filter((run) => run.name === 'everySecond');
      return found.length >= 3 ? found : undefined;
    }, 'three runs of the every-second timer', 15_000);
    const times = everySecond.map((run) => Date.parse(run.at));
    expect(new Set(times.map((time) => Math.floor(time / 1000))).size).toBe(times.length); // one run per second at most
    expect(everySecond[0]!.isPastDue).toBe(false);
    expect(Date.parse(everySecond[0]!.next)).toBeGreaterThan(Date.parse(everySecond[0]!.at));
    expect(host.output()).toMatch(/everySecond: timerTrigger \(\*\/1 \* \* \* \* \*\)/);
  });

  it('honours runOnStartup once, and does not run a yearly timer otherwise', async () => {
    host = await startHostProcess({ appDir: app.dir, env: { TIMER_LOG: logFile, EVERY_SECOND_SCHEDULE: '0 0 0 1 1 *' } });
    await waitFor(() => runs().some((run) => run.name === 'onStartup') || undefined, 'the runOnStartup run', 10_000);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(runs().filter((run) => run.name === 'onStartup')).toHaveLength(1);
    expect(runs().filter((run) => run.name === 'everySecond')).toHaveLength(0);
  });

  it('reports a timer whose schedule setting is missing as in error, naming it, and runs the rest', async () => {
    const bare = copyFixtureApp('http-app');
    try {
      host = await startHostProcess({ appDir: bare.dir, env: { TIMER_LOG: logFile } });
      expect(host.output()).toMatch(/The 'everySecond' function is in error: .*EVERY_SECOND_SCHEDULE/);
      await waitFor(() => runs().some((run) => run.name === 'onStartup') || undefined, 'the other timer', 10_000);
      expect((await fetch(`${host.url}/api/servers/x`)).status).toBe(200);
      expect(runs().filter((run) => run.name === 'everySecond')).toHaveLength(0);
    } finally {
      await host?.stop();
      host = undefined;
      bare.remove();
    }
  });
});
