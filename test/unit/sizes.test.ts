import { gpuModelOf, resolveSize, resolveSizes } from '../../shared/domain/sizes';
import { testSettings } from '../support/test-dependencies';

const region = [
  { name: 'Standard_DS1_v2', vCPUs: 1, memoryGB: 3.5, gpus: 0 },
  { name: 'Standard_DS3_v2', vCPUs: 4, memoryGB: 14, gpus: 0 },
  { name: 'standard_nc6s_v3', vCPUs: 6, memoryGB: 112, gpus: 1 },
];

describe('sizes', () => {
  it('takes the first candidate the region offers, with its cores, memory and GPUs', () => {
    expect(resolveSize('GPU', ['Standard_NC4as_T4_v3', 'Standard_NC6s_v3'], region)).toEqual({
      label: 'GPU', vmSize: 'standard_nc6s_v3', gpu: true, vcpus: 6, memoryGB: 112, gpus: 1, gpuName: 'NVIDIA V100',
    });
    expect(resolveSize('Small', ['Standard_DS1_v2', 'Standard_DS2_v2'], region)).toEqual({
      label: 'Small', vmSize: 'Standard_DS1_v2', gpu: false, vcpus: 1, memoryGB: 3.5, gpus: 0,
    });
  });

  it('gives null when no candidate is offered', () => {
    expect(resolveSize('Large', ['Standard_DS5_v2'], region)).toBeNull();
  });

  it('lists the labels a region serves with the default candidates', () => {
    const { sizeCandidates } = testSettings();
    expect(resolveSizes(sizeCandidates, region).map((size) => `${size.label}=${size.vmSize}`)).toEqual([
      'Small=Standard_DS1_v2', 'Medium=Standard_DS3_v2', 'GPU=standard_nc6s_v3',
    ]);
  });

  it('leaves the GPU model out for a family it does not know', () => {
    const size = resolveSize('GPU', ['Standard_XY8_v9'], [{ name: 'Standard_XY8_v9', vCPUs: 8, memoryGB: 64, gpus: 2 }]);
    expect(size).toEqual({ label: 'GPU', vmSize: 'Standard_XY8_v9', gpu: true, vcpus: 8, memoryGB: 64, gpus: 2 });
  });
});

describe('gpuModelOf', () => {
  it.each([
    ['Standard_NC4as_T4_v3', 1, 'NVIDIA T4'],
    ['Standard_NC64as_T4_v3', 4, 'NVIDIA T4'],
    ['Standard_NC6s_v3', 1, 'NVIDIA V100'],
    ['Standard_NC24rs_v3', 4, 'NVIDIA V100'],
    ['Standard_NC6s_v2', 1, 'NVIDIA P100'],
    ['Standard_NC6', 1, 'NVIDIA K80'],
    ['Standard_NC24ads_A100_v4', 1, 'NVIDIA A100'],
    ['Standard_ND96asr_v4', 8, 'NVIDIA A100'],
    ['Standard_NC40ads_H100_v5', 1, 'NVIDIA H100'],
    ['Standard_NV36ads_A10_v5', 1, 'NVIDIA A10'],
    ['Standard_NV12s_v3', 1, 'NVIDIA M60'],
    ['standard_nc4as_t4_v3', 1, 'NVIDIA T4'],
  ])('%s (%d GPUs) has %s', (vmSize, gpus, model) => {
    expect(gpuModelOf(vmSize, gpus)).toBe(model);
  });

  it('names no model for a size without GPUs or of an unknown family', () => {
    expect(gpuModelOf('Standard_DS3_v2', 0)).toBeNull();
    expect(gpuModelOf('Standard_NC4as_T4_v3', 0)).toBeNull();
    expect(gpuModelOf('Standard_XY8_v9', 2)).toBeNull();
  });
});

describe('SIZE_<LABEL>_DESCRIPTION', () => {
  it('is null when not set, the trimmed text when set', () => {
    const settings = testSettings({ SIZE_GPU_DESCRIPTION: '  For training deep-learning models ' });
    expect(settings.sizeDescriptions).toEqual({ Small: null, Medium: null, Large: null, GPU: 'For training deep-learning models' });
  });

  it('refuses more than one line or more than 200 characters', () => {
    expect(() => testSettings({ SIZE_SMALL_DESCRIPTION: 'one\ntwo' })).toThrow(/SIZE_SMALL_DESCRIPTION/);
    expect(() => testSettings({ SIZE_LARGE_DESCRIPTION: 'x'.repeat(201) })).toThrow(/SIZE_LARGE_DESCRIPTION/);
  });
});
