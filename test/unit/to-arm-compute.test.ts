import { toArmComputeInstance } from '../../shared/adapters/aml/to-arm-compute';
import type { CreateComputeRequest } from '../../shared/domain/ports';

const request = (overrides: Partial<CreateComputeRequest> = {}): CreateComputeRequest => ({
  project: 'climate-lab',
  name: 'ci-abc',
  vmSize: 'Standard_DS3_v2',
  location: 'westeurope',
  userObjectId: 'object-id',
  tenantId: 'tenant-id',
  tags: { owner: 'alice' },
  idleTimeBeforeShutdown: 'PT30M',
  ...overrides,
});

describe('toArmComputeInstance', () => {
  it('builds a personal compute instance assigned to the user', () => {
    expect(toArmComputeInstance(request())).toEqual({
      location: 'westeurope',
      tags: { owner: 'alice' },
      properties: {
        computeType: 'ComputeInstance',
        properties: {
          vmSize: 'Standard_DS3_v2',
          applicationSharingPolicy: 'Personal',
          sshSettings: { sshPublicAccess: 'Disabled' },
          computeInstanceAuthorizationType: 'personal',
          personalComputeInstanceSettings: { assignedUser: { objectId: 'object-id', tenantId: 'tenant-id' } },
        },
      },
    });
  });

  it('assigns nobody without a user object id', () => {
    const body = toArmComputeInstance(request({ userObjectId: null, tenantId: null }));
    expect(body.properties).toEqual({
      computeType: 'ComputeInstance',
      properties: { vmSize: 'Standard_DS3_v2', applicationSharingPolicy: 'Personal', sshSettings: { sshPublicAccess: 'Disabled' } },
    });
  });

  it('refuses a user object id without its tenant', () => {
    expect(() => toArmComputeInstance(request({ tenantId: null }))).toThrow(expect.objectContaining({ code: 'invalid-request' }));
  });
});
