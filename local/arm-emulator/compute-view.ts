/** A compute record as Azure ML's REST API shows it (ComputeResource with a ComputeInstance inside). */
import { createHash } from 'node:crypto';
import { accessView } from './compute-access';
import type { ComputeRecord } from './compute-record';
import { isProvisioned, lastOperationStatus, provisioningState } from './lifecycle';

export const COMPUTE_TYPE = 'Microsoft.MachineLearningServices/workspaces/computes';

export function computeId(subscriptionId: string, record: Pick<ComputeRecord, 'resourceGroup' | 'workspace' | 'name'>): string {
  return (
    `/subscriptions/${subscriptionId}/resourceGroups/${record.resourceGroup}` +
    `/providers/Microsoft.MachineLearningServices/workspaces/${record.workspace}/computes/${record.name}`
  );
}

/** The path an instance's lab pages live under (a real JupyterLab's base URL), with trailing slash. */
export function labBasePath(name: string): string {
  return `/instances/${encodeURIComponent(name)}/`;
}

/** The JupyterLab page the emulator serves for an instance, on the lab listener (`labBaseUrl`). */
export function labUrl(labBaseUrl: string, name: string): string {
  return `${labBaseUrl}${labBasePath(name)}lab`;
}

const iso = (epochMs: number) => new Date(epochMs).toISOString();

export function toArmCompute(record: ComputeRecord, subscriptionId: string, labBaseUrl: string): object {
  const provisioned = isProvisioned(record);
  const failed = record.state === 'CreateFailed' || record.state === 'SetupFailed' || record.state === 'Unusable';
  const errors = record.failure && failed ? [{ error: { details: [], ...record.failure } }] : null;
  return {
    id: computeId(subscriptionId, record),
    name: record.name,
    type: COMPUTE_TYPE,
    location: record.location,
    tags: record.tags,
    systemData: {
      createdAt: iso(record.createdOn),
      createdBy: record.createdBy.userName,
      createdByType: 'Application',
      lastModifiedAt: iso(record.modifiedOn),
      lastModifiedBy: record.createdBy.userName,
      lastModifiedByType: 'Application',
    },
    properties: {
      computeType: 'ComputeInstance',
      computeLocation: record.location,
      description: record.description,
      provisioningState: provisioningState(record),
      provisioningErrors: record.state === 'CreateFailed' || record.state === 'Unusable' ? errors : null,
      createdOn: iso(record.createdOn),
      modifiedOn: iso(record.modifiedOn),
      isAttachedCompute: false,
      disableLocalAuth: true,
      properties: {
        vmSize: record.vmSize,
        state: record.state,
        applicationSharingPolicy: record.applicationSharingPolicy ?? 'Personal',
        computeInstanceAuthorizationType: record.authorizationType ?? 'personal',
        personalComputeInstanceSettings: record.assignedUser ? { assignedUser: record.assignedUser } : null,
        ...accessView(record),
        connectivityEndpoints: provisioned ? { publicIpAddress: '127.0.0.1', privateIpAddress: privateIp(record.name) } : null,
        applications: provisioned ? applicationsOf(record, subscriptionId, labBaseUrl) : [],
        createdBy: record.createdBy,
        errors,
        lastOperation: {
          operationName: record.lastOperation.name,
          operationTime: iso(record.lastOperation.at),
          operationStatus: lastOperationStatus(record),
          operationTrigger: record.lastOperation.trigger ?? 'User',
        },
        ...(record.idleTimeBeforeShutdown === null ? {} : { idleTimeBeforeShutdown: record.idleTimeBeforeShutdown }),
        schedules: { computeStartStop: [] },
        enableNodePublicIp: record.enableNodePublicIp ?? true,
        subnet: record.subnetId ? { id: record.subnetId } : null,
        setupScripts: record.setupScripts ? { scripts: record.setupScripts } : null,
        ...(record.customServices ? { customServices: record.customServices } : {}),
      },
    },
  };
}

/** VS Code's browser edition for an instance, on the lab listener (a stand-in page). */
export function vsCodeWebUrl(labBaseUrl: string, name: string): string {
  return `${labBaseUrl}${labBasePath(name)}vscode/`;
}

/** A custom service's endpoint for an instance, on the lab listener (a stand-in page). */
export function customServiceUrl(labBaseUrl: string, name: string, service: string): string {
  return `${labBaseUrl}${labBasePath(name)}services/${encodeURIComponent(service)}/`;
}

/**
 * The applications as Azure lists them on a provisioned instance: classic Jupyter, JupyterLab,
 * VS Code (desktop, a vscode: link), VS Code (Web), then each custom service of the create body under
 * its name. The web pages are ones the emulator serves on its plain-http lab listener.
 */
function applicationsOf(record: ComputeRecord, subscriptionId: string, labBaseUrl: string): object[] {
  const vsCode = new URLSearchParams({
    subscriptionId, resourceGroup: record.resourceGroup, workspaceName: record.workspace, computeName: record.name,
  });
  return [
    { displayName: 'Jupyter', endpointUri: `${labBaseUrl}${labBasePath(record.name)}tree` },
    { displayName: 'Jupyter Lab', endpointUri: labUrl(labBaseUrl, record.name) },
    { displayName: 'VS Code', endpointUri: `vscode://ms-toolsai.vscode-ai-remote/attach?${vsCode.toString()}` },
    { displayName: 'VS Code (Web)', endpointUri: vsCodeWebUrl(labBaseUrl, record.name) },
    ...customServiceApplications(record, labBaseUrl),
  ];
}

/** A custom service with an http endpoint is listed as an application by its name, on its own path of the lab listener. */
function customServiceApplications(record: ComputeRecord, labBaseUrl: string): object[] {
  return (record.customServices ?? [])
    .filter((service) => (service.endpoints ?? []).some((endpoint) => (endpoint.protocol ?? 'http') === 'http'))
    .map((service) => ({
      displayName: service.name,
      endpointUri: customServiceUrl(labBaseUrl, record.name, service.name),
    }));
}

/** The immediate body of an accepted create, as Azure answers it. */
export function toArmComputeAccepted(record: ComputeRecord, subscriptionId: string): object {
  return {
    id: computeId(subscriptionId, record),
    name: record.name,
    type: COMPUTE_TYPE,
    location: record.location,
    tags: record.tags,
    properties: { computeType: 'ComputeInstance', provisioningState: 'Creating' },
  };
}

/** A stable private address per instance name, as a VNet would hand out. */
function privateIp(name: string): string {
  const digest = createHash('md5').update(name.toLowerCase()).digest();
  return `10.0.${digest[0] ?? 0}.${4 + ((digest[1] ?? 0) % 250)}`;
}
