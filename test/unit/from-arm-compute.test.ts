import type { ComputeResource } from '@azure/arm-machinelearning';
import { fromArmCompute } from '../../shared/adapters/aml/from-arm-compute';

const instance = (inner: Record<string, unknown>, outer: Record<string, unknown> = {}, tags?: Record<string, string>): ComputeResource =>
  ({
    name: 'ci-abc',
    tags,
    properties: { computeType: 'ComputeInstance', provisioningState: 'Succeeded', ...outer, properties: inner },
  }) as ComputeResource;

describe('fromArmCompute', () => {
  it('maps a running instance with its JupyterLab application', () => {
    const compute = fromArmCompute(
      instance({
        vmSize: 'Standard_DS3_v2',
        state: 'Running',
        applications: [
          { displayName: 'Jupyter', endpointUri: 'https://ci-abc.westeurope.instances.azureml.ms/tree' },
          { displayName: 'Jupyter Lab', endpointUri: 'https://ci-abc.westeurope.instances.azureml.ms/lab' },
        ],
        lastOperation: { operationName: 'Start', operationStatus: 'Succeeded', operationTime: new Date('2026-11-26T10:00:00Z'), operationTrigger: 'Schedule' },
        // Not in the SDK's models: its deserializer keeps it as it came.
        idleTimeBeforeShutdown: 'PT30M',
      }, { createdOn: new Date('2026-11-26T09:00:00Z') }, { 'aml-jupyterhub-hub': 'hub' }),
    );
    expect(compute).toEqual({
      name: 'ci-abc',
      state: 'Running',
      provisioningState: 'Succeeded',
      vmSize: 'Standard_DS3_v2',
      jupyterLabUrl: 'https://ci-abc.westeurope.instances.azureml.ms/lab',
      applications: [
        { displayName: 'Jupyter', endpointUri: 'https://ci-abc.westeurope.instances.azureml.ms/tree' },
        { displayName: 'Jupyter Lab', endpointUri: 'https://ci-abc.westeurope.instances.azureml.ms/lab' },
      ],
      errors: [],
      lastOperation: { operationName: 'Start', operationStatus: 'Succeeded', operationTime: '2026-11-26T10:00:00.000Z', operationTrigger: 'Schedule' },
      idleTimeBeforeShutdown: 'PT30M',
      tags: { 'aml-jupyterhub-hub': 'hub' },
      createdAt: '2026-11-26T09:00:00.000Z',
    });
  });

  it.each([
    ['Creating', 'Creating'],
    ['stopped', 'Stopped'],
    ['SetupFailed', 'SetupFailed'],
    ['Resizing', 'Unknown'],
    [undefined, 'Unknown'],
  ])('reads state %s as %s', (state, expected) => {
    expect(fromArmCompute(instance({ state })).state).toBe(expected);
  });

  it("keeps Azure's errors, from the instance and the provisioning, each once", () => {
    const failure = { error: { code: 'AllocationFailed', message: 'No capacity for Standard_NC6s_v3.' } };
    const compute = fromArmCompute(
      instance({ state: 'CreateFailed', errors: [failure, { error: {} }] }, { provisioningState: 'Failed', provisioningErrors: [failure] }),
    );
    expect(compute.errors).toEqual([{ code: 'AllocationFailed', message: 'No capacity for Standard_NC6s_v3.' }]);
    expect(compute.provisioningState).toBe('Failed');
  });

  it('has no URL, size or last operation before Azure reports them', () => {
    expect(fromArmCompute({ name: 'ci-new', properties: { computeType: 'ComputeInstance', provisioningState: 'Creating' } })).toEqual({
      name: 'ci-new',
      state: 'Unknown',
      provisioningState: 'Creating',
      vmSize: null,
      jupyterLabUrl: null,
      applications: [],
      errors: [],
      lastOperation: null,
      idleTimeBeforeShutdown: null,
      tags: {},
      createdAt: null,
    });
  });

  it.each([
    ['IdleShutdown', 'IdleShutdown'],
    ['user', 'User'],
    ['SomethingNew', 'Unknown'],
    [undefined, 'Unknown'],
  ])('reads operation trigger %s as %s', (operationTrigger, expected) => {
    const compute = fromArmCompute(instance({ lastOperation: { operationName: 'Stop', operationTrigger } }));
    expect(compute.lastOperation?.operationTrigger).toBe(expected);
  });

  it('reads another compute type as an Unknown instance', () => {
    const cluster = { name: 'cpu-cluster', properties: { computeType: 'AmlCompute', provisioningState: 'Succeeded' } } as ComputeResource;
    expect(fromArmCompute(cluster)).toMatchObject({ name: 'cpu-cluster', state: 'Unknown', vmSize: null });
  });
});
