/**
 * `npm start`'s supervisor (issue 10): the local Functions host, run as the stack runs it, is
 * SIGKILLed and comes back by itself after a back-off, saying so; crashes in a row double the
 * back-off; a stop is not a crash; a piece started without restarts stays down.
 */
import { PassThrough } from 'node:stream';
import { join } from 'node:path';
import { freePort } from '../../../local/stack/local-stack';
import { startChildService, type ChildService } from '../../../local/process/child-service';
import { copyFixtureApp, type AppCopy } from '../support/app-copy';
import { REPO_ROOT } from '../support/host-process';

const HOST_MAIN = join(REPO_ROOT, 'dist', 'local', 'host', 'main.js');
let app: AppCopy;
const services: ChildService[] = [];

beforeAll(() => {
  app = copyFixtureApp('http-app', { EVERY_SECOND_SCHEDULE: '0 0 0 1 1 *' });
});
afterAll(() => app?.remove());
afterEach(async () => {
  await Promise.all(services.splice(0).map((service) => service.stop()));
});

async function startHostService(restart: Parameters<typeof startChildService>[0]['restart']) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/api/settings/PATH`;
  const output = new PassThrough();
  let text = '';
  output.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const service = await startChildService({
    name: 'host',
    script: HOST_MAIN,
    args: ['--app', app.dir, '--port', String(port)],
    env: { ...process.env, LOCAL_HOST_BANNER: '0' },
    ready: async () => (await fetch(url)).ok,
    output,
    restart,
  });
  services.push(service);
  return { service, answers: () => fetch(url).then((r) => r.ok, () => false), output: () => text };
}

async function waitFor(condition: () => Promise<boolean> | boolean, what: string, timeoutMs = 45_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const killHard = async (service: ChildService) => {
  const child = service.process;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;
};

it('restarts a SIGKILLed host, which serves again, and says so; crashes in a row double the back-off', async () => {
  const { service, answers, output } = await startHostService({ initialDelayMs: 300, maxDelayMs: 5_000 });
  const firstPid = service.process.pid;
  await killHard(service);
  expect(await answers()).toBe(false);
  await waitFor(answers, 'the host to answer again');
  expect(service.restarts).toBe(1);
  expect(service.process.pid).not.toBe(firstPid);
  expect(output()).toMatch(/\[stack\] host exited unexpectedly \(signal SIGKILL\) after [\d.]+ s; restarting it in 0\.3 s \(restart 1\)/);
  await waitFor(() => /\[stack\] host is back \(restart 1\)/.test(output()), 'the "is back" line');

  await killHard(service);
  await waitFor(answers, 'the host to answer after a second crash');
  expect(output()).toMatch(/restarting it in 0\.6 s \(restart 2\)/);
  expect(service.restarts).toBe(2);
}, 120_000);

it('does not restart a piece that was stopped, nor one started without restarts', async () => {
  const supervised = await startHostService({ initialDelayMs: 100 });
  await supervised.service.stop();
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  expect(await supervised.answers()).toBe(false);
  expect(supervised.output()).not.toMatch(/restarting/);

  const unsupervised = await startHostService(false);
  await killHard(unsupervised.service);
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  expect(await unsupervised.answers()).toBe(false);
  expect(unsupervised.service.restarts).toBe(0);
}, 60_000);
