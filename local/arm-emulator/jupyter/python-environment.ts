/**
 * The Python that runs each instance's JupyterLab: one named explicitly (EMULATOR_JUPYTER_PYTHON,
 * which must already have `jupyterlab`), or a virtual environment the emulator creates on first use
 * (default .local/jupyter: `python3 -m venv` then `pip install jupyterlab` from PyPI).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import * as path from 'node:path';

export interface PythonEnvironmentOptions {
  /** A Python interpreter with jupyterlab installed; when set, nothing is created. */
  python: string | null;
  /** The virtual environment to use, created when missing. */
  venvDir: string;
  /** The interpreter that creates the environment; default python3. */
  basePython?: string;
  /** Told what takes long (creating the environment), for the start-up output. */
  log?: (line: string) => void;
}

/** The requirement installed into a new environment. */
export const JUPYTERLAB_REQUIREMENT = 'jupyterlab';

function run(file: string, args: string[], timeoutMs: number): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ ok: error === null, output: `${stdout}${stderr}`.trim() || (error?.message ?? '') });
    });
  });
}

/** Whether this interpreter can run JupyterLab. */
export async function hasJupyterLab(python: string): Promise<boolean> {
  return (await run(python, ['-c', 'import jupyterlab, jupyter_server, ipykernel'], 60_000)).ok;
}

/** The interpreter to run JupyterLab with, creating the environment on first use; throws with pip's words when it cannot. */
export async function ensureJupyterPython(options: PythonEnvironmentOptions): Promise<string> {
  if (options.python !== null) {
    if (await hasJupyterLab(options.python)) return options.python;
    throw new Error(`${options.python} cannot import jupyterlab: install it there (pip install ${JUPYTERLAB_REQUIREMENT}) or unset EMULATOR_JUPYTER_PYTHON.`);
  }
  const venv = path.resolve(options.venvDir);
  const python = path.join(venv, process.platform === 'win32' ? 'Scripts/python.exe' : 'bin/python');
  if (existsSync(python) && (await hasJupyterLab(python))) return python;
  // Several processes (parallel test files, a stack and a test) may ask at once: one creates, the others wait.
  const release = await lockEnvironment(venv);
  try {
    if (existsSync(python) && (await hasJupyterLab(python))) return python;
    await createEnvironment(venv, python, options);
    return python;
  } finally {
    release();
  }
}

async function createEnvironment(venv: string, python: string, options: PythonEnvironmentOptions): Promise<void> {
  const log = options.log ?? (() => undefined);
  if (!existsSync(python)) {
    const base = options.basePython ?? 'python3';
    log(`ARM emulator: creating ${venv} for JupyterLab (${base} -m venv)…`);
    const created = await run(base, ['-m', 'venv', venv], 5 * 60_000);
    if (!created.ok) throw new Error(`Could not create the JupyterLab environment ${venv} with ${base}: ${created.output}`);
  }
  log(`ARM emulator: installing ${JUPYTERLAB_REQUIREMENT} into ${venv} from PyPI (first use; a few minutes)…`);
  const installed = await run(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', JUPYTERLAB_REQUIREMENT], 15 * 60_000);
  if (!installed.ok || !(await hasJupyterLab(python))) {
    throw new Error(`Could not install ${JUPYTERLAB_REQUIREMENT} into ${venv}: ${installed.output.slice(-2000)}`);
  }
}

/** A lock beside the environment (an atomic mkdir); one left by a process that died is taken over after 20 minutes. */
async function lockEnvironment(venv: string): Promise<() => void> {
  const lock = `${venv}.lock`;
  mkdirSync(path.dirname(lock), { recursive: true });
  for (;;) {
    try {
      mkdirSync(lock);
      return () => rmSync(lock, { recursive: true, force: true });
    } catch {
      const age = Date.now() - (statSafe(lock) ?? Date.now());
      if (age > 20 * 60_000) rmSync(lock, { recursive: true, force: true });
      else await new Promise((resolve) => setTimeout(resolve, 2000));
    }
  }
}

function statSafe(file: string): number | null {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return null;
  }
}
