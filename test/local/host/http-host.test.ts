/**
 * The host serving a sample app's HTTP functions over real HTTP: route precedence, auth levels,
 * raw bodies, responses, errors and app settings. The app is loaded from its package.json main
 * glob exactly as the real app is.
 */
import { copyFixtureApp, type AppCopy } from '../support/app-copy';
import { startHostProcess, type HostProcess } from '../support/host-process';

let app: AppCopy;
let host: HostProcess;

beforeAll(async () => {
  app = copyFixtureApp('http-app', {
    EVERY_SECOND_SCHEDULE: '0 0 0 1 1 *',
    FROM_LOCAL_SETTINGS: 'file-value',
    OVERRIDDEN_BY_ENV: 'file-value',
  });
  host = await startHostProcess({ appDir: app.dir, env: { OVERRIDDEN_BY_ENV: 'env-value', FUNCTIONS_KEY: 'secret-key' } });
});

afterAll(async () => {
  await host?.stop();
  app?.remove();
});

async function call(method: string, path: string, init: RequestInit = {}) {
  const response = await fetch(`${host.url}${path}`, { method, ...init });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, text, json, headers: response.headers };
}

describe('HTTP routing', () => {
  it.each([
    ['GET', '/api/servers/abc', 'getServer', { id: 'abc' }],
    ['GET', '/api/servers/stats', 'serverStats', {}],
    ['GET', '/api/items/7', 'numbered', { n: '7' }],
    ['GET', '/api/items/seven', 'named', { name: 'seven' }],
  ])('%s %s goes to %s', async (method, path, fn, params) => {
    const response = await call(method, path);
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ function: fn, params, method });
  });

  it('sends paths nothing else serves, and methods a route does not take, to the catch-all', async () => {
    expect(await call('GET', '/api/no/such/thing')).toMatchObject({ status: 404, json: { notFound: 'no/such/thing' } });
    expect(await call('DELETE', '/api/servers/abc')).toMatchObject({ status: 404, json: { notFound: 'servers/abc' } });
  });

  it('answers 404 with an empty body outside the route prefix', async () => {
    expect(await call('GET', '/not-api/servers/abc')).toMatchObject({ status: 404, text: '' });
  });
});

describe('auth levels', () => {
  it('refuses function-level routes without the key, with an empty 401', async () => {
    expect(await call('POST', '/api/servers/abc/stop')).toMatchObject({ status: 401, text: '' });
    expect(await call('POST', '/api/servers/abc/stop?code=wrong')).toMatchObject({ status: 401 });
    expect(await call('POST', '/api/servers/abc/stop', { headers: { 'x-functions-key': 'local-key' } })).toMatchObject({ status: 401 });
  });

  it('accepts the key from FUNCTIONS_KEY in the header or the code parameter', async () => {
    expect(await call('POST', '/api/servers/abc/stop', { headers: { 'x-functions-key': 'secret-key' } })).toMatchObject({
      status: 200,
      json: { function: 'stopServer' },
    });
    expect(await call('POST', '/api/servers/abc/stop?code=secret-key')).toMatchObject({ status: 200 });
  });

  it('protects admin-level routes the same way', async () => {
    expect(await call('GET', '/api/admin/things')).toMatchObject({ status: 401 });
    expect(await call('GET', '/api/admin/things?code=secret-key')).toMatchObject({ status: 200, json: { function: 'adminOnly' } });
  });
});

describe('requests and responses', () => {
  it('passes the raw body through and returns status, headers, cookies and body', async () => {
    const body = Buffer.from([0, 1, 2, 250, 251, 252, 10, 13]);
    const response = await fetch(`${host.url}/api/echo`, { method: 'POST', body, headers: { 'content-type': 'application/octet-stream' } });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-length')).toBe(String(body.length));
    expect(response.headers.get('set-cookie')).toBe('seen=yes; HttpOnly');
    expect(Buffer.from(await response.arrayBuffer())).toEqual(body);
  });

  it('passes a large body through unchanged (the app enforces its own limits)', async () => {
    const body = 'x'.repeat(2 * 1024 * 1024);
    const response = await fetch(`${host.url}/api/echo`, { method: 'POST', body, headers: { 'content-type': 'text/plain' } });
    expect(response.status).toBe(201);
    expect(await response.text()).toHaveLength(body.length);
  });

  it('answers a function that throws with an empty 500 and logs the error', async () => {
    expect(await call('GET', '/api/boom')).toMatchObject({ status: 500, text: '' });
    expect(host.output()).toMatch(/Executed 'Functions\.boom' \(Failed/);
    expect(host.output()).toMatch(/Error: kaboom/);
  });

  it('logs each invocation and what the function logged through context.log', async () => {
    await call('GET', '/api/servers/logged');
    const output = host.output();
    expect(output).toMatch(/Executing 'Functions\.getServer'/);
    expect(output).toMatch(/Executed 'Functions\.getServer' \(Succeeded, Id=[0-9a-f-]{36}, Duration=\d+ms\)/);
    expect(output).toMatch(/getServer handling GET http:\/\/127\.0\.0\.1:\d+\/api\/servers\/logged/);
  });
});

describe('hooks', () => {
  it('runs appStart before serving and pre/post invocation hooks around a call', async () => {
    const response = await call('GET', '/api/hooked');
    expect(response.status).toBe(200);
    expect(response.headers.get('x-wrapped')).toBe('yes');
    expect(response.json).toEqual({ appStart: 'app start', seenBefore: 'pre' });
  });
});

describe('app settings', () => {
  it('exposes local.settings.json Values as environment, with the real environment winning', async () => {
    expect((await call('GET', '/api/settings/FROM_LOCAL_SETTINGS')).json).toEqual({ value: 'file-value' });
    expect((await call('GET', '/api/settings/OVERRIDDEN_BY_ENV')).json).toEqual({ value: 'env-value' });
  });
});

describe('graceful shutdown', () => {
  it('exits with code 0 on SIGTERM', async () => {
    const second = await startHostProcess({ appDir: app.dir });
    expect(await second.stop()).toBe(0);
    expect(second.output()).toMatch(/Host stopped/);
  });
});
