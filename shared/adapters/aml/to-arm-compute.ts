/**
 * The create request → the ComputeResource body Azure ML expects for a compute instance created on
 * behalf of a person. `Personal`: only the assigned person can open its applications, so it needs
 * one; `Shared`: every user of the workspace can, and an assigned person is optional.
 */
import type { ComputeResource } from '@azure/arm-machinelearning';
import type { ApplicationSharingPolicy } from '../../config/settings';
import { AppError } from '../../domain/errors';
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
      },
    },
  };
}
