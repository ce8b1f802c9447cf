import { createPipelineRequest, type PipelineResponse } from '@azure/core-rest-pipeline';
import { idleShutdownPolicy, withIdleTimeBeforeShutdown } from '../../shared/adapters/aml/idle-shutdown-policy';

const COMPUTE_URL =
  'https://management.azure.com/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices/workspaces/ws/computes/ci-abc?api-version=2025-12-01';
const instanceBody = JSON.stringify({ location: 'westeurope', properties: { computeType: 'ComputeInstance', properties: { vmSize: 'Standard_DS1_v2' } } });

describe('withIdleTimeBeforeShutdown', () => {
  it('adds the setting to a compute instance body', () => {
    expect(JSON.parse(withIdleTimeBeforeShutdown(instanceBody, 'PT90M'))).toEqual({
      location: 'westeurope',
      properties: { computeType: 'ComputeInstance', properties: { vmSize: 'Standard_DS1_v2', idleTimeBeforeShutdown: 'PT90M' } },
    });
  });

  it.each([
    ['another compute type', JSON.stringify({ properties: { computeType: 'AmlCompute', properties: { vmSize: 'x' } } })],
    ['an instance that already has one', JSON.stringify({ properties: { computeType: 'ComputeInstance', properties: { idleTimeBeforeShutdown: 'PT3H' } } })],
    ['an instance body without inner properties', JSON.stringify({ properties: { computeType: 'ComputeInstance' } })],
    ['text that is not JSON', 'not json'],
  ])('leaves %s alone', (_name, body) => {
    expect(withIdleTimeBeforeShutdown(body, 'PT90M')).toBe(body);
  });
});

describe('idleShutdownPolicy', () => {
  const sent = async (method: 'PUT' | 'POST', url: string, body: string) => {
    const request = createPipelineRequest({ url, method, body });
    let seen: unknown;
    await idleShutdownPolicy('PT45M').sendRequest(request, async (outgoing) => {
      seen = outgoing.body;
      return {} as PipelineResponse;
    });
    return seen;
  };

  it('rewrites the PUT of a compute', async () => {
    expect(JSON.parse(String(await sent('PUT', COMPUTE_URL, instanceBody))).properties.properties.idleTimeBeforeShutdown).toBe('PT45M');
  });

  it('leaves other requests alone', async () => {
    expect(await sent('POST', COMPUTE_URL.replace('?', '/start?'), instanceBody)).toBe(instanceBody);
    expect(await sent('PUT', COMPUTE_URL.replace('/computes/ci-abc', ''), instanceBody)).toBe(instanceBody);
  });
});
