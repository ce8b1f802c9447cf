/**
 * The create request → the ComputeResource body Azure ML expects for a compute instance created on
 * behalf of a person. `Personal`: only the assigned person can open its applications, so it needs
 * one; `Shared`: every user of the workspace can, and an assigned person is optional.
 */
import type { ComputeInstanceProperties, ComputeResource } from '@azure/arm-machinelearning';
import type { ApplicationSharingPolicy } from '../../config/settings';
import { AppError } from '../../domain/errors';
import { NO_COMPUTE_SETTINGS, type ComputeSettings } from '../../domain/compute-settings';
import type { CreateComputeRequest } from '../../domain/ports';

export function toArmComputeInstance(request: CreateComputeRequest, sharingPolicy: ApplicationSharingPolicy): ComputeResource {
  // The spawn resolved both before anything was stored; these guard a create nobody could open.
  if (request.userObjectId !== null && request.tenantId === null) {
    throw new AppError('invalid-request', 'A tenantId is required with a userObjectId to assign the compute instance to the user.');
  }
  if (sharingPolicy === 'Personal' && request.userObjectId === null) {
    throw new AppError('user-object-id-required', `Compute instance ${request.name} would be Personal without an assigned user, and nobody could open it.`);
  }
  const assignedUser =
    request.userObjectId !== null && request.tenantId !== null
      ? { objectId: request.userObjectId, tenantId: request.tenantId }
      : null;
  return {
    location: request.location,
    tags: request.tags,
    properties: {
      computeType: 'ComputeInstance',
      properties: {
        vmSize: request.vmSize,
        applicationSharingPolicy: sharingPolicy,
        sshSettings: { sshPublicAccess: 'Disabled' },
        ...(assignedUser
          ? { computeInstanceAuthorizationType: 'personal', personalComputeInstanceSettings: { assignedUser } }
          : {}),
        ...modelledComputeSettings(request.compute ?? NO_COMPUTE_SETTINGS),
      },
    },
  };
}

/** A file in the workspace's default datastore, as Azure ML's ScriptReference names it. */
export const WORKSPACE_SCRIPT_SOURCE = 'workspaceStorage';

/** The project's settings the SDK models (subnet, enableNodePublicIp, setupScripts); unset ones are not sent. */
function modelledComputeSettings(settings: ComputeSettings): Partial<ComputeInstanceProperties> {
  const scripts = {
    ...(settings.creationScript === null ? {} : { creationScript: { scriptSource: WORKSPACE_SCRIPT_SOURCE, scriptData: settings.creationScript } }),
    ...(settings.startupScript === null ? {} : { startupScript: { scriptSource: WORKSPACE_SCRIPT_SOURCE, scriptData: settings.startupScript } }),
  };
  return {
    ...(settings.subnetId === null ? {} : { subnet: { id: settings.subnetId } }),
    ...(settings.enableNodePublicIp === null ? {} : { enableNodePublicIp: settings.enableNodePublicIp }),
    ...(Object.keys(scripts).length === 0 ? {} : { setupScripts: { scripts } }),
  };
}

/**
 * What the create sets that the SDK 2.1.1 does not model (idleTimeBeforeShutdown, enableSSO,
 * customServices), for the compute-properties policy to add to the body (compute-properties-policy.ts).
 */
export function unmodelledComputeProperties(request: CreateComputeRequest): Record<string, unknown> {
  const settings = request.compute ?? NO_COMPUTE_SETTINGS;
  return {
    idleTimeBeforeShutdown: request.idleTimeBeforeShutdown,
    ...(settings.enableSso === null ? {} : { enableSSO: settings.enableSso }),
    ...(settings.customServices === null ? {} : { customServices: settings.customServices }),
  };
}
