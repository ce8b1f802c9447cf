import { resolveSize, resolveSizes } from '../../shared/domain/sizes';
import { testSettings } from '../support/test-dependencies';

const region = [
  { name: 'Standard_DS1_v2', gpus: 0 },
  { name: 'Standard_DS3_v2', gpus: 0 },
  { name: 'standard_nc6s_v3', gpus: 1 },
];

describe('sizes', () => {
  it('takes the first candidate the region offers', () => {
    expect(resolveSize('GPU', ['Standard_NC4as_T4_v3', 'Standard_NC6s_v3'], region)).toEqual({ label: 'GPU', vmSize: 'standard_nc6s_v3', gpu: true });
    expect(resolveSize('Small', ['Standard_DS1_v2', 'Standard_DS2_v2'], region)).toEqual({ label: 'Small', vmSize: 'Standard_DS1_v2', gpu: false });
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
});
