/**
 * The emulator's `jupyter` option with a real JupyterLab from PyPI behind an instance: the lab
 * answers at the instance's endpointUri (plain http on loopback), a client connected to a kernel
 * holds off Azure ML's idle shutdown through the lab's own GET /api/status, idle shutdown and a stop
 * end the process, and a start brings a new one. The Python environment (.local/jupyter, or
 * EMULATOR_JUPYTER_PYTHON) is created on first use with `pip install jupyterlab`; the suite is
 * skipped only when this machine has no Python able to create it.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Socket } from 'node:net';
import { ensureJupyterPython, SEED_SUBSCRIPTION_ID, startArmEmulator, type ArmEmulator } from '../../local/arm-emulator';

// The Python environment (jupyterlab from PyPI) is created on first use; .ci/run installs python3-venv.
const VENV = path.resolve(__dirname, '..', '..', '.local', 'jupyter');
const EXPLICIT_PYTHON = process.env.EMULATOR_JUPYTER_PYTHON || null;

const NAME = 'ci-jupyter';
const computePath = `/subscriptions/${SEED_SUBSCRIPTION_ID}/resourceGroups/climate-lab/providers/Microsoft.MachineLearningServices/workspaces/climate-lab/computes/${NAME}`;
const API = 'api-version=2025-12-01';
const IDLE_SECONDS = 20;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value) return value;
    await sleep(250);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Opens a WebSocket (the handshake only) to a kernel's channels, as an open notebook does. */
function openKernelSocket(url: string, cookie: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const request = http.request(url, {
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-version': '13',
        'sec-websocket-key': Buffer.from('0123456789abcdef').toString('base64'),
        origin: new URL(url).origin,
        cookie,
      },
    });
    request.on('upgrade', (response, socket) => (response.statusCode === 101 ? resolve(socket) : reject(new Error(`upgrade ${response.statusCode}`))));
    request.on('response', (response) => reject(new Error(`no upgrade: HTTP ${response.statusCode}`)));
    request.on('error', reject);
    request.end();
  });
}

describe('ARM emulator with a real JupyterLab (jupyter option)', () => {
  let emulator: ArmEmulator;
  let token = '';
  let dataDir = '';

  const arm = async (method: string, pathAndQuery: string, body?: unknown) => {
    const response = await fetch(`${emulator.url}${pathAndQuery}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, json: text ? JSON.parse(text) : null };
  };
  const instance = async () => (await arm('GET', `${computePath}?${API}`)).json?.properties?.properties;

  beforeAll(async () => {
    // First use creates the environment from PyPI: minutes, once per checkout.
    await ensureJupyterPython({ python: EXPLICIT_PYTHON, venvDir: VENV });
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'emulator-jupyter-'));
    emulator = await startArmEmulator({
      port: 0,
      dataDir,
      jupyter: true,
      jupyterPython: EXPLICIT_PYTHON,
      jupyterVenvDir: VENV,
      createSeconds: 1,
      startSeconds: 1,
      stopSeconds: 1,
      deleteSeconds: 1,
      allowShortIdle: true,
    });
    const reply = await fetch(`${emulator.url}/msi/token?resource=https%3A%2F%2Fmanagement.azure.com&api-version=2019-08-01`, {
      headers: { 'x-identity-header': emulator.identityHeader },
    });
    token = ((await reply.json()) as { access_token: string }).access_token;
  }, 20 * 60_000);

  afterAll(async () => {
    await emulator?.stop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves JupyterLab at the endpointUri, keeps it up while a kernel client is connected, and ends the process on idle shutdown and on stop', async () => {
    const created = await arm('PUT', `${computePath}?${API}`, {
      location: 'westeurope',
      properties: { computeType: 'ComputeInstance', properties: { vmSize: 'Standard_DS1_v2', idleTimeBeforeShutdown: `PT${IDLE_SECONDS}S` } },
    });
    expect(created.status).toBe(201);
    const running = await until('Running', async () => ((await instance())?.state === 'Running' ? instance() : null));
    const labUrl: string = running.applications.find((app: { displayName: string }) => app.displayName === 'Jupyter Lab').endpointUri;
    expect(labUrl).toBe(`${emulator.labUrl}/instances/${NAME}/lab`);
    expect(labUrl.startsWith('http://127.0.0.1:')).toBe(true);

    // The real JupyterLab, its base URL the instance's path; a deep link answers too.
    const page = await fetch(labUrl);
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain('jupyter-config-data');
    expect(html).toContain(`"baseUrl": "/instances/${NAME}/"`);
    expect((await fetch(`${emulator.labUrl}/instances/${NAME}/lab/tree/analysis.ipynb`)).status).toBe(200);
    const [lab] = emulator.labs();
    expect(lab).toMatchObject({ name: NAME });
    const pid = lab?.pid ?? 0;
    expect(alive(pid)).toBe(true);
    // JupyterLab listens on loopback only.
    expect((await fetch(`http://127.0.0.1:${lab?.port}/instances/${NAME}/api/status`)).status).toBe(200);

    // A notebook is open: a kernel and a client on its channels, through the lab listener.
    const cookies = page.headers.getSetCookie().map((cookie) => cookie.split(';')[0]).join('; ');
    const xsrf = /_xsrf=([^;]+)/.exec(cookies)?.[1] ?? '';
    const kernelReply = await fetch(`${emulator.labUrl}/instances/${NAME}/api/kernels`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: cookies, 'x-xsrftoken': decodeURIComponent(xsrf) },
      body: '{}',
    });
    expect(kernelReply.status).toBe(201);
    const kernel = (await kernelReply.json()) as { id: string };
    const socket = await openKernelSocket(`${emulator.labUrl}/instances/${NAME}/api/kernels/${kernel.id}/channels`, cookies);
    const status = await until('a connection in /api/status', async () => {
      const body = (await (await fetch(`${emulator.labUrl}/instances/${NAME}/api/status`)).json()) as { connections: number; kernels: number };
      return body.connections >= 1 ? body : null;
    });
    expect(status.kernels).toBe(1);

    // Longer than the idle time, with nothing but the open connection: the instance stays up.
    await sleep((IDLE_SECONDS + 8) * 1000);
    expect((await instance()).state).toBe('Running');
    expect(alive(pid)).toBe(true);

    // The notebook is closed: after the idle time Azure ML's idle shutdown stops it, and the lab ends.
    socket.destroy();
    const idled = await until('idle shutdown', async () => {
      const properties = await instance();
      return properties?.state === 'Stopped' ? properties : null;
    }, (IDLE_SECONDS + 60) * 1000);
    expect(idled.lastOperation).toMatchObject({ operationName: 'Stop', operationTrigger: 'IdleShutdown' });
    await until('the lab process to end', async () => !alive(pid) && emulator.labs().length === 0, 30_000);
    const stoppedPage = await fetch(labUrl);
    expect(stoppedPage.status).toBe(503);
    expect(await stoppedPage.text()).toContain('Stopped');

    // Started again: a new lab; stopped through ARM: it ends.
    expect((await arm('POST', `${computePath}/start?${API}`)).status).toBe(202);
    await until('Running again', async () => (await instance())?.state === 'Running');
    expect((await fetch(labUrl)).status).toBe(200);
    const second = emulator.labs()[0]?.pid ?? 0;
    expect(second).not.toBe(pid);
    expect(alive(second)).toBe(true);
    expect((await arm('POST', `${computePath}/stop?${API}`)).status).toBe(202);
    await until('the second lab process to end', async () => !alive(second) && emulator.labs().length === 0, 30_000);
  }, 10 * 60_000);
});
