/**
 * The host's last net (issue 10): a promise rejection nothing handles is logged, and the host
 * carries on serving instead of exiting (Node's default), as the Functions host outlives it.
 */
import { copyFixtureApp, type AppCopy } from '../support/app-copy';
import { startHostProcess, type HostProcess } from '../support/host-process';

let app: AppCopy;
let host: HostProcess;

beforeAll(async () => {
  app = copyFixtureApp('http-app', { EVERY_SECOND_SCHEDULE: '0 0 0 1 1 *' });
  host = await startHostProcess({ appDir: app.dir });
});

afterAll(async () => {
  await host?.stop();
  app?.remove();
});

it('logs an unhandled rejection and keeps serving', async () => {
  let exited = false;
  void host.exited.then(() => (exited = true));
  for (let i = 0; i < 3; i++) expect(await (await fetch(`${host.url}/api/stray`)).text()).toBe('answered');
  const deadline = Date.now() + 10_000;
  while (!/host\.unhandled-rejection/.test(host.output()) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  expect(host.output()).toMatch(/host\.unhandled-rejection.*stray rejection from the app/);
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(exited).toBe(false);
  expect((await fetch(`${host.url}/api/settings/PATH`)).status).toBe(200);
});
