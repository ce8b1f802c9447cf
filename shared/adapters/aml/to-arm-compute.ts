/** The create request → the ComputeResource body Azure ML expects for a personal compute instance. */
import type { ComputeResource } from '@azure/arm-machinelearning';
import { AppError } from '../../domain/errors';
import type { CreateComputeRequest } from '../../domain/ports';

export function toArmComputeInstance(request: CreateComputeRequest): ComputeResource {
  if (request.userObjectId !== null && request.tenantId === null) {
    throw new AppError('invalid-request', 'A tenantId is required with a userObjectId to assign the compute instance to the user.');
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
        applicationSharingPolicy: 'Personal',
        sshSettings: { sshPublicAccess: 'Disabled' },
        ...(assignedUser
          ? { computeInstanceAuthorizationType: 'personal', personalComputeInstanceSettings: { assignedUser } }
          : {}),
      },
    },
  };
}
