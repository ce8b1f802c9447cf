/**
 * `npm start -- --jupyter` end to end: a server spawned through the control plane lands on a real
 * JupyterLab at its `url` (plain http on loopback, a deep link included), and a stop through the
 * control plane ends that JupyterLab process. Skipped only when this machine has no Python able to
 * create the environment (.local/jupyter, pip install jupyterlab; see arm-emulator-jupyter.test.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureJupyterPython } from '../../local/arm-emulator';
import { LocalStack, SEEDED } from '../support/local-stack';

// The Python environment (jupyterlab from PyPI) is created on first use; .ci/run installs python3-venv.
const VENV = path.resolve(__dirname, '..', '..', '.local', 'jupyter');
const EXPLICIT_PYTHON = process.env.EMULATOR_JUPYTER_PYTHON || null;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('the local stack with a real JupyterLab per instance', () => {
  let stack: LocalStack;
  beforeAll(async () => {
    await ensureJupyterPython({ python: EXPLICIT_PYTHON, venvDir: VENV });
    stack = await LocalStack.start({ emulator: { jupyter: true, jupyterPython: EXPLICIT_PYTHON, jupyterVenvDir: VENV } });
  }, 20 * 60_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('lands a spawned server on JupyterLab, deep link kept, and a stop ends the lab', async () => {
    const spawned = await stack.api('POST', '/api/servers', { user: 'e2e-lab', project: 'climate-lab', size: 'Small', userObjectId: SEEDED.alice });
    expect(spawned.status).toBe(202);
    const running = await stack.waitForServer(spawned.body.id, (s) => s.state === 'Running' || s.state === 'Failed');
    expect(running.state).toBe('Running');
    expect(running.url).toBe(`${stack.emulator.labUrl}/instances/${running.id}/lab`);
    expect(running.url.startsWith('http://127.0.0.1:')).toBe(true);

    const lab = await fetch(running.url);
    expect(lab.status).toBe(200);
    expect(await lab.text()).toContain(`"baseUrl": "/instances/${running.id}/"`);
    const deep = await fetch(`${running.url}/tree/results/figure.ipynb`);
    expect(deep.status).toBe(200);
    expect(await deep.text()).toContain('"treePath": "results/figure.ipynb"');
    const [labProcess] = stack.emulator.labs();
    expect(labProcess?.name).toBe(running.id);
    const pid = labProcess?.pid ?? 0;
    expect(alive(pid)).toBe(true);

    expect((await stack.api('POST', `/api/servers/${running.id}/stop`, {})).status).toBe(202);
    await stack.waitForServer(running.id, (s) => s.state === 'Stopped');
    const deadline = Date.now() + 30_000;
    while ((alive(pid) || stack.emulator.labs().length > 0) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 250));
    expect(alive(pid)).toBe(false);
    expect(stack.emulator.labs()).toEqual([]);
    expect((await fetch(running.url)).status).toBe(503);
  }, 5 * 60_000);
});
