/** How Azure ML's compute-instance states read in the product's lifecycle. */
import type { AmlComputeState } from './ports';

export type AmlPhase = 'creating' | 'starting' | 'running' | 'stopping' | 'stopped' | 'failed' | 'deleting' | 'unknown';

const PHASES: Record<AmlComputeState, AmlPhase> = {
  Creating: 'creating',
  SettingUp: 'creating',
  UserSettingUp: 'creating',
  Starting: 'starting',
  Restarting: 'starting',
  Running: 'running',
  JobRunning: 'running',
  Stopping: 'stopping',
  Stopped: 'stopped',
  CreateFailed: 'failed',
  SetupFailed: 'failed',
  UserSetupFailed: 'failed',
  Unusable: 'failed',
  Deleting: 'deleting',
  Unknown: 'unknown',
};

export function amlPhase(state: AmlComputeState): AmlPhase {
  return PHASES[state] ?? 'unknown';
}

/** A person-readable line for JupyterHub's progress page. */
export function describeAmlState(state: AmlComputeState, name: string, vmSize: string): string {
  switch (amlPhase(state)) {
    case 'creating':
      return state === 'Creating'
        ? `Azure is creating compute instance ${name} (${vmSize})`
        : `Azure is setting up compute instance ${name} (${state})`;
    case 'starting':
      return `Azure is starting compute instance ${name}`;
    case 'running':
      return `Compute instance ${name} is running`;
    case 'stopping':
      return `Compute instance ${name} is stopping`;
    case 'stopped':
      return `Compute instance ${name} is stopped`;
    case 'failed':
      return `Compute instance ${name} failed (${state})`;
    case 'deleting':
      return `Compute instance ${name} is being deleted`;
    case 'unknown':
      return `Compute instance ${name} reports state ${state}`;
  }
}
