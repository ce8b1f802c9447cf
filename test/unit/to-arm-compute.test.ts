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
    expect(toArmComputeInstance(request(), 'Personal')).toEqual({
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

  it('refuses a Personal instance assigned to nobody, which nobody could open', () => {
    expect(() => toArmComputeInstance(request({ userObjectId: null, tenantId: null }), 'Personal')).toThrow(
      expect.objectContaining({ code: 'user-object-id-required' }),
    );
  });

  it('builds a Shared instance assigned to nobody without a user object id', () => {
    const body = toArmComputeInstance(request({ userObjectId: null, tenantId: null }), 'Shared');
    expect(body.properties).toEqual({
      computeType: 'ComputeInstance',
      properties: { vmSize: 'Standard_DS3_v2', applicationSharingPolicy: 'Shared', sshSettings: { sshPublicAccess: 'Disabled' } },
    });
  });

  it('builds a Shared instance still created on behalf of the user when the object id is known', () => {
    const body = toArmComputeInstance(request(), 'Shared');
    expect(body.properties).toMatchObject({
      properties: {
        applicationSharingPolicy: 'Shared',
        personalComputeInstanceSettings: { assignedUser: { objectId: 'object-id', tenantId: 'tenant-id' } },
      },
    });
  });

  it('refuses a user object id without its tenant', () => {
    expect(() => toArmComputeInstance(request({ tenantId: null }), 'Personal')).toThrow(expect.objectContaining({ code: 'invalid-request' }));
  });
});
