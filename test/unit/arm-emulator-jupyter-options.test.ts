import { optionsFromEnv, resolveOptions } from '../../local/arm-emulator/options';
import { activityAt } from '../../local/arm-emulator/jupyter/supervisor';
import { instanceOfPath } from '../../local/arm-emulator/lab-listener';
import { parseStackOptions } from '../../local/stack/stack-options';

describe('the emulator options for lab pages and JupyterLab', () => {
  it('reads EMULATOR_LAB_PORT, EMULATOR_JUPYTER, EMULATOR_JUPYTER_PYTHON and EMULATOR_JUPYTER_VENV', () => {
    expect(optionsFromEnv({ EMULATOR_LAB_PORT: '8073', EMULATOR_JUPYTER: '1', EMULATOR_JUPYTER_PYTHON: '/opt/py/bin/python', EMULATOR_JUPYTER_VENV: '/tmp/venv' })).toEqual({
      labPort: 8073, jupyter: true, jupyterPython: '/opt/py/bin/python', jupyterVenvDir: '/tmp/venv',
    });
    expect(() => optionsFromEnv({ EMULATOR_JUPYTER: 'yes' })).toThrow(/EMULATOR_JUPYTER/);
    expect(() => optionsFromEnv({ EMULATOR_LAB_PORT: '70000' })).toThrow(/EMULATOR_LAB_PORT/);
  });

  it('defaults to stand-in pages on 7074, or a free lab port when ARM takes a free port', () => {
    expect(resolveOptions({})).toMatchObject({ labPort: 7074, jupyter: false, jupyterPython: null, jupyterVenvDir: '.local/jupyter' });
    expect(resolveOptions({ port: 0 }).labPort).toBe(0);
    expect(resolveOptions({ port: 0, labPort: 9000 }).labPort).toBe(9000);
  });

  it('npm start takes --jupyter and --emulator-lab-port', () => {
    expect(parseStackOptions([])).toMatchObject({ jupyter: false, emulatorLabPort: 7074 });
    expect(parseStackOptions(['--jupyter', '--emulator-lab-port', '8073'])).toMatchObject({ jupyter: true, emulatorLabPort: 8073 });
    expect(() => parseStackOptions(['--emulator-lab-port', 'x'])).toThrow(/--emulator-lab-port/);
  });
});

describe("a lab's activity from its GET /api/status", () => {
  const now = Date.parse('2026-12-03T12:00:00Z');
  const status = (connections: number, lastActivity: string) => ({ started: '2026-12-03T11:00:00Z', last_activity: lastActivity, connections, kernels: 1 });

  it('is now while a client is connected to a kernel', () => {
    expect(activityAt(status(1, '2026-12-03T11:10:00Z'), now)).toBe(now);
  });

  it("is the server's last_activity otherwise", () => {
    expect(activityAt(status(0, '2026-12-03T11:10:00.123456Z'), now)).toBe(Date.parse('2026-12-03T11:10:00.123Z'));
    expect(activityAt(status(0, 'not a time'), now)).toBeNull();
  });
});

describe('the instance of a lab path', () => {
  it.each([
    ['/instances/ci-abc/lab', 'ci-abc'],
    ['/instances/ci-abc/lab/tree/x.ipynb?reset', 'ci-abc'],
    ['/instances/ci-abc', 'ci-abc'],
    ['/instances/ci-abc?x=1', 'ci-abc'],
    ['/instances/', null],
    ['/other/ci-abc', null],
    ['/instances/%E0%A4%A', null],
  ])('%s → %s', (url, name) => {
    expect(instanceOfPath(url)).toBe(name);
  });
});
