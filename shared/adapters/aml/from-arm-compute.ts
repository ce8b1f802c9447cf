/** Azure ML's compute resource (as the SDK deserialises it) → the domain's ComputeInstance. */
import type { ComputeInstance as ArmComputeInstance, ComputeResource, ComputeUnion, ErrorResponse } from '@azure/arm-machinelearning';
import type { AmlComputeState, ComputeInstance, OperationTrigger } from '../../domain/ports';
import type { InstanceApplication as ListedApplication } from '../../domain/landing';

const AML_STATES: readonly AmlComputeState[] = [
  'Creating', 'CreateFailed', 'Deleting', 'Running', 'Restarting', 'JobRunning', 'SettingUp', 'SetupFailed',
  'Starting', 'Stopped', 'Stopping', 'UserSettingUp', 'UserSetupFailed', 'Unknown', 'Unusable',
];

/** How Azure ML names the instance's applications ("Jupyter Lab" today, "JupyterLab" elsewhere, "Jupyter"). */
const JUPYTER_LAB = /^\s*jupyter\s*lab\s*$/i;
const JUPYTER = /^\s*jupyter\s*$/i;

export interface InstanceApplication {
  displayName?: string;
  endpointUri?: string;
}

/**
 * The JupyterLab url among the instance's applications: "Jupyter Lab" (or "JupyterLab"), else the
 * classic "Jupyter" endpoint turned into its `/lab` (a trailing `/tree` is the classic UI's page);
 * null when the instance lists no Jupyter at all.
 */
export function jupyterLabUrlOf(applications: readonly InstanceApplication[] | undefined): string | null {
  const lab = applications?.find((app) => JUPYTER_LAB.test(app.displayName ?? '') && app.endpointUri);
  if (lab?.endpointUri) return lab.endpointUri;
  const classic = applications?.find((app) => JUPYTER.test(app.displayName ?? '') && app.endpointUri);
  if (!classic?.endpointUri || !URL.canParse(classic.endpointUri)) return null;
  const url = new URL(classic.endpointUri);
  url.pathname = `${url.pathname.replace(/\/+$/, '').replace(/\/tree$/, '')}/lab`;
  return url.toString();
}

/** The applications that name both what they are and where they are. */
function listedApplications(applications: readonly InstanceApplication[] | undefined): ListedApplication[] {
  return (applications ?? []).flatMap(({ displayName, endpointUri }) =>
    displayName && endpointUri ? [{ displayName, endpointUri }] : [],
  );
}

export function isComputeInstance(properties: ComputeUnion | undefined): properties is ArmComputeInstance {
  return properties?.computeType === 'ComputeInstance';
}

export function fromArmCompute(resource: ComputeResource): ComputeInstance {
  const outer = resource.properties;
  const inner = isComputeInstance(outer) ? outer.properties : undefined;
  const lastOperation = inner?.lastOperation;
  return {
    name: resource.name ?? '',
    state: toState(inner?.state),
    provisioningState: outer?.provisioningState ?? null,
    vmSize: inner?.vmSize ?? null,
    jupyterLabUrl: jupyterLabUrlOf(inner?.applications),
    applications: listedApplications(inner?.applications),
    errors: toErrors([...(inner?.errors ?? []), ...(outer?.provisioningErrors ?? [])]),
    lastOperation: lastOperation
      ? {
          operationName: lastOperation.operationName ?? 'Unknown',
          operationStatus: lastOperation.operationStatus ?? 'Unknown',
          operationTime: toIso(lastOperation.operationTime),
          operationTrigger: toTrigger(lastOperation.operationTrigger),
        }
      : null,
    idleTimeBeforeShutdown: idleTimeOf(inner),
    tags: { ...(resource.tags ?? {}) },
    createdAt: toIso(outer?.createdOn),
  };
}

const TRIGGERS: readonly OperationTrigger[] = ['User', 'Schedule', 'IdleShutdown'];

function toTrigger(value: string | undefined): OperationTrigger {
  return TRIGGERS.find((trigger) => trigger.toLowerCase() === value?.toLowerCase()) ?? 'Unknown';
}

/**
 * The SDK's models lack idleTimeBeforeShutdown (api-version 2025-12-01 has it); its deserializer
 * keeps properties it does not know as they came, so the value is read from there.
 */
function idleTimeOf(inner: object | undefined): string | null {
  const value = (inner as { idleTimeBeforeShutdown?: unknown } | undefined)?.idleTimeBeforeShutdown;
  return typeof value === 'string' && value !== '' ? value : null;
}

function toState(value: string | undefined): AmlComputeState {
  return AML_STATES.find((state) => state.toLowerCase() === value?.toLowerCase()) ?? 'Unknown';
}

/** Azure's errors with its own codes and messages, each once. */
function toErrors(responses: ErrorResponse[]): ComputeInstance['errors'] {
  const seen = new Set<string>();
  const errors: ComputeInstance['errors'] = [];
  for (const response of responses) {
    const detail = response.error;
    if (!detail?.message) continue;
    const error = { code: detail.code ?? 'Unknown', message: detail.message };
    const key = `${error.code}\n${error.message}`;
    if (!seen.has(key)) errors.push(error);
    seen.add(key);
  }
  return errors;
}

function toIso(value: Date | string | undefined): string | null {
  if (value === undefined) return null;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}
